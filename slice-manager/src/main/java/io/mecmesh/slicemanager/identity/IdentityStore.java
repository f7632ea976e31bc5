package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.identity.IdentityClientException.Category;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The node identity on disk, so that a node restarts without the CA:
 * <ul>
 *   <li>{@code identity.pem}: the PKCS#8 private key followed by the chain (leaf first), in one file so that key
 *       and certificate are replaced together by one atomic rename;</li>
 *   <li>{@code bundle.pem}: the trust bundle.</li>
 * </ul>
 * Both are written to a temporary file, fsynced and renamed (mode 0600); the directory is created 0700. The time a
 * certificate was received is the modification time of {@code identity.pem}.
 */
final class IdentityStore
{
    static final String IDENTITY_FILE = "identity.pem";
    static final String BUNDLE_FILE = "bundle.pem";

    private final Path directory;

    /**
     * What was on disk.
     *
     * @param material   key, chain and bundle.
     * @param receivedAt when the certificate was written.
     */
    record Persisted(TlsMaterial material, Instant receivedAt)
    {
    }

    IdentityStore(final Path directory)
    {
        this.directory = requireNonNull(directory, "directory");
    }

    Path identityFile()
    {
        return directory.resolve(IDENTITY_FILE);
    }

    Path bundleFile()
    {
        return directory.resolve(BUNDLE_FILE);
    }

    /**
     * @return the persisted identity, or empty when there is none.
     * @throws IdentityClientException ({@code STORE}) naming the file when it is there but unreadable or corrupt.
     */
    Optional<Persisted> read()
    {
        final Path identity = identityFile();
        if (!Files.exists(identity))
        {
            return Optional.empty();
        }
        try
        {
            final byte[] identityBytes = Files.readAllBytes(identity);
            final PrivateKey key = Pem.readPrivateKey(identityBytes, identity.toString());
            final List<X509Certificate> chain = Pem.readCertificates(identityBytes, identity.toString());
            if (chain.isEmpty())
            {
                throw new IdentityClientException(Category.STORE, identity + ": corrupt: no certificate after the key");
            }
            final List<X509Certificate> bundle = Pem.readCertificates(bundleFile());
            if (bundle.isEmpty())
            {
                throw new IdentityClientException(Category.STORE, bundleFile() + ": corrupt: no certificate");
            }
            if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm()))
            {
                throw new IdentityClientException(Category.STORE, identity + ": corrupt: the key does not match the"
                    + " certificate");
            }
            return Optional.of(new Persisted(new TlsMaterial(chain, key, bundle),
                Files.getLastModifiedTime(identity).toInstant()));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IdentityClientException(Category.STORE, ex.getFile() + ": missing next to " + identity, ex);
        }
        catch (final IOException ex)
        {
            throw new IdentityClientException(Category.STORE, identity + ": cannot read: " + ex, ex);
        }
        catch (final DataPlaneException | IllegalArgumentException ex)
        {
            throw new IdentityClientException(Category.STORE, "corrupt persisted identity: " + ex.getMessage(), ex);
        }
    }

    /**
     * Persists a new identity: the key and chain in one atomic rename, then the bundle.
     *
     * @param material what to persist.
     * @throws IdentityClientException ({@code STORE}) if it cannot be written.
     */
    void write(final TlsMaterial material)
    {
        try
        {
            if (!Files.isDirectory(directory))
            {
                Files.createDirectories(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            CaKeyStore.writeOwnerOnly(identityFile(), (Pem.encodePrivateKey(material.privateKey())
                + Pem.encodeCertificates(material.chain())).getBytes(StandardCharsets.US_ASCII));
            CaKeyStore.writeOwnerOnly(bundleFile(),
                Pem.encodeCertificates(material.trustBundle()).getBytes(StandardCharsets.US_ASCII));
        }
        catch (final IOException | CertificateAuthorityException ex)
        {
            throw new IdentityClientException(Category.STORE, directory + ": cannot persist the identity: "
                + ex.getMessage(), ex);
        }
    }
}
