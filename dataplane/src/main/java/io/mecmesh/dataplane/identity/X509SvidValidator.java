package io.mecmesh.dataplane.identity;

import java.security.cert.CertPathValidator;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Validates an X.509-SVID chain (leaf first, then the signing certificates the peer sent) against a trust bundle at a
 * given instant, following the SPIFFE X.509-SVID standard:
 * <ol>
 *     <li>the leaf has exactly one URI SAN, a valid SPIFFE ID with a non-root path;</li>
 *     <li>the leaf has {@code cA=false}, a critical key usage with {@code digitalSignature} and without
 *     {@code keyCertSign} or {@code cRLSign}, and an extended key usage, if present, with both {@code serverAuth} and
 *     {@code clientAuth};</li>
 *     <li>every signing certificate in the chain has {@code cA=true} and {@code keyCertSign}, and a SPIFFE ID without
 *     path if it has one;</li>
 *     <li>RFC 5280 path validation ({@link CertPathValidator} PKIX, revocation off) to one of the bundle's
 *     certificates at the given instant, name constraints included;</li>
 *     <li>the site boundary: when a signing certificate of the chain (or the bundle certificate it is anchored to)
 *     carries a {@link SigningScope} extension (a mecmesh site intermediate carries {@code spiffe://TD/site/SITE}),
 *     the leaf's ID is at or below that ID. RFC 5280 URI name constraints cover the host only, so this is what keeps
 *     a site's intermediate, stolen or not, from minting another site's identities. A chain without the extension is
 *     judged exactly as the X.509-SVID standard says.</li>
 *     <li>the caller's {@link Expectation}: any id, an exact id, a trust domain, or a DNS name on the leaf.</li>
 * </ol>
 * The first rule broken is returned as a {@link Reason}; a broken rule is a return value, never an exception.
 * Instances are immutable and thread safe; validation allocates and is meant for the handshake, not per request.
 */
public final class X509SvidValidator
{
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String KEY_USAGE = "2.5.29.15";
    static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    static final int KU_DIGITAL_SIGNATURE = 0;
    static final int KU_KEY_CERT_SIGN = 5;
    static final int KU_CRL_SIGN = 6;

    /**
     * The rule a chain breaks, or {@link #VALID}. Exporters may use the lowercase names as counter labels.
     */
    public enum Reason
    {
        /** No rule broken. */
        VALID,
        /** The chain is empty. */
        EMPTY_CHAIN,
        /** A certificate's extensions cannot be parsed. */
        MALFORMED_CERTIFICATE,
        /** The leaf has no URI SAN (X.509-SVID 2). */
        LEAF_NO_URI_SAN,
        /** The leaf has more than one URI SAN (X.509-SVID 2, 5.2). */
        LEAF_MULTIPLE_URI_SANS,
        /** The leaf's URI SAN is not a valid SPIFFE ID (SPIFFE-ID 2). */
        LEAF_INVALID_SPIFFE_ID,
        /** The leaf's SPIFFE ID has no path (X.509-SVID 3.1, 5.2). */
        LEAF_ROOT_SPIFFE_ID,
        /** The leaf has {@code cA=true} (X.509-SVID 4.1, 5.2). */
        LEAF_CA_TRUE,
        /** The leaf has no key usage extension (X.509-SVID 4.3). */
        LEAF_NO_KEY_USAGE,
        /** The leaf's key usage extension is not critical (X.509-SVID 4.3). */
        LEAF_KEY_USAGE_NOT_CRITICAL,
        /** The leaf's key usage lacks {@code digitalSignature} (X.509-SVID 4.3). */
        LEAF_NO_DIGITAL_SIGNATURE,
        /** The leaf's key usage has {@code keyCertSign} (X.509-SVID 4.3, 5.2). */
        LEAF_KEY_CERT_SIGN,
        /** The leaf's key usage has {@code cRLSign} (X.509-SVID 4.3, 5.2). */
        LEAF_CRL_SIGN,
        /** The leaf's extended key usage lacks {@code serverAuth} or {@code clientAuth} (X.509-SVID 4.4). */
        LEAF_EXTENDED_KEY_USAGE,
        /** A signing certificate in the chain has {@code cA=false} or no basic constraints (X.509-SVID 3.2, 4.1). */
        SIGNING_CERT_NOT_CA,
        /** A signing certificate in the chain lacks {@code keyCertSign} (X.509-SVID 3.2, 4.3). */
        SIGNING_CERT_NO_KEY_CERT_SIGN,
        /** A signing certificate's SPIFFE ID has a path (X.509-SVID 3.2). */
        SIGNING_CERT_ID_HAS_PATH,
        /**
         * The leaf's SPIFFE ID is not at or below the {@link SigningScope} of a signing certificate on its path: a
         * site intermediate signed another site's identity (the mecmesh site boundary).
         */
        LEAF_OUTSIDE_SIGNING_CERT_SCOPE,
        /** A certificate on the path is expired at the validation instant. */
        EXPIRED,
        /** A certificate on the path is not yet valid at the validation instant. */
        NOT_YET_VALID,
        /** No path from the chain to a certificate of the trust bundle (unknown issuer or bad signature). */
        UNTRUSTED,
        /** A name on the path is outside a signing certificate's name constraints. */
        NAME_CONSTRAINTS_VIOLATED,
        /** RFC 5280 path validation failed for another reason (path length, unknown critical extension...). */
        PATH_INVALID,
        /** The leaf's SPIFFE ID is not the expected one. */
        SPIFFE_ID_MISMATCH,
        /** The leaf's SPIFFE ID is not in the expected trust domain. */
        TRUST_DOMAIN_MISMATCH,
        /** The leaf has no DNS SAN matching the expected DNS name. */
        DNS_NAME_MISMATCH
    }

    /**
     * The outcome of one validation.
     *
     * @param reason   {@link Reason#VALID} or the first rule broken.
     * @param spiffeId the leaf's SPIFFE ID when valid, empty otherwise.
     * @param message  one line for logs and the CLI: what was checked or what is wrong, naming the certificate.
     */
    public record Result(Reason reason, Optional<SpiffeId> spiffeId, String message)
    {
        public Result
        {
            requireNonNull(reason, "reason");
            requireNonNull(spiffeId, "spiffeId");
            requireNonNull(message, "message");
            if ((reason == Reason.VALID) != spiffeId.isPresent())
            {
                throw new IllegalArgumentException("spiffeId: present if and only if the reason is VALID");
            }
        }

        static Result valid(final SpiffeId spiffeId, final String message)
        {
            return new Result(Reason.VALID, Optional.of(spiffeId), message);
        }

        static Result invalid(final Reason reason, final String message)
        {
            return new Result(reason, Optional.empty(), message);
        }

        /**
         * Whether the chain passed every rule.
         *
         * @return true when the reason is {@link Reason#VALID}.
         */
        public boolean isValid()
        {
            return reason == Reason.VALID;
        }
    }

    /**
     * What the caller expects of the leaf beyond the X.509-SVID profile.
     */
    public sealed interface Expectation
    {
        /**
         * Any valid SPIFFE ID.
         *
         * @return the expectation.
         */
        static Expectation anyId()
        {
            return AnyId.INSTANCE;
        }

        /**
         * Exactly this SPIFFE ID.
         *
         * @param spiffeId the expected id.
         * @return the expectation.
         */
        static Expectation spiffeId(final SpiffeId spiffeId)
        {
            return new ExactId(spiffeId);
        }

        /**
         * Any SPIFFE ID in this trust domain.
         *
         * @param trustDomain the expected trust domain name.
         * @return the expectation.
         */
        static Expectation trustDomain(final String trustDomain)
        {
            return new TrustDomain(trustDomain);
        }

        /**
         * A DNS SAN on the leaf matching this host name (a leftmost {@code *} label in the SAN matches one label).
         *
         * @param dnsName the expected host name.
         * @return the expectation.
         */
        static Expectation dnsName(final String dnsName)
        {
            return new DnsName(dnsName);
        }
    }

    private enum AnyId implements Expectation
    {
        INSTANCE
    }

    private record ExactId(SpiffeId spiffeId) implements Expectation
    {
        ExactId
        {
            requireNonNull(spiffeId, "spiffeId");
        }
    }

    private record TrustDomain(String trustDomain) implements Expectation
    {
        TrustDomain
        {
            requireNonNull(trustDomain, "trustDomain");
            SpiffeId.ofTrustDomain(trustDomain);
        }
    }

    private record DnsName(String dnsName) implements Expectation
    {
        DnsName
        {
            requireNonNull(dnsName, "dnsName");
            if (dnsName.isBlank())
            {
                throw new IllegalArgumentException("dnsName: must not be empty");
            }
            dnsName = dnsName.toLowerCase(Locale.ROOT);
        }
    }

    private final List<X509Certificate> trustBundle;
    private final CertificatePaths paths;

    /**
     * A validator for one trust bundle.
     *
     * @param trustBundle the root (and possibly intermediate) certificates trusted as anchors; not empty.
     */
    public X509SvidValidator(final Collection<X509Certificate> trustBundle)
    {
        requireNonNull(trustBundle, "trustBundle");
        if (trustBundle.isEmpty())
        {
            throw new IllegalArgumentException("trustBundle: must hold at least one certificate");
        }
        this.trustBundle = List.copyOf(trustBundle);
        this.paths = new CertificatePaths(this.trustBundle);
    }

    /**
     * The trust bundle this validator anchors paths to.
     *
     * @return the certificates, immutable.
     */
    public List<X509Certificate> trustBundle()
    {
        return trustBundle;
    }

    /**
     * Validates a chain, accepting any valid SPIFFE ID.
     *
     * @param chain the leaf first, then the signing certificates sent with it.
     * @param at    the instant at which certificates must be valid.
     * @return the result.
     */
    public Result validate(final List<X509Certificate> chain, final Instant at)
    {
        return validate(chain, at, Expectation.anyId());
    }

    /**
     * Validates a chain and checks the leaf against an expectation.
     *
     * @param chain       the leaf first, then the signing certificates sent with it.
     * @param at          the instant at which certificates must be valid.
     * @param expectation what the leaf must identify.
     * @return the result.
     */
    public Result validate(final List<X509Certificate> chain, final Instant at, final Expectation expectation)
    {
        requireNonNull(chain, "chain");
        requireNonNull(at, "at");
        requireNonNull(expectation, "expectation");
        if (chain.isEmpty())
        {
            return Result.invalid(Reason.EMPTY_CHAIN, "the certificate chain is empty");
        }
        final X509Certificate leaf = chain.get(0);
        final List<String> uris;
        final List<String> dnsNames;
        try
        {
            uris = subjectAltNames(leaf, SAN_URI);
            dnsNames = subjectAltNames(leaf, SAN_DNS);
        }
        catch (final CertificateParsingException ex)
        {
            return Result.invalid(Reason.MALFORMED_CERTIFICATE, "leaf: subject alternative names cannot be parsed: " +
                ex.getMessage());
        }
        if (uris.isEmpty())
        {
            return Result.invalid(Reason.LEAF_NO_URI_SAN, "leaf: no URI SAN, an X.509-SVID has exactly one");
        }
        if (uris.size() > 1)
        {
            return Result.invalid(Reason.LEAF_MULTIPLE_URI_SANS,
                "leaf: " + uris.size() + " URI SANs " + uris + ", an X.509-SVID has exactly one");
        }
        final SpiffeId spiffeId;
        try
        {
            spiffeId = SpiffeId.parse(uris.get(0));
        }
        catch (final IllegalArgumentException ex)
        {
            return Result.invalid(Reason.LEAF_INVALID_SPIFFE_ID, "leaf: URI SAN is not a SPIFFE ID: " + ex.getMessage());
        }
        if (spiffeId.isTrustDomainId())
        {
            return Result.invalid(Reason.LEAF_ROOT_SPIFFE_ID,
                "leaf: SPIFFE ID " + spiffeId + " has no path, a leaf SVID identifies a workload");
        }

        final Result leafProblem = checkLeafConstraints(leaf, spiffeId);
        if (null != leafProblem)
        {
            return leafProblem;
        }
        for (int i = 1; i < chain.size(); i++)
        {
            final Result signingProblem = checkSigningCertificate(chain.get(i), i);
            if (null != signingProblem)
            {
                return signingProblem;
            }
        }

        final List<X509Certificate> signers = new ArrayList<>();
        final CertificatePaths.Problem pathProblem = paths.validate(chain, at, signers);
        if (null != pathProblem)
        {
            return Result.invalid(pathProblem.reason(), pathProblem.message());
        }
        final Result scopeProblem = checkSigningScopes(signers, spiffeId);
        if (null != scopeProblem)
        {
            return scopeProblem;
        }
        return checkExpectation(expectation, spiffeId, dnsNames);
    }

    private static Result checkLeafConstraints(final X509Certificate leaf, final SpiffeId spiffeId)
    {
        if (leaf.getBasicConstraints() != -1)
        {
            return Result.invalid(Reason.LEAF_CA_TRUE, "leaf " + spiffeId + ": basic constraints cA=true");
        }
        final boolean[] keyUsage = leaf.getKeyUsage();
        if (null == keyUsage)
        {
            return Result.invalid(Reason.LEAF_NO_KEY_USAGE, "leaf " + spiffeId + ": no key usage extension");
        }
        final Set<String> critical = leaf.getCriticalExtensionOIDs();
        if (null == critical || !critical.contains(KEY_USAGE))
        {
            return Result.invalid(
                Reason.LEAF_KEY_USAGE_NOT_CRITICAL, "leaf " + spiffeId + ": key usage extension is not critical");
        }
        if (!bit(keyUsage, KU_DIGITAL_SIGNATURE))
        {
            return Result.invalid(
                Reason.LEAF_NO_DIGITAL_SIGNATURE, "leaf " + spiffeId + ": key usage lacks digitalSignature");
        }
        if (bit(keyUsage, KU_KEY_CERT_SIGN))
        {
            return Result.invalid(Reason.LEAF_KEY_CERT_SIGN, "leaf " + spiffeId + ": key usage has keyCertSign");
        }
        if (bit(keyUsage, KU_CRL_SIGN))
        {
            return Result.invalid(Reason.LEAF_CRL_SIGN, "leaf " + spiffeId + ": key usage has cRLSign");
        }
        final List<String> extendedKeyUsage;
        try
        {
            extendedKeyUsage = leaf.getExtendedKeyUsage();
        }
        catch (final CertificateParsingException ex)
        {
            return Result.invalid(Reason.MALFORMED_CERTIFICATE,
                "leaf " + spiffeId + ": extended key usage cannot be parsed: " + ex.getMessage());
        }
        if (null != extendedKeyUsage &&
            (!extendedKeyUsage.contains(SERVER_AUTH) || !extendedKeyUsage.contains(CLIENT_AUTH)))
        {
            return Result.invalid(Reason.LEAF_EXTENDED_KEY_USAGE,
                "leaf " + spiffeId + ": extended key usage " + extendedKeyUsage + " lacks serverAuth or clientAuth");
        }
        return null;
    }

    private static Result checkSigningCertificate(final X509Certificate certificate, final int index)
    {
        final String name = "signing certificate " + index + " (" + certificate.getSubjectX500Principal() + ")";
        if (certificate.getBasicConstraints() == -1)
        {
            return Result.invalid(Reason.SIGNING_CERT_NOT_CA, name + ": basic constraints cA is not true");
        }
        final boolean[] keyUsage = certificate.getKeyUsage();
        if (null == keyUsage || !bit(keyUsage, KU_KEY_CERT_SIGN))
        {
            return Result.invalid(Reason.SIGNING_CERT_NO_KEY_CERT_SIGN, name + ": key usage lacks keyCertSign");
        }
        try
        {
            for (final String uri : subjectAltNames(certificate, SAN_URI))
            {
                if (uri.startsWith(SpiffeId.PREFIX) && uri.indexOf('/', SpiffeId.PREFIX.length()) >= 0)
                {
                    return Result.invalid(Reason.SIGNING_CERT_ID_HAS_PATH,
                        name + ": SPIFFE ID " + uri + " has a path, a signing certificate's must not");
                }
            }
        }
        catch (final CertificateParsingException ex)
        {
            return Result.invalid(
                Reason.MALFORMED_CERTIFICATE, name + ": subject alternative names cannot be parsed: " + ex.getMessage());
        }
        return null;
    }

    /**
     * The site boundary: a signing certificate with a {@link SigningScope} signs only IDs at or below it.
     */
    private static Result checkSigningScopes(final List<X509Certificate> signers, final SpiffeId leafId)
    {
        for (final X509Certificate certificate : signers)
        {
            final Optional<SpiffeId> scope;
            try
            {
                scope = SigningScope.of(certificate);
            }
            catch (final IllegalArgumentException ex)
            {
                return Result.invalid(Reason.MALFORMED_CERTIFICATE, "signing certificate "
                    + certificate.getSubjectX500Principal() + ": " + ex.getMessage());
            }
            if (scope.isPresent() && !leafId.isUnder(scope.get()))
            {
                return Result.invalid(Reason.LEAF_OUTSIDE_SIGNING_CERT_SCOPE, "leaf: SPIFFE ID " + leafId
                    + " is outside " + scope.get() + ", the signing scope of its signing certificate "
                    + certificate.getSubjectX500Principal() + ": a site intermediate signs only IDs at or below it");
            }
        }
        return null;
    }

    private static Result checkExpectation(
        final Expectation expectation, final SpiffeId spiffeId, final List<String> dnsNames)
    {
        if (expectation instanceof ExactId exact && !exact.spiffeId().equals(spiffeId))
        {
            return Result.invalid(Reason.SPIFFE_ID_MISMATCH, "leaf: SPIFFE ID " + spiffeId + ", expected " +
                exact.spiffeId());
        }
        if (expectation instanceof TrustDomain domain && !domain.trustDomain().equals(spiffeId.trustDomain()))
        {
            return Result.invalid(Reason.TRUST_DOMAIN_MISMATCH, "leaf: SPIFFE ID " + spiffeId +
                " is not in trust domain " + domain.trustDomain());
        }
        if (expectation instanceof DnsName dns && !TlsServerChainValidator.matchesAny(dnsNames, dns.dnsName()))
        {
            return Result.invalid(Reason.DNS_NAME_MISMATCH, "leaf " + spiffeId + ": DNS SANs " + dnsNames +
                " do not match " + dns.dnsName());
        }
        return Result.valid(spiffeId, "valid X.509-SVID " + spiffeId);
    }

    static List<String> subjectAltNames(final X509Certificate certificate, final int type)
        throws CertificateParsingException
    {
        final Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (null == names)
        {
            return List.of();
        }
        final List<String> values = new ArrayList<>();
        for (final List<?> name : names)
        {
            if (name.size() >= 2 && Integer.valueOf(type).equals(name.get(0)) && name.get(1) instanceof String value)
            {
                values.add(value);
            }
        }
        return values;
    }

    static boolean bit(final boolean[] bits, final int index)
    {
        return index < bits.length && bits[index];
    }
}
