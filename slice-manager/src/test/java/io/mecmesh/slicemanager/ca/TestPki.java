package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SigningScope;
import io.mecmesh.dataplane.identity.SpiffeId;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Key pairs, CSRs and hand-made leaf certificates for tests, including leaves that break the X.509-SVID profile in
 * one way each, signed by a real CA key so that only the broken rule can reject them.
 */
final class TestPki
{
    private TestPki()
    {
    }

    static KeyPair ecKeyPair()
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static byte[] csr(final KeyPair subjectKey, final PrivateKey signingKey)
    {
        try
        {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=workload"), subjectKey.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey))
                .getEncoded();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static byte[] csr(final KeyPair keyPair)
    {
        return csr(keyPair, keyPair.getPrivate());
    }

    static String csrPem(final KeyPair keyPair)
    {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(csr(keyPair)) + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    /**
     * A leaf description whose defaults follow the X.509-SVID profile; each test changes one field.
     */
    static final class Leaf
    {
        final List<GeneralName> sans = new ArrayList<>();
        boolean ca = false;
        Integer keyUsage = KeyUsage.digitalSignature;
        boolean keyUsageCritical = true;
        KeyPurposeId[] extendedKeyUsage = { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth };
        final KeyPair keyPair = ecKeyPair();
        String signingScope;

        Leaf uri(final String uri)
        {
            sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
            return this;
        }

        /** A mecmesh signing-scope extension (site intermediates carry one). */
        Leaf signingScope(final String scope)
        {
            signingScope = scope;
            return this;
        }

        Leaf dns(final String name)
        {
            sans.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        X509Certificate signedBy(final SigningAuthority issuer, final Instant notBefore, final Instant notAfter)
        {
            try
            {
                final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.certificate(),
                    BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("O=test"), keyPair.getPublic());
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                if (null != keyUsage)
                {
                    builder.addExtension(Extension.keyUsage, keyUsageCritical, new KeyUsage(keyUsage));
                }
                if (null != extendedKeyUsage)
                {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(extendedKeyUsage));
                }
                if (!sans.isEmpty())
                {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
                }
                if (null != signingScope)
                {
                    builder.addExtension(new ASN1ObjectIdentifier(SigningScope.OID), false,
                        SigningScope.encodeValue(SpiffeId.parse(signingScope)));
                }
                return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.privateKey())));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }
}
