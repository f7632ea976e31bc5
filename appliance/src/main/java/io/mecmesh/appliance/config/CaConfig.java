package io.mecmesh.appliance.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The certificate authority a control plane runs ({@code ca} in {@code appliance.yaml}): it signs the SVIDs of the
 * nodes declared in the desired state, on {@code POST /v1/identity/sign} of the control-plane API.
 *
 * @param directory      the CA made by {@code mecmesh cert init}: {@code ca.p12} (the encrypted root) and
 *                       {@code bundle.pem}.
 * @param passphraseFile the file holding the key store's passphrase; empty: the environment variable
 *                       {@code MECMESH_CA_PASSPHRASE}.
 * @param joinTokenFile  deprecated: a secret shared by all nodes that any of them may present for a first SVID (so
 *                       whoever holds it can enrol as any declared node); empty (the default) for per-node
 *                       one-time tokens only ({@code mecmesh node token create}).
 * @param svidTtl        the lifetime of node SVIDs (default 24 h; nodes renew at half life).
 */
public record CaConfig(Path directory, Optional<Path> passphraseFile, Optional<Path> joinTokenFile,
    Duration svidTtl)
{
    /** Default SVID lifetime. */
    public static final Duration DEFAULT_SVID_TTL = Duration.ofHours(24);

    public CaConfig
    {
        requireNonNull(directory, "directory");
        requireNonNull(passphraseFile, "passphraseFile");
        requireNonNull(joinTokenFile, "joinTokenFile");
        requireNonNull(svidTtl, "svidTtl");
        if (svidTtl.compareTo(Duration.ofSeconds(30)) < 0)
        {
            throw new IllegalArgumentException("svidTtlSeconds: expected at least 30, got " + svidTtl.toSeconds());
        }
    }
}
