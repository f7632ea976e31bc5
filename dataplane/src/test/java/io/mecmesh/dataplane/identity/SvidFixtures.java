package io.mecmesh.dataplane.identity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The SPIFFE X.509-SVID fixtures of go-spiffe and java-spiffe, kept in {@code <repo>/../shared/corpora}. Surefire
 * runs a module's tests in the module directory, so the repository root is its parent.
 */
public final class SvidFixtures
{
    /** The two corpora, whose fixtures with the same name are the same files. */
    public static final List<String> CORPORA = List.of("go-spiffe", "java-spiffe");

    /**
     * Inside the validity of the leaf of {@code good-leaf-and-intermediate.pem} (2020-03-24 14:07:30 to 15:07:40
     * UTC) and of its intermediate (to 2020-03-25 14:05:13).
     */
    public static final Instant LEAF_AND_INTERMEDIATE_VALID_AT = Instant.parse("2020-03-24T14:30:00Z");

    /**
     * Inside the validity of {@code good-leaf-only.pem} and every {@code wrong-*.pem} (2020-03-31 15:16:54 to
     * 2025-03-29 19:00:37 UTC for the narrowest).
     */
    public static final Instant SINGLE_KEY_FIXTURES_VALID_AT = Instant.parse("2021-01-01T00:00:00Z");

    private SvidFixtures()
    {
    }

    /**
     * The directory of one corpus.
     *
     * @param corpus {@code go-spiffe} or {@code java-spiffe}.
     * @return the directory, checked to exist.
     */
    public static Path corpus(final String corpus)
    {
        final Path directory = Path.of(System.getProperty("user.dir"))
            .resolve("../../shared/corpora/spiffe-x509svid")
            .resolve(corpus)
            .normalize();
        if (!Files.isDirectory(directory))
        {
            throw new IllegalStateException("fixtures not found at " + directory +
                ": the shared/ folder must sit beside the repository");
        }
        return directory;
    }

    /**
     * A fixture file.
     *
     * @param corpus the corpus.
     * @param name   the file name.
     * @return its path.
     */
    public static Path file(final String corpus, final String name)
    {
        return corpus(corpus).resolve(name);
    }

    /**
     * The certificates of a fixture, in file order.
     *
     * @param corpus the corpus.
     * @param name   the file name.
     * @return the certificates.
     */
    public static List<X509Certificate> chain(final String corpus, final String name)
    {
        return Pem.readCertificates(file(corpus, name));
    }

    /**
     * The bundle that anchors {@code good-leaf-only.pem} and the {@code wrong-*.pem} fixtures: they are all signed
     * by the corpus's one RSA key (subject key id CB:85:68:...), and {@code good-leaf-only.pem} is the self-signed
     * certificate of that key with their issuer name. The corpora ship no separate root for them.
     *
     * @param corpus the corpus.
     * @return a one-certificate bundle.
     */
    public static List<X509Certificate> singleKeyBundle(final String corpus)
    {
        return chain(corpus, "good-leaf-only.pem");
    }

    /**
     * The bundle for {@code good-leaf-and-intermediate.pem}: its intermediate, since the corpora do not ship the
     * root (subject key id 87:A5:F3:...) that signed it.
     *
     * @param corpus the corpus.
     * @return a one-certificate bundle.
     */
    public static List<X509Certificate> intermediateBundle(final String corpus)
    {
        return List.of(chain(corpus, "good-leaf-and-intermediate.pem").get(1));
    }
}
