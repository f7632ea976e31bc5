package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.IdentityException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import io.mecmesh.slicemanager.distribution.SignedConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The control plane's Ed25519 configuration-signing keys, in a directory (the CA directory when the control plane
 * has a CA, else its data directory):
 * <ul>
 *   <li>{@value #KEY_FILE}: the current key (PKCS#8 {@code PRIVATE KEY} and its {@code PUBLIC KEY}, mode 0600);
 *       generated at first start, never overwritten except by {@link #rotate};</li>
 *   <li>{@value #PREVIOUS_KEY_FILE}: the key before a {@link #rotate}, until {@link #finish}: during that overlap
 *       every configuration is signed by both keys, so a node that knows either accepts it;</li>
 *   <li>{@value #VERIFICATION_FILE}: the public keys a node must trust (current, then previous), PEM; what
 *       {@code controlPlane.configVerificationKeys} on an edge points to, and what goes out with the trust bundle.</li>
 * </ul>
 *
 * <p>{@link #signingKeys()} rereads the files when one changed (a rotation by {@code mecmesh cert signing-key} while
 * the control plane runs). Thread-safe (synchronized: read at each compiled configuration, never on a request path).
 */
public final class ConfigSigningKeys
{
    /** The current signing key. */
    public static final String KEY_FILE = "config-signing.key";
    /** The previous signing key, during a rotation. */
    public static final String PREVIOUS_KEY_FILE = "config-signing-previous.key";
    /** The public keys nodes verify with. */
    public static final String VERIFICATION_FILE = "config-verification.pem";

    private final Path directory;
    private List<KeyPair> keys;
    private FileTime currentModified;
    private Optional<FileTime> previousModified;

    private ConfigSigningKeys(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Opens the keys in {@code directory}, generating the current key (mode 0600) when there is none.
     *
     * @param directory the CA directory or the control plane's data directory.
     * @return the keys.
     * @throws CertificateAuthorityException (KEY_STORE) if a file cannot be read or written.
     */
    public static ConfigSigningKeys openOrCreate(final Path directory)
    {
        requireNonNull(directory, "directory");
        final Path file = directory.resolve(KEY_FILE);
        if (!Files.exists(file))
        {
            try
            {
                Files.createDirectories(directory);
            }
            catch (final IOException ex)
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, "cannot create " + directory + ": "
                    + ex.getMessage(), ex);
            }
            writeKey(file, SignedConfig.generateKeyPair());
            writeVerificationFile(directory, readKeys(directory));
        }
        final ConfigSigningKeys keys = new ConfigSigningKeys(directory);
        keys.reload();
        return keys;
    }

    /**
     * @return the key pairs to sign with: the current one, then the previous one during a rotation.
     */
    public synchronized List<KeyPair> signingKeys()
    {
        if (changed())
        {
            reload();
        }
        return keys;
    }

    /**
     * @return the public keys a node must trust (current, then previous).
     */
    public List<PublicKey> verificationKeys()
    {
        return signingKeys().stream().map(KeyPair::getPublic).toList();
    }

    /**
     * @return the directory holding the keys.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * Starts a rotation: the current key becomes the previous one, a new key the current one. Both sign until
     * {@link #finish}.
     *
     * @param directory the keys' directory.
     * @return the new public key.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) when no key exists or a rotation is already under way.
     */
    public static PublicKey rotate(final Path directory)
    {
        requireNonNull(directory, "directory");
        final Path current = directory.resolve(KEY_FILE);
        final Path previous = directory.resolve(PREVIOUS_KEY_FILE);
        if (!Files.exists(current))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, current + ": no signing key to rotate"
                + " (the control plane creates it at its first start)");
        }
        if (Files.exists(previous))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, previous + " exists: a rotation is "
                + "under way; finish it first (--finish)");
        }
        final KeyPair next = SignedConfig.generateKeyPair();
        final Path staged = directory.resolve(KEY_FILE + ".next");
        writeKey(staged, next);
        try
        {
            Files.move(current, previous, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staged, current, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, "cannot rotate the signing key in "
                + directory + ": " + ex.getMessage(), ex);
        }
        writeVerificationFile(directory, readKeys(directory));
        return next.getPublic();
    }

    /**
     * Ends a rotation: the previous key is deleted; only the current one signs and is trusted.
     *
     * @param directory the keys' directory.
     * @return the remaining public key.
     * @throws CertificateAuthorityException (REQUEST_REFUSED) when no rotation is under way.
     */
    public static PublicKey finish(final Path directory)
    {
        requireNonNull(directory, "directory");
        final Path previous = directory.resolve(PREVIOUS_KEY_FILE);
        if (!Files.exists(previous))
        {
            throw new CertificateAuthorityException(Category.REQUEST_REFUSED, previous + ": no rotation under way"
                + " (start one with --rotate)");
        }
        final List<KeyPair> remaining = List.of(readKey(directory.resolve(KEY_FILE)));
        writeVerificationFile(directory, remaining);
        try
        {
            Files.delete(previous);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, "cannot delete " + previous + ": "
                + ex.getMessage(), ex);
        }
        return remaining.get(0).getPublic();
    }

    /**
     * @param directory the keys' directory.
     * @return the key pairs there (current, then previous), without generating anything.
     */
    public static List<KeyPair> readKeys(final Path directory)
    {
        final List<KeyPair> keys = new ArrayList<>(2);
        keys.add(readKey(directory.resolve(KEY_FILE)));
        final Path previous = directory.resolve(PREVIOUS_KEY_FILE);
        if (Files.exists(previous))
        {
            keys.add(readKey(previous));
        }
        return List.copyOf(keys);
    }

    private boolean changed()
    {
        return !modified(directory.resolve(KEY_FILE)).equals(Optional.of(currentModified))
            || !modified(directory.resolve(PREVIOUS_KEY_FILE)).equals(previousModified);
    }

    private void reload()
    {
        currentModified = modified(directory.resolve(KEY_FILE)).orElseThrow(() -> new CertificateAuthorityException(
            Category.KEY_STORE, directory.resolve(KEY_FILE) + ": the signing key is gone"));
        previousModified = modified(directory.resolve(PREVIOUS_KEY_FILE));
        keys = readKeys(directory);
    }

    private static Optional<FileTime> modified(final Path file)
    {
        try
        {
            return Optional.of(Files.getLastModifiedTime(file));
        }
        catch (final NoSuchFileException ex)
        {
            return Optional.empty();
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": " + ex.getMessage(), ex);
        }
    }

    private static KeyPair readKey(final Path file)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            final PrivateKey privateKey = Pem.readPrivateKey(bytes, file.toString());
            final List<PublicKey> publicKeys = SignedConfig.fromPem(new String(bytes, StandardCharsets.US_ASCII),
                file.toString());
            if (publicKeys.size() != 1 || !SignedConfig.ALGORITHM.equals(privateKey.getAlgorithm())
                && !"EdDSA".equals(privateKey.getAlgorithm()))
            {
                throw new CertificateAuthorityException(Category.KEY_STORE, file + ": expected one Ed25519 PRIVATE KEY"
                    + " and its PUBLIC KEY");
            }
            return new KeyPair(publicKeys.get(0), privateKey);
        }
        catch (final IOException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, file + ": cannot be read: " + ex.getMessage(),
                ex);
        }
        catch (final IdentityException | IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.KEY_STORE, ex.getMessage(), ex);
        }
    }

    private static void writeKey(final Path file, final KeyPair key)
    {
        final String pem = Pem.encodePrivateKey(key.getPrivate()) + SignedConfig.toPem(List.of(key.getPublic()));
        CaKeyStore.writeOwnerOnly(file, pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeVerificationFile(final Path directory, final List<KeyPair> keys)
    {
        CaKeyStore.writeOwnerOnly(directory.resolve(VERIFICATION_FILE), SignedConfig.toPem(keys.stream()
            .map(KeyPair::getPublic).toList()).getBytes(StandardCharsets.US_ASCII));
    }
}
