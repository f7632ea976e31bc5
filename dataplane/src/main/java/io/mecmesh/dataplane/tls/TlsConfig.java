package io.mecmesh.dataplane.tls;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * TLS on a listener or towards a cluster.
 *
 * @param certificateChain PEM file: this side's certificate (an X.509-SVID for the mesh) and its intermediates.
 * @param privateKey       PEM file: its PKCS#8 private key (mode 0600).
 * @param trustBundle      PEM file: the CA certificates peers are validated against.
 * @param mode             mesh (mutual, TLS 1.3, SPIFFE peers) or external (TLS 1.2+, no client certificate).
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path trustBundle, Mode mode)
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

    public TlsConfig
    {
        requireNonNull(certificateChain, "certificateChain");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(trustBundle, "trustBundle");
        requireNonNull(mode, "mode");
    }
}
