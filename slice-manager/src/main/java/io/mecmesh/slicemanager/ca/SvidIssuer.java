package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The one issuing path of leaf X.509-SVIDs, shared by the {@link CertificateAuthority} (which holds the root) and a
 * {@link SiteAuthority} (which holds only a site intermediate): the SVID profile, validity capped at the issuer's,
 * random 128-bit serials never reused (the {@link IssuedLog} records each certificate before it is returned), and
 * the signing helpers both use. The callers decide whether the issuer may issue the ID (scope, chain); this class
 * checks the CSR and builds the certificate.
 * <p>
 * Thread safe.
 */
final class SvidIssuer
{
    static final int SERIAL_BITS = 128;
    static final String CURVE = "secp256r1";
    private static final int MIN_RSA_BITS = 2048;

    private final InstantSource clock;
    private final SecureRandom random;
    private final IssuedLog log;

    SvidIssuer(final InstantSource clock, final SecureRandom random, final IssuedLog log)
    {
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
        this.log = requireNonNull(log, "log");
    }

    InstantSource clock()
    {
        return clock;
    }

    SecureRandom random()
    {
        return random;
    }

    IssuedLog log()
    {
        return log;
    }

    Set<BigInteger> issuedSerials()
    {
        return log.serials();
    }

    void reserve(final BigInteger serial)
    {
        log.reserve(serial);
    }

    /**
     * Adds a certificate's extensions to its builder.
     */
    interface Extensions
    {
        void addTo(X509v3CertificateBuilder builder) throws CertIOException, GeneralSecurityException;
    }

