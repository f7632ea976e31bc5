package io.mecmesh.appliance.cli;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh cert signing-key}: the control plane's configuration-signing key (Ed25519). Without an option it
 * shows the keys (creating the first when there is none, as the control plane does at its first start);
 * {@code --rotate} starts a rotation (the new key signs, the old one co-signs), {@code --finish} ends it.
 */
@Command(name = "signing-key", mixinStandardHelpOptions = true,
    description = "Show or rotate the key the control plane signs node configurations with.",
    footer = {"", "Rotation, like the root's: run --rotate (the control plane signs every new configuration with "
        + "the new key and the old one, so nodes that know either accept it), give nodes the new "
        + "config-verification.pem (it goes out with the trust bundle at each SVID renewal; nodes that pinned the "
        + "old key learn the new one from a co-signed configuration), then run --finish."})
final class SigningKeyCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = {"--ca-dir", "--dir"}, required = true, paramLabel = "DIR",
        description = "Where the keys live: the control plane's CA directory, or its dataDirectory/control without a "
            + "CA.")
    Path directory;

    @ArgGroup(exclusive = true)
    Step step;

    /** At most one of the two steps. */
    static final class Step
    {
        @Option(names = "--rotate", description = "Start a rotation: a new key signs, the current one co-signs.")
        boolean rotate;

        @Option(names = "--finish", description = "End the rotation: delete the previous key.")
        boolean finish;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(directory))
        {
            throw new ApplianceException(ApplianceException.Category.CONFIG, "--ca-dir: " + directory
                + " is not a directory");
        }
        try
        {
            if (step != null && step.rotate)
            {
                out.println("signing key rotated: new key " + SignedConfig.fingerprint(ConfigSigningKeys.rotate(
                    directory)) + "; the previous one co-signs until: mecmesh cert signing-key --ca-dir " + directory
                    + " --finish");
            }
            else if (step != null && step.finish)
            {
                out.println("rotation finished: only key " + SignedConfig.fingerprint(ConfigSigningKeys.finish(
                    directory)) + " signs and is trusted");
            }
            final List<KeyPair> keys = ConfigSigningKeys.openOrCreate(directory).signingKeys();
            out.println("current  " + SignedConfig.fingerprint(keys.get(0).getPublic()));
            if (keys.size() > 1)
            {
                out.println("previous " + SignedConfig.fingerprint(keys.get(1).getPublic())
                    + " (rotation under way: co-signs)");
            }
            out.println("verification keys: " + directory.resolve(ConfigSigningKeys.VERIFICATION_FILE));
            out.flush();
            return ExitCode.OK;
        }
        catch (final CertificateAuthorityException ex)
        {
            throw new ApplianceException(ex.category() == CertificateAuthorityException.Category.REQUEST_REFUSED
                ? ApplianceException.Category.CONFIG : ApplianceException.Category.UNAVAILABLE, ex.getMessage(), ex);
        }
    }
}
