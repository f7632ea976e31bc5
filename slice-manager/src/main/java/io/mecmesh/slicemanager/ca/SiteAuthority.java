package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A site's own issuer: a site intermediate (made by {@link CertificateAuthority#createSiteIntermediate}) with its
 * key, and the trust bundle, so that a site issues X.509-SVIDs for its own workloads while the control plane (and
 * the root key) is out of reach. The files, in one directory (written by {@link #write}, read by {@link #load}):
 * <ul>
 *     <li>{@code site-ca.p12}: the intermediate's certificate and key, encrypted with the site CA's own passphrase
 *     (not the root's), mode 0600;</li>
 *     <li>{@code site-ca-previous.p12}: the intermediate before the last {@link #rotate}, until {@link #finishRotation};</li>
 *     <li>{@code chain.pem}: the intermediate's certificate;</li>
 *     <li>{@code bundle.pem}: the roots that validate its SVIDs;</li>
 *     <li>{@code issued.log}: every SVID it issued ({@link IssuedLog}).</li>
 * </ul>
 * It issues only IDs strictly below its scope ({@code spiffe://TD/site/SITE/...}) and not below
 * {@code spiffe://TD/site/SITE/node/} (node identities come from the control plane's CA only): anything else, another
 * site's workloads, the site ID itself or another trust domain, is refused (FORBIDDEN) with the reason. Leaves follow
 * the same profile and come from the same issuing code as the CA's.
 * <p>
 * It follows its files while it runs: before each issuance it compares {@code site-ca.p12} and {@code bundle.pem}
 * with what it loaded (one {@code stat} each) and reloads what changed, so a rotated intermediate is used without a
 * restart. With a bundle source (the node identity's bundle, which the control plane refreshes with each SVID), a
 * changed bundle replaces {@code bundle.pem}, so the site follows a root rotation. An intermediate that no root of the
 * bundle signed any more (the root rotation was finished before the intermediate was rotated) issues nothing
 * (UNAVAILABLE) until it is rotated.
 * <p>
 * Thread safe.
 */
public final class SiteAuthority
{
    /** The encrypted key store of the site intermediate. */
    public static final String KEY_STORE_FILE = "site-ca.p12";

    /** The encrypted key store of the intermediate before the last rotation, until it is finished. */
    public static final String PREVIOUS_KEY_STORE_FILE = "site-ca-previous.p12";

    /** The intermediate's certificate, PEM. */
    public static final String CHAIN_FILE = "chain.pem";

    /** The roots, PEM. */
    public static final String BUNDLE_FILE = CaKeyStore.BUNDLE_FILE;

    /** The environment variable holding the site key store's passphrase when no passphrase file is given. */
    public static final String PASSPHRASE_VARIABLE = "MECMESH_SITE_CA_PASSPHRASE";

    private static final String NODE_SEGMENT = "/node";

    private static final Logger LOG = LoggerFactory.getLogger(SiteAuthority.class);

    private final Path directory;
    private final char[] passphrase;
    private final Supplier<List<X509Certificate>> bundleSource;
    private final SvidIssuer svids;
    private final Duration ttl;
    private final AtomicLong reloads = new AtomicLong();
    private volatile State state;
    private Object failedStamp;

    private record State(SigningAuthority intermediate, Object keyStoreStamp, List<X509Certificate> bundle,
        Object bundleStamp)
    {
    }

    private SiteAuthority(final Path directory, final char[] passphrase, final InstantSource clock,
        final Duration ttl, final Supplier<List<X509Certificate>> bundleSource)
    {
        SvidIssuer.requirePositive(ttl, "ttl");
        this.directory = directory;
        this.passphrase = passphrase.clone();
        this.bundleSource = bundleSource;
        this.ttl = ttl;
        final Object keyStoreStamp = CaDirectory.stamp(directory.resolve(KEY_STORE_FILE));
        final SigningAuthority intermediate = CaKeyStore.readSiteIntermediate(directory.resolve(KEY_STORE_FILE),
            passphrase);
        final Object bundleStamp = CaDirectory.stamp(directory.resolve(BUNDLE_FILE));
        final List<X509Certificate> roots = readBundle(directory.resolve(BUNDLE_FILE));
        if (roots.stream().noneMatch(root -> signedBy(intermediate.certificate(), root)))
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, directory.resolve(BUNDLE_FILE) + ": no root "
                + "in it signed the site intermediate " + intermediate.certificate().getSubjectX500Principal());
        }
        this.svids = new SvidIssuer(clock, new SecureRandom(), IssuedLog.open(directory.resolve(IssuedLog.FILE)));
        this.state = new State(intermediate, keyStoreStamp, roots, bundleStamp);
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
            // the bundle first, so that a running site CA never sees an intermediate its bundle cannot validate
            CaDirectory.writeBundle(dir.resolve(BUNDLE_FILE), roots);
            Files.writeString(dir.resolve(CHAIN_FILE), Pem.encodeCertificates(intermediate.chain()));
            CaKeyStore.writeSiteIntermediate(dir.resolve(KEY_STORE_FILE), intermediate, passphrase);
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
     * @param passphrase the key store's passphrase (copied, kept for reloads).
     * @param clock      the time source.
     * @param ttl        the lifetime of the SVIDs it issues (capped at the intermediate's expiry).
     * @return the site authority.
     * @throws CertificateAuthorityException (KEY_STORE) naming the file: missing, permissions, passphrase, or an
     *                                       intermediate that no root of the bundle signed.
     */
    public static SiteAuthority load(final Path dir, final char[] passphrase, final InstantSource clock,
        final Duration ttl)
    {
        return load(dir, passphrase, clock, ttl, List::of);
    }

    /**
     * Loads a site intermediate that follows a bundle source: when the source gives a bundle (not empty) other than
     * the one in use, it replaces {@code bundle.pem}.
     *
     * @param dir          the directory.
     * @param passphrase   the key store's passphrase (copied, kept for reloads).
     * @param clock        the time source.
     * @param ttl          the lifetime of the SVIDs it issues (capped at the intermediate's expiry).
     * @param bundleSource the current trust bundle, for example the node identity's; empty when unknown.
     * @return the site authority.
     * @throws CertificateAuthorityException (KEY_STORE) naming the file: missing, permissions, passphrase, or an
     *                                       intermediate that no root of the bundle signed.
     */
    public static SiteAuthority load(final Path dir, final char[] passphrase, final InstantSource clock,
        final Duration ttl, final Supplier<List<X509Certificate>> bundleSource)
    {
        requireNonNull(dir, "dir");
        requireNonNull(passphrase, "passphrase");
        requireNonNull(clock, "clock");
        requireNonNull(bundleSource, "bundleSource");
        return new SiteAuthority(dir, passphrase, clock, ttl, bundleSource);
    }

    /**
     * Replaces a site's intermediate with a new one (signed by the current root), keeping the old key store as
     * {@link #PREVIOUS_KEY_STORE_FILE} until {@link #finishRotation}: SVIDs of the old intermediate keep validating
     * (they chain to the same roots) until they expire. A running {@link SiteAuthority} on this directory issues
     * with the new one from its next issuance.
     *
     * @param dir          the site CA's directory.
     * @param intermediate the new intermediate, for the same site.
     * @param roots        the roots that validate it (the CA's bundle).
     * @param passphrase   the site key store's passphrase.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) without a site CA in {@code dir}, with a rotation
     *                                       in progress, or for another site; (KEY_STORE) if a file cannot be written.
     */
    public static void rotate(final Path dir, final SigningAuthority intermediate, final List<X509Certificate> roots,
        final char[] passphrase)
    {
        requireNonNull(dir, "dir");
        requireNonNull(intermediate, "intermediate");
        final Path current = dir.resolve(KEY_STORE_FILE);
        final Path previous = dir.resolve(PREVIOUS_KEY_STORE_FILE);
        if (!Files.isRegularFile(current))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, current + " does not exist: no site CA "
                + "to rotate; create it with mecmesh cert intermediate");
        }
        if (Files.exists(previous))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, previous + " exists: a rotation of "
                + "this site CA is in progress; finish it first with cert intermediate --finish");
        }
        final SigningAuthority old = CaKeyStore.readSiteIntermediate(current, passphrase);
        if (!old.scope().equals(intermediate.scope()))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, dir + " holds the site CA of "
                + old.scope() + ", not of " + intermediate.scope());
        }
        CaKeyStore.writeSiteIntermediate(previous, old, passphrase);
        write(dir, intermediate, roots, passphrase);
    }

    /**
     * Ends an intermediate rotation: deletes {@link #PREVIOUS_KEY_STORE_FILE}.
     *
     * @param dir the site CA's directory.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) if no rotation is in progress.
     */
    public static void finishRotation(final Path dir)
    {
        final Path previous = requireNonNull(dir, "dir").resolve(PREVIOUS_KEY_STORE_FILE);
        try
        {
            if (!Files.deleteIfExists(previous))
            {
                throw new CertificateAuthorityException(Category.REQUEST_REFUSED, previous + " does not exist: no "
                    + "rotation of this site CA in progress to finish");
            }
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, previous + ": cannot delete: " + ex, ex);
        }
    }

    /**
     * @return the subtree this site issues for, e.g. {@code spiffe://mesh.example/site/edge-1}.
     */
    public SpiffeId scope()
    {
        return state.intermediate().scope();
    }

    /**
     * @return the roots that validate the SVIDs it issues.
     */
    public List<X509Certificate> bundle()
    {
        return state.bundle();
    }

    /**
     * @return the site intermediate in use.
     */
    public SigningAuthority intermediate()
    {
        return state.intermediate();
    }

    /**
     * @return how many times the intermediate or the bundle was reloaded or replaced since {@link #load}.
     */
    public long reloads()
    {
        return reloads.get();
    }

    /**
     * @return when the site intermediate expires; no SVID is valid after it.
     */
    public Instant notAfter()
    {
        return state.intermediate().certificate().getNotAfter().toInstant();
    }

    /**
     * Issues an SVID for one of the site's workloads.
     *
     * @param csrDer   the DER-encoded PKCS#10 request, signed by the workload's key.
     * @param spiffeId an ID strictly below the site's scope.
     * @return the leaf followed by the site intermediate.
     * @throws CertificateAuthorityException FORBIDDEN (the ID is outside the site, or a node ID), REQUEST_REFUSED
     *                                       (the CSR breaks the profile) or UNAVAILABLE (the intermediate has expired
     *                                       or no root of the bundle signed it).
     */
    public List<X509Certificate> issue(final byte[] csrDer, final SpiffeId spiffeId)
    {
        requireNonNull(csrDer, "csrDer");
        requireNonNull(spiffeId, "spiffeId");
        final State current = refresh();
        final SpiffeId scope = current.intermediate().scope();
        if (!spiffeId.isUnder(scope) || spiffeId.equals(scope))
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "spiffeId: " + spiffeId
                + " is outside this site's scope " + scope + "/: a site issues only for its own workloads");
        }
        if (spiffeId.isUnder(new SpiffeId(scope.trustDomain(), scope.path() + NODE_SEGMENT)))
        {
            throw new CertificateAuthorityException(Category.FORBIDDEN, "spiffeId: " + spiffeId + " is a node "
                + "identity (below " + scope + NODE_SEGMENT + "/): node identities come from the control plane's CA only");
        }
        if (!svids.clock().instant().isBefore(notAfter()))
        {
            throw new CertificateAuthorityException(Category.UNAVAILABLE, "the site intermediate expired at "
                + notAfter() + "; create a new one with mecmesh cert intermediate --rotate");
        }
        if (current.bundle().stream().noneMatch(root -> signedBy(current.intermediate().certificate(), root)))
        {
            throw new CertificateAuthorityException(Category.UNAVAILABLE, "the site intermediate "
                + current.intermediate().certificate().getSerialNumber().toString(16) + " is signed by no root of the "
                + "trust bundle (the root was rotated): its SVIDs would not validate; rotate it with mecmesh cert "
                + "intermediate --rotate");
        }
        return svids.issue(current.intermediate(), scope.trustDomain(), csrDer, spiffeId, ttl);
    }

    /**
     * Takes up what changed: a bundle from the source, then {@code site-ca.p12} and {@code bundle.pem} on disk.
     *
     * @return the state to issue with.
     */
    private State refresh()
    {
        final List<X509Certificate> offered = bundleSource.get();
        final Object keyStoreStamp = CaDirectory.stamp(directory.resolve(KEY_STORE_FILE));
        final Object bundleStamp = CaDirectory.stamp(directory.resolve(BUNDLE_FILE));
        final State seen = state;
        if ((offered == null || offered.isEmpty() || offered.equals(seen.bundle()))
            && Objects.equals(keyStoreStamp, seen.keyStoreStamp()) && Objects.equals(bundleStamp, seen.bundleStamp()))
        {
            return seen;
        }
        synchronized (this)
        {
            State next = state;
            if (offered != null && !offered.isEmpty() && !offered.equals(next.bundle()))
            {
                final Path bundleFile = directory.resolve(BUNDLE_FILE);
                try
                {
                    CaDirectory.writeBundle(bundleFile, offered);
                    LOG.info("site CA {}: {} replaced by the node identity's trust bundle ({} roots)", next
                        .intermediate().scope(), bundleFile, offered.size());
                }
                catch (final CertificateAuthorityException ex)
                {
                    LOG.warn("site CA {}: using the node identity's trust bundle, but {}", next.intermediate().scope(),
                        ex.getMessage());
                }
                next = new State(next.intermediate(), next.keyStoreStamp(), List.copyOf(offered),
                    CaDirectory.stamp(bundleFile));
                reloads.incrementAndGet();
            }
            final Object bundleNow = CaDirectory.stamp(directory.resolve(BUNDLE_FILE));
            if (!Objects.equals(bundleNow, next.bundleStamp()) && bundleNow != null)
            {
                try
                {
                    next = new State(next.intermediate(), next.keyStoreStamp(),
                        readBundle(directory.resolve(BUNDLE_FILE)), bundleNow);
                    reloads.incrementAndGet();
                }
                catch (final CertificateAuthorityException ex)
                {
                    LOG.warn("site CA {}: keeping the bundle loaded before: {}", next.intermediate().scope(),
                        ex.getMessage());
                    next = new State(next.intermediate(), next.keyStoreStamp(), next.bundle(), bundleNow);
                }
            }
            final Object keyStoreNow = CaDirectory.stamp(directory.resolve(KEY_STORE_FILE));
            if (!Objects.equals(keyStoreNow, next.keyStoreStamp()) && keyStoreNow != null
                && !Objects.equals(keyStoreNow, failedStamp))
            {
                try
                {
                    final SigningAuthority intermediate = CaKeyStore.readSiteIntermediate(
                        directory.resolve(KEY_STORE_FILE), passphrase);
                    next = new State(intermediate, keyStoreNow, next.bundle(), next.bundleStamp());
                    reloads.incrementAndGet();
                    LOG.info("site CA {}: intermediate reloaded, now issuing with {} valid until {}",
                        intermediate.scope(), intermediate.certificate().getSerialNumber().toString(16),
                        intermediate.certificate().getNotAfter().toInstant());
                }
                catch (final CertificateAuthorityException ex)
                {
                    failedStamp = keyStoreNow;
                    LOG.warn("site CA {}: {} changed but cannot be loaded; still issuing with the intermediate loaded "
                        + "before: {}", next.intermediate().scope(), directory.resolve(KEY_STORE_FILE),
                        ex.getMessage());
                }
            }
            state = next;
            return next;
        }
    }

    private static List<X509Certificate> readBundle(final Path bundleFile)
    {
        try
        {
            return Pem.readCertificates(bundleFile);
        }
        catch (final DataPlaneException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, bundleFile + ": " + ex.getMessage(), ex);
        }
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
