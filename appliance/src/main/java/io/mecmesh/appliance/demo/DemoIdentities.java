package io.mecmesh.appliance.demo;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.appliance.config.CaConfig;
import io.mecmesh.slicemanager.ca.ApiRole;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The demo's identities: a CA made for the demo (a CA directory, as {@code mecmesh cert init} makes, which the demo's
 * control plane runs), an X.509-SVID per sidecar, and an admin operator certificate for the CLI; each key generated
 * here and written 0600 to a temporary directory that {@link #close()} removes.
 */
public final class DemoIdentities implements AutoCloseable
{
    public static final String TRUST_DOMAIN = "demo.mecmesh.local";
    public static final String SIDECAR_A = "spiffe://" + TRUST_DOMAIN + "/sidecar/a";
    public static final String SIDECAR_B = "spiffe://" + TRUST_DOMAIN + "/sidecar/b";
    /** The operator the demo's CLI certificate names. */
    public static final String OPERATOR = "demo-admin";
    /** The demo's MEC application (its instance's {@code spiffeId}). */
    public static final String MEC_APP = "spiffe://" + TRUST_DOMAIN + "/app/demo-mec";

    private final Path dir;
    private final TlsConfig sidecarA;
    private final TlsConfig sidecarB;
    private final CaConfig ca;
    private final TlsConfig mecApp;

    private DemoIdentities(final Path dir, final TlsConfig sidecarA, final TlsConfig sidecarB, final CaConfig ca,
        final TlsConfig mecApp)
    {
        this.mecApp = mecApp;
        this.dir = dir;
        this.sidecarA = sidecarA;
        this.sidecarB = sidecarB;
        this.ca = ca;
    }

    /**
     * Makes the CA, both SVIDs and the operator certificate ({@link #operatorDirectory}).
     *
     * @return the identities.
     * @throws IOException when the temporary directory cannot be written.
     */
    public static DemoIdentities create() throws IOException
    {
        final Path dir = Files.createTempDirectory("mecmesh-demo-");
        final SecureRandom random = new SecureRandom();
        final Path passphraseFile = dir.resolve("ca.passphrase");
        final String passphrase = HexFormat.of().formatHex(randomBytes(random, 16));
        CaKeyStore.writeOwnerOnly(passphraseFile, passphrase.getBytes(StandardCharsets.US_ASCII));
        final Path caDir = dir.resolve("ca");
        CaDirectory.init(caDir, TRUST_DOMAIN, Duration.ofDays(1), passphrase.toCharArray(), InstantSource.system());
        final CertificateAuthority ca = CaDirectory.open(caDir, passphrase.toCharArray(), InstantSource.system())
            .authority();
        // the CA section needs a shared join token file; no demo node enrols with it (the sidecars' SVIDs are here)
        final Path joinToken = dir.resolve("join.token");
        CaKeyStore.writeOwnerOnly(joinToken, HexFormat.of().formatHex(randomBytes(random, 32))
            .getBytes(StandardCharsets.US_ASCII));
        final Path bundle = caDir.resolve(CaKeyStore.BUNDLE_FILE);
        final Path operator = Files.createDirectories(dir.resolve("operator"));
        final KeyPair key = CertificateRequests.newKeyPair();
        Files.writeString(operator.resolve("client.pem"), Pem.encodeCertificates(ca.issueOperator(
            CertificateRequests.csr(key), OPERATOR, ApiRole.ADMIN, Duration.ofDays(1))));
        CaKeyStore.writeOwnerOnly(operator.resolve("client-key.pem"),
            Pem.encodePrivateKey(key.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        Files.copy(bundle, operator.resolve("ca.pem"));
        return new DemoIdentities(dir, issue(ca, dir, "sidecar-a", SIDECAR_A, bundle),
            issue(ca, dir, "sidecar-b", SIDECAR_B, bundle),
            new CaConfig(caDir, Optional.of(passphraseFile), Optional.of(joinToken), CaConfig.DEFAULT_SVID_TTL),
            issue(ca, dir, "mec-app", MEC_APP, bundle));
    }

    private static byte[] randomBytes(final SecureRandom random, final int count)
    {
        final byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static TlsConfig issue(final CertificateAuthority ca, final Path dir, final String name, final String id,
        final Path bundle) throws IOException
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        final List<X509Certificate> chain = ca.issue(ca.root(), CertificateRequests.csr(key), SpiffeId.parse(id));
        final Path certificate = dir.resolve(name + ".pem");
        final Path privateKey = dir.resolve(name + "-key.pem");
        Files.writeString(certificate, Pem.encodeCertificates(chain));
        CaKeyStore.writeOwnerOnly(privateKey,
            Pem.encodePrivateKey(key.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        return new TlsConfig(certificate, privateKey, bundle, TlsConfig.Mode.MESH);
    }

    /**
     * @return the temporary directory the identities live in (removed by {@link #close()}); the demo keeps its
     *         other state under it too.
     */
    public Path directory()
    {
        return dir;
    }

    /**
     * @return the demo CA, for the demo's control plane (its API's TLS certificate comes from it).
     */
    public CaConfig ca()
    {
        return ca;
    }

    /**
     * @return the directory with the admin operator certificate: {@code client.pem}, {@code client-key.pem} and
     *         {@code ca.pem} (the files {@code mecmesh --cert/--key/--cacert} take).
     */
    public Path operatorDirectory()
    {
        return dir.resolve("operator");
    }

    /**
     * @return the demo MEC application's X.509-SVID ({@code mec-app.pem}, {@code mec-app-key.pem}): what it presents
     *         on the MEC API.
     */
    public TlsConfig mecApp()
    {
        return mecApp;
    }

    public TlsConfig sidecarA()
    {
        return sidecarA;
    }

    public TlsConfig sidecarB()
    {
        return sidecarB;
    }

    @Override
    public void close() throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
