package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A site's own issuer: a site intermediate (made by {@link CertificateAuthority#createSiteIntermediate}) with its
 * key, and the trust bundle, so that a site issues X.509-SVIDs for its own workloads while the control plane (and
 * the root key) is out of reach. The files, in one directory (written by {@link #write}, read by {@link #load}):
 * <ul>
 *     <li>{@code site-ca.p12}: the intermediate's certificate and key, encrypted with a passphrase, mode 0600;</li>
 *     <li>{@code chain.pem}: the intermediate's certificate;</li>
 *     <li>{@code bundle.pem}: the roots that validate its SVIDs.</li>
 * </ul>
 * It issues only IDs strictly below its scope ({@code spiffe://TD/site/SITE/...}): anything else, another site's
 * workloads, the site ID itself or another trust domain, is refused (FORBIDDEN) with the reason. Leaves follow the
 * same profile and come from the same issuing code as the CA's.
 * <p>
 * Thread safe.
 */
public final class SiteAuthority
{
    /** The encrypted key store of the site intermediate. */
    public static final String KEY_STORE_FILE = "site-ca.p12";

    /** The intermediate's certificate, PEM. */
    public static final String CHAIN_FILE = "chain.pem";

    /** The roots, PEM. */
    public static final String BUNDLE_FILE = CaKeyStore.BUNDLE_FILE;

    private final SigningAuthority intermediate;
    private final List<X509Certificate> bundle;
    private final SvidIssuer svids;
    private final Duration ttl;

    private SiteAuthority(final SigningAuthority intermediate, final List<X509Certificate> bundle,
        final InstantSource clock, final Duration ttl)
    {
        this.intermediate = intermediate;
        this.bundle = List.copyOf(bundle);
        this.svids = new SvidIssuer(clock, new SecureRandom(), List.of());
        SvidIssuer.requirePositive(ttl, "ttl");
        this.ttl = ttl;
    }

    /**
     * The scope of a site: {@code spiffe://<trust-domain>/site/<site>}.
     *
     * @param trustDomain the trust domain.
     * @param site        the site's name, a path segment {@code [A-Za-z0-9._-]{1,63}}.
     * @return the scope.
     * @throws IllegalArgumentException naming the site if it is not a valid path segment.
     */
    public static SpiffeId siteScope(final String trustDomain, final String site)
    {
        requireNonNull(trustDomain, "trustDomain");
        SigningService.segment(site, "site");
        return new SpiffeId(trustDomain, "/site/" + site);
    }

    /**
     * Writes a site intermediate's files into {@code dir} (created if needed).
     *
     * @param dir          the directory.
     * @param intermediate the site intermediate.
     * @param roots        the roots that validate it (the CA's bundle, both roots during a rotation).
     * @param passphrase   the passphrase encrypting the key store.
     * @throws CertificateAuthorityException (KEY_STORE) if a file cannot be written.
     */
    public static void write(final Path dir, final SigningAuthority intermediate, final List<X509Certificate> roots,
        final char[] passphrase)
    {
        requireNonNull(dir, "dir");
        requireNonNull(intermediate, "intermediate");
        requireNonNull(roots, "roots");
        try
        {
            Files.createDirectories(dir);
            CaKeyStore.writeSiteIntermediate(dir.resolve(KEY_STORE_FILE), intermediate, passphrase);
            Files.writeString(dir.resolve(CHAIN_FILE), Pem.encodeCertificates(intermediate.chain()));
            Files.writeString(dir.resolve(BUNDLE_FILE), Pem.encodeCertificates(roots));
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, dir + ": cannot write the site CA: " + ex, ex);
        }
    }

    /**
     * Loads a site intermediate written by {@link #write}, without the root key.
     *
     * @param dir        the directory.
     * @param passphrase the key store's passphrase.
     * @param clock      the time source.
     * @param ttl        the lifetime of the SVIDs it issues (capped at the intermediate's expiry).
     * @return the site authority.
     * @throws CertificateAuthorityException (KEY_STORE) naming the file: missing, permissions, passphrase, or an
     *                                       intermediate that no root of the bundle signed.
     */
    public static SiteAuthority load(final Path dir, final char[] passphrase, final InstantSource clock,
        final Duration ttl)
    {
        requireNonNull(dir, "dir");
        requireNonNull(clock, "clock");
        final SigningAuthority intermediate = CaKeyStore.readSiteIntermediate(dir.resolve(KEY_STORE_FILE), passphrase);
        final Path bundleFile = dir.resolve(BUNDLE_FILE);
        final List<X509Certificate> roots;
        try
        {
            roots = Pem.readCertificates(bundleFile);
        }
        catch (final DataPlaneException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, bundleFile + ": " + ex.getMessage(), ex);
        }
        if (roots.stream().noneMatch(root -> signedBy(intermediate.certificate(), root)))
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, bundleFile + ": no root in it signed the site "
                + "intermediate " + intermediate.certificate().getSubjectX500Principal());
        }
        return new SiteAuthority(intermediate, roots, clock, ttl);
    }

    /**
     * @return the subtree this site issues for, e.g. {@code spiffe://mesh.example/site/edge-1}.
     */
    public SpiffeId scope()
    {
        return intermediate.scope();
    }

    /**
     * @return the roots that validate the SVIDs it issues.
     */
    public List<X509Certificate> bundle()
    {
        return bundle;
    }

    /**
     * @return when the site intermediate expires; no SVID is valid after it.
     */
    public Instant notAfter()
    {
        return intermediate.certificate().getNotAfter().toInstant();
    }

    /**
     * Issues an SVID for one of the site's workloads.
     *
     * @param csrDer   the DER-encoded PKCS#10 request, signed by the workload's key.
     * @param spiffeId an ID strictly below the site's scope.
     * @return the leaf followed by the site intermediate.
     * @throws CertificateAuthorityException FORBIDDEN (the ID is outside the site), REQUEST_REFUSED (the CSR breaks
     *                                       the profile) or UNAVAILABLE (the intermediate has expired).
     */
    public List<X509Certificate> issue(final byte[] csrDer, final SpiffeId spiffeId)
    {
        requireNonNull(csrDer, "csrDer");
        requireNonNull(spiffeId, "spiffeId");
        if (!spiffeId.isUnder(scope()) || spiffeId.equals(scope()))
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "spiffeId: " + spiffeId
                + " is outside this site's scope " + scope() + "/: a site issues only for its own workloads");
        }
        if (!svids.clock().instant().isBefore(notAfter()))
        {
            throw new CertificateAuthorityException(Category.UNAVAILABLE, "the site intermediate expired at "
                + notAfter() + "; create a new one with mecmesh cert intermediate");
        }
        return svids.issue(intermediate, scope().trustDomain(), csrDer, spiffeId, ttl);
    }

    private static boolean signedBy(final X509Certificate certificate, final X509Certificate root)
    {
        if (!certificate.getIssuerX500Principal().equals(root.getSubjectX500Principal()))
        {
            return false;
        }
        try
        {
            certificate.verify(root.getPublicKey());
            return true;
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    @Override
    public String toString()
    {
        return "SiteAuthority[scope=" + scope() + ", notAfter=" + notAfter() + "]";
    }
}
