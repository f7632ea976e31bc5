package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SigningScope;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Keeps the CA root's (or a site intermediate's) certificate and private key in an encrypted PKCS#12 file: the key
 * and certificate are encrypted with PBES2 (PBKDF2 with HMAC-SHA256, AES-256) under a passphrase the operator supplies (from a file or
 * the environment), and the file has mode 0600. Writes go to a temporary file in the same directory, are forced to
 * disk and renamed over the target atomically, so a crash leaves either the old file or the new one. Reading refuses
 * a file that others can read and names a wrong passphrase as such.
 */
public final class CaKeyStore
{
    /** The alias of the root entry in the PKCS#12 file. */
    public static final String ROOT_ALIAS = "mecmesh-root-ca";

    /** The alias of a site intermediate's entry in its PKCS#12 file. */
    public static final String SITE_ALIAS = "mecmesh-site-ca";
    /** The root's key store in a CA directory ({@code mecmesh cert init}). */
    public static final String ROOT_FILE = "ca.p12";
    /** The trust bundle in a CA directory (both roots during a rotation). */
    public static final String BUNDLE_FILE = "bundle.pem";
    /** The environment variable holding the key stores' passphrase when no passphrase file is given. */
    public static final String PASSPHRASE_VARIABLE = "MECMESH_CA_PASSPHRASE";

    private static final Set<PosixFilePermission> OWNER_ONLY =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final String KEY_PROTECTION = "PBEWithHmacSHA256AndAES_256";
    private static final int SAN_URI = 6;

    private CaKeyStore()
    {
    }

    /**
     * Writes the root's certificate and key, encrypted, to {@code file} with mode 0600, replacing it atomically.
     *
     * @param file       the PKCS#12 file to write.
     * @param root       the root signing authority.
     * @param passphrase the passphrase; not empty.
     * @throws CertificateAuthorityException (KEY_STORE) if the file cannot be written.
     */
    public static void writeRoot(final Path file, final SigningAuthority root, final char[] passphrase)
    {
        requireNonNull(file, "file");
        requireNonNull(root, "root");
        requirePassphrase(passphrase);
        if (!root.isRoot())
        {
            throw new IllegalArgumentException("root: " + root + " is not a root");
        }
        writeEntry(file, ROOT_ALIAS, root, passphrase);
    }

    private static void writeEntry(final Path file, final String alias, final SigningAuthority authority,
        final char[] passphrase)
    {
        final byte[] content;
        try
        {
            final KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            final Certificate[] chain = authority.isRoot() ? new Certificate[] { authority.certificate() }
                : authority.chain().toArray(new Certificate[0]);
            keyStore.setEntry(alias, new KeyStore.PrivateKeyEntry(authority.privateKey(), chain),
                new KeyStore.PasswordProtection(passphrase, KEY_PROTECTION, null));
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            keyStore.store(out, passphrase);
            content = out.toByteArray();
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw new CertificateAuthorityException(Category.CRYPTO, "cannot encode the CA key store: " + ex, ex);
        }
        writeAtomically(file, content);
    }

