package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * A CA directory ({@code mecmesh cert init}) and the CA running from it, following the files while it runs:
 * <ul>
 *     <li>{@code ca.p12}: the signing root, encrypted (0600); after {@code mecmesh cert rotate} the new root;</li>
 *     <li>{@code ca-previous.p12}: the old root during a rotation's overlap;</li>
 *     <li>{@code bundle.pem}: the roots to trust (both during the overlap, new first);</li>
 *     <li>{@code issued.log}: every certificate issued ({@link IssuedLog}).</li>
 * </ul>
 * {@link #authority()} compares the root file's identity (file key, size, modification time: one {@code stat}) with
 * the one it loaded at each call and reloads the root when it changed, so a running control plane signs with the new
 * root as soon as {@code cert rotate} has renamed it into place, without a restart. A root file that cannot be read
 * (a wrong passphrase) leaves the loaded root in use and is logged once per change. The passphrase stays in memory
 * for those reloads. The static methods are the operator's steps ({@code init}, {@code rotate}, {@code --finish}),
 * each leaving the directory consistent after every rename.
 * <p>
 * Thread safe.
 */
public final class CaDirectory
{
    /** The old root during a rotation's overlap. */
    public static final String PREVIOUS_ROOT_FILE = "ca-previous.p12";

    static final String NEXT_ROOT_FILE = "ca-next.p12";

    private static final Logger LOG = LoggerFactory.getLogger(CaDirectory.class);

    private final Path directory;
    private final char[] passphrase;
    private final InstantSource clock;
    private final IssuedLog issued;
    private final AtomicLong reloads = new AtomicLong();
    private volatile Loaded loaded;
    private Object failedStamp;

    private record Loaded(CertificateAuthority authority, Object stamp)
    {
    }

    private record Stamp(Object fileKey, long size, long modifiedNs)
    {
    }

    private CaDirectory(final Path directory, final char[] passphrase, final InstantSource clock)
    {
        this.directory = directory;
        this.passphrase = passphrase.clone();
        this.clock = clock;
        this.issued = IssuedLog.open(directory.resolve(IssuedLog.FILE));
        final Object stamp = stamp(rootFile());
        this.loaded = new Loaded(CertificateAuthority.load(CaKeyStore.readRoot(rootFile(), this.passphrase), clock,
            issued), stamp);
    }

    /**
     * Opens a CA directory and loads its root.
     *
     * @param directory  the directory made by {@link #init}.
     * @param passphrase the key store's passphrase (copied, kept for reloads).
     * @param clock      the time source.
     * @return the running CA.
     * @throws CertificateAuthorityException (KEY_STORE) naming the file that cannot be read.
     */
    public static CaDirectory open(final Path directory, final char[] passphrase, final InstantSource clock)
    {
        requireNonNull(directory, "directory");
        requireNonNull(passphrase, "passphrase");
        requireNonNull(clock, "clock");
        return new CaDirectory(directory, passphrase, clock);
    }

    /**
     * The CA with the current root: reloaded first when {@code ca.p12} changed since it was loaded.
     *
     * @return the CA.
     */
    public CertificateAuthority authority()
    {
        final Loaded current = loaded;
        final Object stamp = stamp(rootFile());
        if (Objects.equals(stamp, current.stamp()) || stamp == null)
        {
            return current.authority();
        }
        synchronized (this)
        {
            if (!Objects.equals(stamp, loaded.stamp()) && !Objects.equals(stamp, failedStamp))
            {
                try
                {
                    final SigningAuthority root = CaKeyStore.readRoot(rootFile(), passphrase);
                    loaded = new Loaded(CertificateAuthority.load(root, clock, issued), stamp);
                    reloads.incrementAndGet();
                    LOG.info("CA root reloaded from {}: now signing with root {} valid until {}", rootFile(),
                        root.certificate().getSerialNumber().toString(16), root.certificate().getNotAfter().toInstant());
                }
                catch (final CertificateAuthorityException ex)
                {
                    failedStamp = stamp;
                    LOG.warn("{} changed but cannot be loaded; still signing with the root loaded before: {}",
                        rootFile(), ex.getMessage());
                }
            }
            return loaded.authority();
        }
    }

    /**
     * The roots to hand out with each SVID: {@code bundle.pem}, read at each call (both roots during a rotation), or
     * the current root when the file is missing.
     *
     * @return the trust bundle.
     */
    public List<X509Certificate> trustBundle()
    {
        final Path bundle = directory.resolve(CaKeyStore.BUNDLE_FILE);
        try
        {
            return Files.exists(bundle) ? Pem.readCertificates(bundle) : authority().trustBundle();
        }
        catch (final DataPlaneException ex)
        {
            throw new CertificateAuthorityException(Category.UNAVAILABLE, bundle + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the log of the certificates issued from this directory.
     */
    public IssuedLog issued()
    {
        return issued;
    }

    /**
     * @return how many times the root was reloaded since {@link #open}.
     */
    public long reloads()
    {
        return reloads.get();
    }

    /**
     * @return the directory.
     */
    public Path directory()
    {
        return directory;
    }

    private Path rootFile()
    {
        return directory.resolve(CaKeyStore.ROOT_FILE);
    }

    /**
     * Creates a CA directory: a new root, {@code ca.p12}, {@code bundle.pem} and {@code issued.log} (the root's
     * line first).
     *
     * @param directory   the directory (created if needed).
     * @param trustDomain the trust domain.
     * @param rootTtl     the root's lifetime.
     * @param passphrase  the key store's passphrase.
     * @param clock       the time source.
     * @return the new root.
     * @throws CertificateAuthorityException (KEY_STORE) if a file cannot be written.
     */
    public static SigningAuthority init(final Path directory, final String trustDomain, final Duration rootTtl,
        final char[] passphrase, final InstantSource clock)
    {
        requireNonNull(directory, "directory");
        final CertificateAuthority ca = CertificateAuthority.generate(trustDomain, rootTtl, clock);
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, directory + ": cannot create: " + ex, ex);
        }
        IssuedLog.open(directory.resolve(IssuedLog.FILE)).record(ca.root().certificate(),
            ca.root().certificate().getSerialNumber());
        CaKeyStore.writeRoot(directory.resolve(CaKeyStore.ROOT_FILE), ca.root(), passphrase);
        writeBundle(directory.resolve(CaKeyStore.BUNDLE_FILE), ca.trustBundle());
        return ca.root();
    }

    /**
     * The first step of a root rotation: a new root for the same trust domain becomes {@code ca.p12} (a running
     * {@link CaDirectory} signs with it from its next call), the old one is kept as {@code ca-previous.p12} and
     * {@code bundle.pem} trusts both, the new first. The bundle is written before the new root is renamed into
     * place, so nothing is ever signed by a root that the bundle lacks.
     *
     * @param directory  the CA directory.
     * @param passphrase the key stores' passphrase.
     * @param rootTtl    the new root's lifetime.
     * @param clock      the time source.
     * @return the new root.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) if a rotation is in progress, (KEY_STORE) if a file
     *                                       cannot be read or written.
     */
    public static SigningAuthority rotateRoot(final Path directory, final char[] passphrase, final Duration rootTtl,
        final InstantSource clock)
    {
        final Path current = directory.resolve(CaKeyStore.ROOT_FILE);
        final Path previous = directory.resolve(PREVIOUS_ROOT_FILE);
        final SigningAuthority root = CaKeyStore.readRoot(current, passphrase);
        if (Files.exists(previous))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, previous
                + " exists: a rotation is in progress; finish it first with cert rotate --finish");
        }
        final CertificateAuthority next = CertificateAuthority.generate(root.scope().trustDomain(), rootTtl, clock);
        IssuedLog.open(directory.resolve(IssuedLog.FILE)).record(next.root().certificate(),
            next.root().certificate().getSerialNumber());
        final Path staged = directory.resolve(NEXT_ROOT_FILE);
        CaKeyStore.writeRoot(staged, next.root(), passphrase);
        CaKeyStore.writeRoot(previous, root, passphrase);
        writeBundle(directory.resolve(CaKeyStore.BUNDLE_FILE), List.of(next.root().certificate(),
            root.certificate()));
        move(staged, current);
        return next.root();
    }

    /**
     * The second step of a root rotation: {@code bundle.pem} trusts only the current root and
     * {@code ca-previous.p12} is deleted.
     *
     * @param directory  the CA directory.
     * @param passphrase the key store's passphrase.
     * @return the root that remains.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) if no rotation is in progress.
     */
    public static SigningAuthority finishRootRotation(final Path directory, final char[] passphrase)
    {
        final Path previous = directory.resolve(PREVIOUS_ROOT_FILE);
        final SigningAuthority root = CaKeyStore.readRoot(directory.resolve(CaKeyStore.ROOT_FILE), passphrase);
        if (!Files.exists(previous))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED,
                previous + " does not exist: no rotation in progress to finish");
        }
        writeBundle(directory.resolve(CaKeyStore.BUNDLE_FILE), List.of(root.certificate()));
        try
        {
            Files.delete(previous);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, previous + ": cannot delete: " + ex, ex);
        }
        return root;
    }

    /**
     * Replaces a bundle atomically (temporary file, rename), readable by all: it holds no secret.
     *
     * @param bundle the bundle file.
     * @param roots  the certificates.
     * @throws CertificateAuthorityException (KEY_STORE) if it cannot be written.
     */
    public static void writeBundle(final Path bundle, final List<X509Certificate> roots)
    {
        Path temporary = null;
        try
        {
            temporary = Files.createTempFile(bundle.toAbsolutePath().getParent(), ".bundle.", ".tmp");
            Files.writeString(temporary, Pem.encodeCertificates(roots));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, bundle, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, bundle + ": cannot write: " + ex, ex);
        }
        finally
        {
            deleteQuietly(temporary);
        }
    }

    static void move(final Path from, final Path to)
    {
        try
        {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, from + ": cannot rename to " + to + ": " + ex,
                ex);
        }
    }

    private static void deleteQuietly(final Path file)
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignore)
            {
                // the write already failed and says so; a stray temporary file is the lesser problem
            }
        }
    }

    /**
     * The identity of a file's content as a {@code stat} sees it, or null when it is missing or unreadable.
     *
     * @param file the file.
     * @return its file key (inode), size and modification time.
     */
    static Object stamp(final Path file)
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.fileKey(), attributes.size(),
                attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    @Override
    public String toString()
    {
        return "CaDirectory[" + directory + "]";
    }
}
