package io.mecmesh.appliance.demo;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.slicemanager.ca.CaKeyStore;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's identities: a CA made for the demo and an X.509-SVID per sidecar, each key generated here and
 * written 0600 to a temporary directory that {@link #close()} removes.
 */
public final class DemoIdentities implements AutoCloseable
{
    public static final String TRUST_DOMAIN = "demo.mecmesh.local";
    public static final String SIDECAR_A = "spiffe://" + TRUST_DOMAIN + "/sidecar/a";
    public static final String SIDECAR_B = "spiffe://" + TRUST_DOMAIN + "/sidecar/b";

    private final Path dir;
    private final TlsConfig sidecarA;
    private final TlsConfig sidecarB;

    private DemoIdentities(final Path dir, final TlsConfig sidecarA, final TlsConfig sidecarB)
    {
        this.dir = dir;
        this.sidecarA = sidecarA;
        this.sidecarB = sidecarB;
    }

    /**
     * Makes the CA and both SVIDs.
     *
     * @return the identities.
     * @throws IOException when the temporary directory cannot be written.
     */
    public static DemoIdentities create() throws IOException
    {
        final Path dir = Files.createTempDirectory("mecmesh-demo-");
        final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(1),
            InstantSource.system());
        final Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Pem.encodeCertificates(ca.trustBundle()));
        return new DemoIdentities(dir, issue(ca, dir, "sidecar-a", SIDECAR_A, bundle),
            issue(ca, dir, "sidecar-b", SIDECAR_B, bundle));
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