    /**
     * Reads the root written by {@link #writeRoot}.
     *
     * @param file       the PKCS#12 file.
     * @param passphrase the passphrase it was written with.
     * @return the root signing authority; its scope is the trust domain of its URI SAN.
     * @throws CertificateAuthorityException (KEY_STORE) naming the problem: missing file, permissions wider than
     *                                       0600, wrong passphrase, no root entry.
     */
    public static SigningAuthority readRoot(final Path file, final char[] passphrase)
    {
        requireNonNull(file, "file");
        requirePassphrase(passphrase);
        final KeyStore.PrivateKeyEntry entry = readEntry(file, passphrase, ROOT_ALIAS);
        try
        {
            final X509Certificate certificate = (X509Certificate)entry.getCertificate();
            return new SigningAuthority(certificate, entry.getPrivateKey(), trustDomainOf(certificate, file),
                List.of());
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": the entry is not a usable CA root: " + ex.getMessage(), ex);
        }
    }

    /**
     * Writes a site intermediate's certificate and key, encrypted, to {@code file} with mode 0600, replacing it
     * atomically; the counterpart of {@link #readSiteIntermediate}.
     *
     * @param file         the PKCS#12 file to write.
     * @param intermediate the site intermediate made by {@link CertificateAuthority#createSiteIntermediate}.
     * @param passphrase   the passphrase; not empty.
     * @throws CertificateAuthorityException (KEY_STORE) if the file cannot be written.
     */
    public static void writeSiteIntermediate(final Path file, final SigningAuthority intermediate,
        final char[] passphrase)
    {
        requireNonNull(file, "file");
        requireNonNull(intermediate, "intermediate");
        requirePassphrase(passphrase);
        if (intermediate.isRoot())
        {
            throw new IllegalArgumentException("intermediate: " + intermediate + " is a root");
        }
        writeEntry(file, SITE_ALIAS, intermediate, passphrase);
    }

    /**
     * Reads a site intermediate written by {@link #writeSiteIntermediate}. Its scope is read back from the subject's
     * common name ({@code mecmesh site CA /site/SITE}) and its trust domain from its URI SAN (the trust domain's
     * SPIFFE ID); its {@link SigningScope} extension, which intermediates made before the site boundary lack, must
     * name the same scope.
     *
     * @param file       the PKCS#12 file.
     * @param passphrase the passphrase it was written with.
     * @return the intermediate, its chain being the intermediate itself.
     * @throws CertificateAuthorityException (KEY_STORE) naming the problem: missing file, permissions wider than
     *                                       0600, wrong passphrase, no site entry, not a site intermediate.
     */
    public static SigningAuthority readSiteIntermediate(final Path file, final char[] passphrase)
    {
        requireNonNull(file, "file");
        requirePassphrase(passphrase);
        final KeyStore.PrivateKeyEntry entry = readEntry(file, passphrase, SITE_ALIAS);
        try
        {
            final X509Certificate certificate = (X509Certificate)entry.getCertificate();
            final SpiffeId trustDomain = trustDomainOf(certificate, file);
            final String commonName = commonName(certificate);
            if (commonName == null || !commonName.startsWith(CertificateAuthority.SITE_CA_NAME_PREFIX))
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, file + ": the certificate "
                    + certificate.getSubjectX500Principal() + " is not a mecmesh site intermediate");
            }
            final SpiffeId named = new SpiffeId(trustDomain.trustDomain(),
                commonName.substring(CertificateAuthority.SITE_CA_NAME_PREFIX.length()));
            final Optional<SpiffeId> carried = SigningScope.of(certificate);
            if (carried.isPresent() && !carried.get().equals(named))
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, file + ": the site intermediate's "
                    + "signing scope " + carried.get() + " is not its common name's " + named);
            }
            final SpiffeId scope = named;
            return new SigningAuthority(certificate, entry.getPrivateKey(), scope, List.of(certificate));
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": the entry is not a usable site intermediate: " + ex.getMessage(), ex);
        }
    }

    private static String commonName(final X509Certificate certificate)
    {
        final RDN[] names = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded())
            .getRDNs(BCStyle.CN);
        return names.length == 1 ? IETFUtils.valueToString(names[0].getFirst().getValue()) : null;
    }

    private static KeyStore.PrivateKeyEntry readEntry(final Path file, final char[] passphrase, final String alias)
    {
        final byte[] content;
        try
        {
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(permissions))
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, file + ": permissions " +
                    PosixFilePermissions.toString(permissions) + " let others read the CA key; run chmod 600 " + file);
            }
            content = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": cannot read: " + ex, ex);
        }
        final KeyStore keyStore;
        final Key key;
        try
        {
            keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(new ByteArrayInputStream(content), passphrase);
            key = keyStore.getKey(alias, passphrase);
        }
        catch (final IOException ex)
        {
            if (ex.getCause() instanceof UnrecoverableKeyException)
            {
                throw new CertificateAuthorityException(Category.KEY_STORE,
                    file + ": wrong passphrase for the CA key store", ex);
            }
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": not a readable PKCS#12 key store: " + ex.getMessage(), ex);
        }
        catch (final UnrecoverableKeyException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": wrong passphrase for the CA key store", ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": cannot decode the CA key store: " + ex, ex);
        }
        if (!(key instanceof PrivateKey privateKey))
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": no private key entry \"" + alias + "\"");
        }
        try
        {
            return new KeyStore.PrivateKeyEntry(privateKey, keyStore.getCertificateChain(alias));
        }
        catch (final GeneralSecurityException | RuntimeException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                file + ": the entry \"" + alias + "\" has no certificate: " + ex.getMessage(), ex);
        }
    }
    /**
     * Reads a passphrase from a file (for example a systemd credential), without its trailing line break.
     *
     * @param file the file.
     * @return the passphrase.
     * @throws CertificateAuthorityException (KEY_STORE) if the file cannot be read or is empty.
     */
    public static char[] passphraseFromFile(final Path file)
    {
        requireNonNull(file, "file");
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": cannot read the passphrase", ex);
        }
        int length = bytes.length;
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r'))
        {
            length--;
        }
        final CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, length));
        Arrays.fill(bytes, (byte)0);
        final char[] passphrase = new char[chars.remaining()];
        chars.get(passphrase);
        if (passphrase.length == 0)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": the passphrase file is empty");
        }
        return passphrase;
    }

    /**
     * The key stores' passphrase: from a file when one is given, else from {@link #PASSPHRASE_VARIABLE}.
     *
     * @param file the passphrase file, or empty.
     * @return the passphrase.
     */
    public static char[] passphrase(final Optional<Path> file)
    {
        return passphrase(file, PASSPHRASE_VARIABLE);
    }

    /**
     * A key store's passphrase: from a file when one is given, else from an environment variable.
     *
     * @param file     the passphrase file, or empty.
     * @param variable the environment variable to read otherwise (the site CA's is
     *                 {@link SiteAuthority#PASSPHRASE_VARIABLE}).
     * @return the passphrase.
     */
    public static char[] passphrase(final Optional<Path> file, final String variable)
    {
        return requireNonNull(file, "file").isPresent() ? passphraseFromFile(file.get())
            : passphraseFromEnvironment(variable);
    }

    /**
     * Reads a passphrase from an environment variable.
     *
     * @param variable the variable's name.
     * @return the passphrase.
     * @throws CertificateAuthorityException (KEY_STORE) if the variable is unset or empty.
     */
    public static char[] passphraseFromEnvironment(final String variable)
    {
        requireNonNull(variable, "variable");
        final String value = System.getenv(variable);
        if (null == value || value.isEmpty())
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                "environment variable " + variable + " holding the CA passphrase is not set or empty");
        }
        return value.toCharArray();
    }

    private static SpiffeId trustDomainOf(final X509Certificate certificate, final Path file)
        throws CertificateParsingException
    {
        return SpiffeId.ofTrustDomain(spiffeIdOf(certificate, file).trustDomain());
    }

    private static SpiffeId spiffeIdOf(final X509Certificate certificate, final Path file)
        throws CertificateParsingException
    {
        final Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (null != names)
        {
            for (final List<?> name : names)
            {
                if (Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String uri)
                {
                    return SpiffeId.parse(uri);
                }
            }
        }
        throw new CertificateAuthorityException(Category.KEY_STORE,
            file + ": the root certificate has no SPIFFE URI SAN naming its trust domain");
    }

    /**
     * Writes a file atomically (temporary file, fsync, rename) with mode 0600: for keys and anything else only the
     * appliance's user may read.
     *
     * @param file    the file.
     * @param content its bytes.
     * @throws CertificateAuthorityException (KEY_STORE) if it cannot be written.
     */
    public static void writeOwnerOnly(final Path file, final byte[] content)
    {
        writeAtomically(file, content);
    }

    private static void writeAtomically(final Path file, final byte[] content)
    {
        final Path target = file.toAbsolutePath();
        final Path directory = target.getParent();
        final FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
        Path temporary = null;
        try
        {
            temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp", ownerOnly);
            Files.setPosixFilePermissions(temporary, OWNER_ONLY);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
            forceDirectory(directory);
        }
        catch (final AtomicMoveNotSupportedException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE,
                directory + ": the file system cannot rename atomically; keep the CA key store on a local file system",
                ex);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, target + ": cannot write: " + ex, ex);
        }
        finally
        {
            if (null != temporary)
            {
                try
                {
                    Files.deleteIfExists(temporary);
                }
                catch (final IOException ignore)
                {
                    // the write already failed and says so; a stray temporary file is the lesser problem
                }
            }
        }
    }

    private static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ignore)
        {
            // not every file system lets a directory be opened for fsync; the rename itself is atomic
        }
    }

    private static void requirePassphrase(final char[] passphrase)
    {
        requireNonNull(passphrase, "passphrase");
        if (passphrase.length == 0)
        {
            throw new IllegalArgumentException("passphrase: must not be empty");
        }
    }
}
