package io.mecmesh.dataplane.tls;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The protocol versions and TLS 1.2 cipher suites an external listener offers ({@code tls.minVersion},
 * {@code tls.cipherSuites}). The default is TLS 1.2 and 1.3 with ECDHE key exchange and AEAD ciphers only: no static
 * RSA key exchange (no forward secrecy), no CBC (LUCKY13), no SHA-1 MACs. TLS 1.3 suites are all AEAD with
 * ephemeral key exchange; BoringSSL offers its fixed set whatever is listed. Mesh listeners stay TLS 1.3 only.
 *
 * @param minVersion   {@code TLSv1.2} or {@code TLSv1.3}.
 * @param cipherSuites the TLS 1.2 suites offered, IANA names (e.g. {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}),
 *                     in order of preference; not empty.
 */
public record TlsPolicy(String minVersion, List<String> cipherSuites)
{
    public static final String TLS_1_2 = "TLSv1.2";
    public static final String TLS_1_3 = "TLSv1.3";

    /** ECDHE with AES-GCM or ChaCha20-Poly1305, ECDSA certificates first, then RSA. */
    public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** TLS 1.2+, {@link #DEFAULT_CIPHER_SUITES}. */
    public static final TlsPolicy DEFAULT = new TlsPolicy(TLS_1_2, DEFAULT_CIPHER_SUITES);

    /** TLS 1.3 suites: always offered next to the configured TLS 1.2 ones. */
    static final List<String> TLS_1_3_CIPHER_SUITES = List.of(
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    public TlsPolicy
    {
        requireNonNull(minVersion, "minVersion");
        cipherSuites = List.copyOf(requireNonNull(cipherSuites, "cipherSuites"));
        if (!TLS_1_2.equals(minVersion) && !TLS_1_3.equals(minVersion))
        {
            throw new IllegalArgumentException("minVersion: expected TLSv1.2 or TLSv1.3, got \"" + minVersion + "\"");
        }
        if (cipherSuites.isEmpty())
        {
            throw new IllegalArgumentException("cipherSuites: expected at least one cipher suite");
        }
        for (final String suite : cipherSuites)
        {
            if (!suite.startsWith("TLS_") || suite.contains(" "))
            {
                throw new IllegalArgumentException("cipherSuites: expected IANA names such as "
                    + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, got \"" + suite + "\"");
            }
        }
    }

    /**
     * @return the protocols to enable, newest first.
     */
    String[] protocols()
    {
        return TLS_1_3.equals(minVersion) ? new String[] {TLS_1_3} : new String[] {TLS_1_3, TLS_1_2};
    }
}