    /**
     * Makes, signs and records one certificate: the serial is picked, and the certificate recorded, by the
     * {@link IssuedLog} before it is returned.
     *
     * @param issuer     the signing authority.
     * @param subject    the subject name.
     * @param publicKey  the subject's key.
     * @param ttl        the lifetime, capped at the issuer's expiry.
     * @param extensions the certificate's extensions.
     * @param what       names the certificate in errors.
     * @return the signed certificate.
     */
    X509Certificate issueCertificate(final SigningAuthority issuer, final X500Name subject, final PublicKey publicKey,
        final Duration ttl, final Extensions extensions, final String what)
    {
        final Instant now = clock.instant();
        final Instant issuerNotAfter = issuer.certificate().getNotAfter().toInstant();
        if (!now.isBefore(issuerNotAfter))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "issuer " + issuer + " expired at " + issuerNotAfter);
        }
        return log.issue(random, serial ->
        {
            final X509v3CertificateBuilder builder = builder(issuer, subject, publicKey, ttl, serial);
            try
            {
                extensions.addTo(builder);
            }
            catch (final CertIOException | GeneralSecurityException ex)
            {
                throw new CertificateAuthorityException(Category.CRYPTO, "cannot build the certificate of " + what, ex);
            }
            return sign(builder, issuer.privateKey());
        }, issuer.certificate().getSerialNumber());
    }

    /**
     * Issues a leaf SVID, after the caller has decided that {@code issuer} may issue {@code spiffeId}.
     *
     * @param issuer      the signing authority.
     * @param trustDomain the trust domain (for the subject name).
     * @param csrDer      the DER-encoded PKCS#10 request.
     * @param spiffeId    the identity to issue.
     * @param ttl         the lifetime; capped at the issuer's expiry.
     * @return the leaf followed by the issuer's chain.
     */
    List<X509Certificate> issue(final SigningAuthority issuer, final String trustDomain, final byte[] csrDer,
        final SpiffeId spiffeId, final Duration ttl)
    {
        return issue(issuer, trustDomain, csrDer, spiffeId, ttl, builder ->
        {
        });
    }

    /**
     * Issues a leaf SVID with more extensions (an operator's {@link ApiRole}).
     *
     * @param issuer      the signing authority.
     * @param trustDomain the trust domain (for the subject name).
     * @param csrDer      the DER-encoded PKCS#10 request.
     * @param spiffeId    the identity to issue.
     * @param ttl         the lifetime; capped at the issuer's expiry.
     * @param extra       extensions added after the SVID profile's.
     * @return the leaf followed by the issuer's chain.
     */
    List<X509Certificate> issue(final SigningAuthority issuer, final String trustDomain, final byte[] csrDer,
        final SpiffeId spiffeId, final Duration ttl, final Extensions extra)
    {
        requirePositive(ttl, "ttl");
        if (spiffeId.isTrustDomainId())
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "SPIFFE ID " + spiffeId + " has no path: a leaf SVID identifies a workload");
        }
        if (!spiffeId.isUnder(issuer.scope()))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "SPIFFE ID " + spiffeId + " is outside the issuer's scope " + issuer.scope());
        }
        final PublicKey requesterKey = verifiedRequestKey(csrDer);
        final X509Certificate leaf = issueCertificate(issuer, name(trustDomain, null), requesterKey, ttl, builder ->
        {
            final JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth }));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(requesterKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(issuer.certificate()));
            builder.addExtension(Extension.subjectAlternativeName, false, uriSan(spiffeId));
            extra.addTo(builder);
        }, spiffeId.toString());
        final List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(issuer.chain());
        return List.copyOf(chain);
    }

    private X509v3CertificateBuilder builder(final SigningAuthority issuer, final X500Name subject,
        final PublicKey publicKey, final Duration ttl, final BigInteger serial)
    {
        final Instant now = clock.instant();
        final Instant issuerNotBefore = issuer.certificate().getNotBefore().toInstant();
        final Instant issuerNotAfter = issuer.certificate().getNotAfter().toInstant();
        if (!now.isBefore(issuerNotAfter))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "issuer " + issuer + " expired at " + issuerNotAfter);
        }
        final Instant backdated = now.minus(CertificateAuthority.BACKDATE);
        final Instant notBefore = backdated.isBefore(issuerNotBefore) ? issuerNotBefore : backdated;
        final Instant wanted = now.plus(ttl);
        final Instant notAfter = wanted.isAfter(issuerNotAfter) ? issuerNotAfter : wanted;
        return new JcaX509v3CertificateBuilder(issuer.certificate(), serial, Date.from(notBefore),
            Date.from(notAfter), subject, publicKey);
    }

    static BigInteger randomSerial(final SecureRandom random)
    {
        final byte[] bytes = new byte[SERIAL_BITS / Byte.SIZE];
        BigInteger serial = BigInteger.ZERO;
        while (serial.signum() == 0)
        {
            random.nextBytes(bytes);
            serial = new BigInteger(1, bytes);
        }
        return serial;
    }

    private static PublicKey verifiedRequestKey(final byte[] csrDer)
    {
        final JcaPKCS10CertificationRequest csr;
        final PublicKey key;
        try
        {
            csr = new JcaPKCS10CertificationRequest(csrDer);
            key = csr.getPublicKey();
        }
        catch (final IOException | GeneralSecurityException | RuntimeException ex)
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "the CSR is not a valid DER-encoded PKCS#10 request: " + ex.getMessage(), ex);
        }
        try
        {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key)))
            {
                throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                    "the CSR's signature does not verify with its public key: the requester does not hold the key");
            }
        }
        catch (final OperatorCreationException | PKCSException ex)
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "the CSR's signature cannot be verified: " + ex.getMessage(), ex);
        }
        if (key instanceof ECPublicKey ec)
        {
            final int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384)
            {
                throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                    "the CSR's EC key is on a " + bits + "-bit curve: P-256 or P-384 expected");
            }
        }
        else if (key instanceof RSAPublicKey rsa)
        {
            if (rsa.getModulus().bitLength() < MIN_RSA_BITS)
            {
                throw new CertificateAuthorityException(Category.REQUEST_REFUSED, "the CSR's RSA key has " +
                    rsa.getModulus().bitLength() + " bits: at least " + MIN_RSA_BITS + " expected");
            }
        }
        else
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "the CSR's key is " + key.getAlgorithm() + ": ECDSA (P-256, P-384) or RSA expected");
        }
        return key;
    }

    static X509Certificate sign(final X509v3CertificateBuilder builder, final PrivateKey signingKey)
    {
        try
        {
            final String algorithm = "RSA".equals(signingKey.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
            final ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        }
        catch (final OperatorCreationException | GeneralSecurityException ex)
        {
            throw new CertificateAuthorityException(Category.CRYPTO, "cannot sign a certificate", ex);
        }
    }

    static KeyPair generateKeyPair(final SecureRandom random)
    {
        try
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), random);
            return generator.generateKeyPair();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new CertificateAuthorityException(Category.CRYPTO, "cannot generate an ECDSA P-256 key pair", ex);
        }
    }

    static X500Name name(final String trustDomain, final String commonName)
    {
        final X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "mecmesh")
            .addRDN(BCStyle.OU, trustDomain);
        if (null != commonName)
        {
            builder.addRDN(BCStyle.CN, commonName);
        }
        return builder.build();
    }

    static GeneralNames uriSan(final SpiffeId spiffeId)
    {
        return new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId.toString()));
    }

    static void requirePositive(final Duration duration, final String name)
    {
        requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException(name + ": must be positive, got " + duration);
        }
    }
}
