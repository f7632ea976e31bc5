package io.mecmesh.dataplane.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate: a probe signed with the key verifies with the certificate's public
 * key. Used wherever a key and a certificate arrive separately (a renewed identity, files named by a configuration).
 */
public final class KeyMatch
{
    private static final byte[] PROBE = "mecmesh key match".getBytes(StandardCharsets.US_ASCII);

    private KeyMatch()
    {
    }

    /**
     * @param key         a private key (EC or RSA).
     * @param certificate a certificate.
     * @return true when the key is the certificate's; false otherwise, or when the algorithm is not supported.
     */
    public static boolean matches(final PrivateKey key, final X509Certificate certificate)
    {
        final String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA"
            : "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : key.getAlgorithm();
        try
        {
            final Signature signing = Signature.getInstance(algorithm);
            signing.initSign(key);
            signing.update(PROBE);
            final byte[] signature = signing.sign();
            final Signature verifying = Signature.getInstance(algorithm);
            verifying.initVerify(certificate.getPublicKey());
            verifying.update(PROBE);
            return verifying.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }
}
