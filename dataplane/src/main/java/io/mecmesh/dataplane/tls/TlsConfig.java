package io.mecmesh.dataplane.tls;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * TLS on a listener or towards a cluster.
 * <p>
 * Either the material is read once from the three files when the context is built (no {@code source}), or it comes
 * from a {@link TlsMaterialSource} at every handshake, so that a renewed certificate or a rotated bundle is taken by
 * new connections without rebuilding the context; the files then name where the source's owner (the node identity
 * client) persists the same material, for tools and for configurations passed to another process.
 *
 * @param certificateChain PEM file: this side's certificate (an X.509-SVID for the mesh) and its intermediates.
 * @param privateKey       PEM file: its PKCS#8 private key (mode 0600).
 * @param trustBundle      PEM file: the CA certificates peers are validated against.
 * @param mode             mesh (mutual, TLS 1.3, SPIFFE peers) or external (TLS 1.2+, no client certificate).
 * @param source           where the current material comes from at run time; empty to read the files once.
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path trustBundle, Mode mode,
    Optional<TlsMaterialSource> source)
{
    /**
     * Who the peers are.
     */
    public enum Mode
    {
        /** Between mesh appliances: TLS 1.3 only, both sides present an X.509-SVID validated to the SPIFFE rules. */
        MESH,
        /** For clients outside the mesh: TLS 1.2 or 1.3, no client certificate asked for. */
        EXTERNAL
    }

    /**
     * Stands in the three paths of a configuration for "this node's identity" ({@code tls: {identity: node}} in a
     * file, or a compiled mesh hop from the control plane): the appliance resolves it to its node identity client's
     * material before the data plane sees it.
     */
    public static final Path NODE_IDENTITY = Path.of("(node identity)");

    public TlsConfig
    {
        requireNonNull(certificateChain, "certificateChain");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(trustBundle, "trustBundle");
        requireNonNull(mode, "mode");
        requireNonNull(source, "source");
    }

    /**
     * TLS material read once from files.
     *
     * @param certificateChain PEM file: this side's certificate and its intermediates.
     * @param privateKey       PEM file: its PKCS#8 private key.
     * @param trustBundle      PEM file: the CA certificates peers are validated against.
     * @param mode             mesh or external.
     */
    public TlsConfig(final Path certificateChain, final Path privateKey, final Path trustBundle, final Mode mode)
    {
        this(certificateChain, privateKey, trustBundle, mode, Optional.empty());
    }

    /**
     * TLS material taken from a source at every handshake.
     *
     * @param source           the current material.
     * @param certificateChain where the source's owner persists the chain.
     * @param privateKey       where it persists the key.
     * @param trustBundle      where it persists the bundle.
     * @param mode             mesh or external.
     * @return the configuration.
     */
    public static TlsConfig fromSource(final TlsMaterialSource source, final Path certificateChain,
        final Path privateKey, final Path trustBundle, final Mode mode)
    {
        return new TlsConfig(certificateChain, privateKey, trustBundle, mode,
            Optional.of(requireNonNull(source, "source")));
    }

    /**
     * This node's identity, to be resolved by the appliance (see {@link #NODE_IDENTITY}).
     *
     * @param mode mesh or external.
     * @return the placeholder configuration.
     */
    public static TlsConfig nodeIdentity(final Mode mode)
    {
        return new TlsConfig(NODE_IDENTITY, NODE_IDENTITY, NODE_IDENTITY, mode);
    }

    /**
     * @return whether this stands for the node's identity, still to be resolved ({@link #nodeIdentity(Mode)}).
     */
    public boolean isNodeIdentity()
    {
        return certificateChain.equals(NODE_IDENTITY) && source.isEmpty();
    }
}
