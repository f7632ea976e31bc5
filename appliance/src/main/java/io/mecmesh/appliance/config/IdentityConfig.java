package io.mecmesh.appliance.config;

import java.nio.file.Path;

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
 */
public record IdentityConfig(String trustDomain, Path joinTokenFile, Path directory)
{
    /** Stands for "this node's identity" in the certificate path of a parsed {@code tls: {identity: node}}. */
    public static final Path NODE_IDENTITY = Path.of("(node identity)");

    public IdentityConfig
    {
        requireNonNull(trustDomain, "trustDomain");
        requireNonNull(joinTokenFile, "joinTokenFile");
        requireNonNull(directory, "directory");
    }
}
