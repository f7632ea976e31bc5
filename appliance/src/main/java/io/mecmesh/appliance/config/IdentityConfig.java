package io.mecmesh.appliance.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * This node's own identity ({@code identity} in {@code appliance.yaml}): the node generates its key, asks the
 * control plane's CA for its X.509-SVID {@code spiffe://TRUST_DOMAIN/site/SITE/node/ID}, renews it at half life and
 * keeps key, certificate and bundle in {@code directory} (0600) so that it restarts without the CA. Listeners and
 * clusters use it with {@code tls: {identity: node}}.
 *
 * @param trustDomain   the mesh's trust domain (the CA's).
 * @param joinTokenFile the secret the CA asks for (the same file as the control plane's {@code ca.joinTokenFile}).
 * @param directory     where the identity is kept (default {@code dataDirectory/identity}).
 * @param siteCa        a site intermediate ({@code mecmesh cert intermediate}) this edge issues its site's workloads
 *                      SVIDs with, on {@code POST /v1/identity/workload} of its admin endpoint, also while the control
 *                      plane is unreachable; empty for none.
 */
public record IdentityConfig(String trustDomain, Path joinTokenFile, Path directory, Optional<SiteCa> siteCa)
{
    public IdentityConfig
    {
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(joinTokenFile, "joinTokenFile");
        requireNonNull(directory, "directory");
        requireNonNull(siteCa, "siteCa");
    }

    /**
     * Without a site CA.
     *
     * @param trustDomain   the mesh's trust domain.
     * @param joinTokenFile the join token file.
     * @param directory     where the identity is kept.
     */
    public IdentityConfig(final String trustDomain, final Path joinTokenFile, final Path directory)
    {
        this(trustDomain, joinTokenFile, directory, Optional.empty());
    }

    /**
     * A site intermediate kept on this edge.
     *
     * @param directory      what {@code mecmesh cert intermediate} wrote: {@code site-ca.p12}, {@code chain.pem},
     *                       {@code bundle.pem}.
     * @param passphraseFile the site key store's own passphrase (not the root's); empty:
     *                       {@code MECMESH_SITE_CA_PASSPHRASE}.
     * @param svidTtl        the lifetime of the workload SVIDs it issues.
     */
    public record SiteCa(Path directory, Optional<Path> passphraseFile, Duration svidTtl)
    {
        public SiteCa
        {
            requireNonNull(directory, "directory");
            requireNonNull(passphraseFile, "passphraseFile");
            requireNonNull(svidTtl, "svidTtl");
        }
    }
}
