package io.mecmesh.appliance;

import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.slicemanager.agent.ConfigVerifier;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where the appliance finds its configuration-signing keys (control plane) and its verification keys (node): issue
 * 11's signed configurations, wired in {@link Appliance}.
 */
final class ConfigSigning
{
    private static final Logger LOG = LoggerFactory.getLogger(ConfigSigning.class);

    private ConfigSigning()
    {
    }

    /** The configuration-signing keys beside the CA, else in the control plane's data directory; made at first start. */
    static ConfigSigningKeys open(final Path directory)
    {
        try
        {
            final ConfigSigningKeys keys = ConfigSigningKeys.openOrCreate(directory);
            LOG.info("configurations are signed with {} (nodes verify with {})", keys.verificationKeys().stream()
                .map(SignedConfig::fingerprint).toList(), directory.resolve(ConfigSigningKeys.VERIFICATION_FILE));
            return keys;
        }
        catch (final CertificateAuthorityException ex)
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "configuration signing key: "
                + ex.getMessage(), ex);
        }
    }

    /**
     * The keys a node verifies its configurations with: the process's own with {@code role: all}; else the
     * explicit {@code controlPlane.configVerificationKeys} file and the keys that came with the trust bundle
     * (identity directory), and those of a control plane that ran with this data directory before ({@code role:
     * all} turned into an edge), reread at each configuration; none of them: pinned at first contact.
     */
    static Supplier<List<PublicKey>> verificationKeys(final ApplianceConfig config,
        final ConfigSigningKeys inProcess)
    {
        if (inProcess != null)
        {
            return inProcess::verificationKeys;
        }
        final List<Path> files = new ArrayList<>();
        config.controlPlane().flatMap(ControlPlaneConfig::configVerificationKeys).ifPresent(files::add);
        config.identity().ifPresent(identity -> files.add(identity.directory()
            .resolve(ConfigSigningKeys.VERIFICATION_FILE)));
        files.add(config.dataDirectory().resolve("control").resolve(ConfigSigningKeys.VERIFICATION_FILE));
        return ConfigVerifier.keysFrom(files);
    }
}
