package io.mecmesh.slicemanager.ca;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

import static java.util.Objects.requireNonNull;

/**
 * The requester's side of issuance: a key pair generated where it will be used, and a PKCS#10 request signed with
 * it, so that the private key never leaves the node.
 */
public final class CertificateRequests
{
    private CertificateRequests()
    {
    }

    /**
     * @return a new ECDSA P-256 key pair.
     */
    public static KeyPair newKeyPair()
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new CertificateAuthorityException(CertificateAuthorityException.Category.CRYPTO,
                "cannot generate an ECDSA P-256 key pair: " + ex, ex);
        }
    }

    /**
     * @param keyPair the requester's key pair.
     * @return the DER-encoded PKCS#10 request, signed with its private key (subject and extensions are decided by
     * the CA, not taken from the request).
     */
    public static byte[] csr(final KeyPair keyPair)
    {
        requireNonNull(keyPair, "keyPair");
        try
        {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("O=mecmesh"), keyPair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()))
                .getEncoded();
        }
        catch (final OperatorCreationException | IOException ex)
        {
            throw new CertificateAuthorityException(CertificateAuthorityException.Category.CRYPTO,
                "cannot build the certificate request: " + ex, ex);
        }
    }
}
