package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SigningScope;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The mesh's SPIFFE certificate authority for one trust domain: a root (generated here, ECDSA P-256, or loaded with
 * {@link CaKeyStore}), site intermediates, and leaf X.509-SVIDs issued from PKCS#10 requests, so that a workload's
 * private key never leaves the node that generated it.
 * <p>
 * Every leaf carries exactly one URI SAN (the SPIFFE ID the caller decided to issue, never one read from the CSR),
 * {@code cA=false}, a critical key usage of {@code digitalSignature} only and an extended key usage of
 * {@code serverAuth} and {@code clientAuth}: the profile {@link io.mecmesh.dataplane.identity.X509SvidValidator}
 * enforces. Serial numbers are random, 128 bits, and never reused: every certificate is recorded in an
 * {@link IssuedLog} (durable in the CA directory, see {@link CaDirectory}) before it is returned. Time comes from the
 * injected {@link InstantSource}.
 * <p>
 * Site intermediates carry a critical X.509 name constraint that permits URI SANs of the trust domain's host only
 * (RFC 5280, 4.2.1.10, defines URI constraints on the host part, so X.509 cannot confine an intermediate to a path),
 * the trust domain's SPIFFE ID as URI SAN (a signing certificate's has no path, X.509-SVID 3.2), and the site's
 * subtree {@code spiffe://TD/site/SITE} in the mecmesh {@link io.mecmesh.dataplane.identity.SigningScope} extension:
 * {@link io.mecmesh.dataplane.identity.X509SvidValidator} accepts a leaf below such a certificate only when the
 * leaf's ID is at or below that subtree, so a site intermediate cannot mint another site's identities that a
 * mecmesh peer accepts. The site's subtree is
 * also enforced here, at issuance, and by a {@link SiteAuthority} that issues from the intermediate without the root.
 * Both issue through the same code.
 * <p>
 * Thread safe: issuance may be called from any thread.
 */
public final class CertificateAuthority
{
    /** The lifetime of a leaf SVID unless the caller asks for another. */
    public static final Duration DEFAULT_LEAF_TTL = Duration.ofHours(24);

    /** How far before "now" a certificate's validity starts, to absorb clock skew between nodes. */
    public static final Duration BACKDATE = Duration.ofSeconds(30);

    /** The common name of a site intermediate is this prefix followed by its scope's path. */
    static final String SITE_CA_NAME_PREFIX = "mecmesh site CA ";

    private final SigningAuthority root;
    private final SvidIssuer svids;

    private CertificateAuthority(
        final SigningAuthority root, final InstantSource clock, final SecureRandom random, final IssuedLog issued)
    {
        this.root = requireNonNull(root, "root");
        this.svids = new SvidIssuer(clock, random, issued);
        if (!root.isRoot())
        {
            throw new IllegalArgumentException("root: " + root + " is not a root");
        }
        svids.reserve(root.certificate().getSerialNumber());
    }

    /**
     * A CA with a newly generated root: ECDSA P-256, self-signed, {@code cA=true}, critical key usage
     * {@code keyCertSign} and {@code cRLSign}, URI SAN {@code spiffe://<trust-domain>}.
     *
     * @param trustDomain the trust domain name.
     * @param rootTtl     the root's lifetime.
     * @param clock       the time source.
     * @return the CA.
     */
    public static CertificateAuthority generate(final String trustDomain, final Duration rootTtl,
        final InstantSource clock)
    {
        return generate(trustDomain, rootTtl, clock, new SecureRandom());
    }

    static CertificateAuthority generate(final String trustDomain, final Duration rootTtl,
        final InstantSource clock, final SecureRandom random)
    {
        final SpiffeId scope = SpiffeId.ofTrustDomain(requireNonNull(trustDomain, "trustDomain"));
        SvidIssuer.requirePositive(rootTtl, "rootTtl");
        requireNonNull(clock, "clock");
        final KeyPair keyPair = SvidIssuer.generateKeyPair(random);
        final Instant now = clock.instant();
        final X500Name subject = SvidIssuer.name(trustDomain, "mecmesh root CA");
        final BigInteger serial = SvidIssuer.randomSerial(random);
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            subject, serial, Date.from(now.minus(BACKDATE)), Date.from(now.plus(rootTtl)), subject,
            keyPair.getPublic());
        try
        {
            final JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                utils.createSubjectKeyIdentifier(keyPair.getPublic()));
            builder.addExtension(Extension.subjectAlternativeName, false, SvidIssuer.uriSan(scope));
        }
        catch (final CertIOException | GeneralSecurityException ex)
        {
            throw new CertificateAuthorityException(Category.CRYPTO, "cannot build the root certificate", ex);
        }
        final X509Certificate certificate = SvidIssuer.sign(builder, keyPair.getPrivate());
        return new CertificateAuthority(
            new SigningAuthority(certificate, keyPair.getPrivate(), scope, List.of()), clock, random,
            IssuedLog.inMemory(List.of()));
    }

    /**
     * A CA around an existing root, for example one read with {@link CaKeyStore#readRoot}.
     *
     * @param root          the root; its scope is the trust domain.
     * @param clock         the time source.
     * @param issuedSerials serial numbers issued before (so that none is reused across restarts).
     * @return the CA.
     */
    public static CertificateAuthority load(final SigningAuthority root, final InstantSource clock,
        final Collection<BigInteger> issuedSerials)
    {
        return new CertificateAuthority(root, clock, new SecureRandom(), IssuedLog.inMemory(issuedSerials));
    }

    /**
     * A CA around an existing root that records every certificate it issues in a durable log (the CA directory's
     * {@link IssuedLog#FILE}), before returning it.
     *
     * @param root   the root; its scope is the trust domain.
     * @param clock  the time source.
     * @param issued the log of issued certificates; its serials are never reused.
     * @return the CA.
     */
    public static CertificateAuthority load(final SigningAuthority root, final InstantSource clock,
        final IssuedLog issued)
    {
        return new CertificateAuthority(root, clock, new SecureRandom(), requireNonNull(issued, "issued"));
    }

    /**
     * The log of the certificates this CA issued.
     *
     * @return the log.
     */
    public IssuedLog issued()
    {
        return svids.log();
    }

    /**
     * The root.
     *
     * @return the root signing authority.
     */
    public SigningAuthority root()
    {
        return root;
    }

    /**
     * The trust domain this CA issues for.
     *
     * @return the trust domain name.
     */
    public String trustDomain()
    {
        return root.scope().trustDomain();
    }

    /**
     * The trust bundle to publish: the certificates a validator anchors SVIDs of this CA to.
     *
     * @return the root certificate.
     */
    public List<X509Certificate> trustBundle()
    {
        return List.of(root.certificate());
    }

    /**
     * Every serial number issued or loaded, to persist across restarts.
     *
     * @return a snapshot.
     */
    public Set<BigInteger> issuedSerials()
    {
        return svids.issuedSerials();
    }

    /**
     * Creates a site intermediate signed by the root: ECDSA P-256, {@code cA=true} with path length 0,
     * critical key usage {@code keyCertSign} and {@code cRLSign}, a critical name constraint permitting the trust
     * domain's URIs only, the site's SPIFFE ID ({@code scope}) as URI SAN, lifetime capped at the root's; recorded in
     * the CA's {@link IssuedLog}.
     *
     * @param scope the site's subtree, for example {@code spiffe://mesh.example/site/edge-1}.
     * @param ttl   the intermediate's lifetime.
     * @return the intermediate with its key.
     * @throws CertificateAuthorityException if the scope is outside the trust domain or the root has expired.
     */
    public SigningAuthority createSiteIntermediate(final SpiffeId scope, final Duration ttl)
    {
        requireNonNull(scope, "scope");
        SvidIssuer.requirePositive(ttl, "ttl");
        if (!scope.isUnder(root.scope()) || scope.isTrustDomainId())
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "site scope " + scope + " must be a path in trust domain " + trustDomain());
        }
        final KeyPair keyPair = SvidIssuer.generateKeyPair(svids.random());
        final X500Name subject = SvidIssuer.name(trustDomain(), SITE_CA_NAME_PREFIX + scope.path());
        final X509Certificate certificate = svids.issueCertificate(root, subject, keyPair.getPublic(), ttl, builder ->
        {
            final JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                utils.createSubjectKeyIdentifier(keyPair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                utils.createAuthorityKeyIdentifier(root.certificate()));
            // A signing certificate's SPIFFE ID is its trust domain's (X.509-SVID 3.2); the site's subtree goes in
            // the mecmesh signing-scope extension, which X509SvidValidator enforces (the site boundary).
            builder.addExtension(Extension.subjectAlternativeName, false,
                SvidIssuer.uriSan(SpiffeId.ofTrustDomain(trustDomain())));
            builder.addExtension(new ASN1ObjectIdentifier(SigningScope.OID), false,
                SigningScope.encodeValue(scope));
            final GeneralSubtree permitted = new GeneralSubtree(
                new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain()));
            builder.addExtension(Extension.nameConstraints, true,
                new NameConstraints(new GeneralSubtree[] { permitted }, null));
        }, "the intermediate for " + scope);
        return new SigningAuthority(certificate, keyPair.getPrivate(), scope, List.of(certificate));
    }

    /**
     * Issues a leaf SVID with the default lifetime ({@link #DEFAULT_LEAF_TTL}).
     *
     * @param issuer   the root or a site intermediate.
     * @param csrDer   the DER-encoded PKCS#10 request, signed by the requester's key.
     * @param spiffeId the identity to issue, decided by the caller (the CSR's subject and extensions are ignored).
     * @return the chain to present: the leaf first, then the issuer's chain up to, not including, the root.
     */
    public List<X509Certificate> issue(final SigningAuthority issuer, final byte[] csrDer, final SpiffeId spiffeId)
    {
        return issue(issuer, csrDer, spiffeId, DEFAULT_LEAF_TTL);
    }

    /**
     * Issues a leaf SVID.
     *
     * @param issuer   the root or a site intermediate.
     * @param csrDer   the DER-encoded PKCS#10 request, signed by the requester's key.
     * @param spiffeId the identity to issue, decided by the caller (the CSR's subject and extensions are ignored).
     * @param ttl      the lifetime; capped at the issuer's expiry.
     * @return the chain to present: the leaf first, then the issuer's chain up to, not including, the root.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) naming the rule when the CSR's signature does not
     *                                       verify, its key is not ECDSA P-256/P-384 or RSA of 2048 bits or more,
     *                                       the ID is outside the issuer's scope or has no path, or the issuer has
     *                                       expired.
     */
    public List<X509Certificate> issue(final SigningAuthority issuer, final byte[] csrDer, final SpiffeId spiffeId,
        final Duration ttl)
    {
        requireNonNull(issuer, "issuer");
        requireNonNull(csrDer, "csrDer");
        requireNonNull(spiffeId, "spiffeId");
        if (!issuer.isRoot() && !issuer.chain().get(issuer.chain().size() - 1).getIssuerX500Principal()
            .equals(root.certificate().getSubjectX500Principal()))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "issuer " + issuer + " does not chain to this CA's root");
        }
        return svids.issue(issuer, trustDomain(), csrDer, spiffeId, ttl);
    }


    /**
     * Issues an operator's certificate for the control-plane API: the SVID {@code spiffe://TD/operator/NAME}, signed
     * by the root, with the {@link ApiRole} extension.
     *
     * @param csrDer the DER-encoded PKCS#10 request, signed by the operator's key.
     * @param name   the operator's name (a path segment: {@code [A-Za-z0-9._-]}, 1 to 63 characters).
     * @param role   viewer, operator or admin.
     * @param ttl    the lifetime; capped at the root's expiry.
     * @return the chain to present (the leaf).
     * @throws CertificateAuthorityException (REQUEST_REFUSED) as {@link #issue}, or for a name that is not a path
     *                                       segment or the role {@code NODE}.
     */
    public List<X509Certificate> issueOperator(final byte[] csrDer, final String name, final ApiRole role,
        final Duration ttl)
    {
        requireNonNull(role, "role");
        try
        {
            SigningService.segment(name, "operator");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, ex.getMessage(), ex);
        }
        if (role == ApiRole.NODE)
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                "role: expected viewer, operator or admin (nodes use their node SVIDs)");
        }
        return svids.issue(root, trustDomain(), requireNonNull(csrDer, "csrDer"),
            new SpiffeId(trustDomain(), "/operator/" + name), ttl,
            builder -> builder.addExtension(new ASN1ObjectIdentifier(ApiRole.OID), false,
                role.encodeValue()));
    }
}
