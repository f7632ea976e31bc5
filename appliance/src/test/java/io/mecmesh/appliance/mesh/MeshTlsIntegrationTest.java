package io.mecmesh.appliance.mesh;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.ca.SigningAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two appliances on loopback: A's outbound listener forwards over mutual TLS to B's mesh listener, which checks the
 * caller's SPIFFE id against the route's policy and forwards to the local workload. Certificates come from the
 * mecmesh CA; peers are validated by the data plane's SPIFFE trust manager.
 */
class MeshTlsIntegrationTest
{
    private static final String TRUST_DOMAIN = "mesh.test";

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private TestBackend workload;
    private DataPlaneCounters countersB;
    private DataPlane nodeB;
    private final List<DataPlane> callers = new ArrayList<>();

    @BeforeEach
    void startNodeB() throws IOException
    {
        ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(1), InstantSource.system());
        workload = new TestBackend("workload-b");
        countersB = new DataPlaneCounters();
        final AuthorizationPolicy onlyNodeA = new AuthorizationPolicy(
            List.of(new AuthzRule(List.of(PrincipalMatch.parse("spiffe://mesh.test/node/a")), List.of(),
                List.of())), List.of());
        nodeB = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0).tls(tls(issue("node/b"), ca)).build()),
            List.of(new RouteConfig("to-workload", RouteMatch.prefix("*", "/"), RouteAction.Forward.to("local"),
                HeaderRewrite.NONE, HeaderRewrite.NONE, onlyNodeA)),
            List.of(ClusterConfig.of("local", List.of(new Endpoint("127.0.0.1", workload.port()))))), countersB);
    }

    @AfterEach
    void stop()
    {
        callers.forEach(DataPlane::close);
        nodeB.close();
        workload.close();
    }

    /** Issues an SVID for {@code spiffe://mesh.test/<path>} from a key made here, written as the node would. */
    private Path issue(final String path) throws IOException
    {
        return issueFrom(ca, SpiffeId.parse("spiffe://" + ca.trustDomain() + "/" + path), path.replace('/', '-'));
    }

    private Path issueFrom(final CertificateAuthority authority, final SpiffeId id, final String name)
        throws IOException
    {
        final Path out = Files.createDirectories(dir.resolve(name));
        final KeyPair key = CertificateRequests.newKeyPair();
        final List<X509Certificate> chain = authority.issue(authority.root(), CertificateRequests.csr(key), id);
        Files.writeString(out.resolve("svid.pem"), Pem.encodeCertificates(chain));
        Files.write(out.resolve("svid-key.pem"),
            Pem.encodePrivateKey(key.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        Files.writeString(out.resolve("bundle.pem"), Pem.encodeCertificates(authority.trustBundle()));
        return out;
    }

    private static TlsConfig tls(final Path identity, final CertificateAuthority trusted) throws IOException
    {
        final Path bundle = identity.resolve("trusted-bundle.pem");
        Files.writeString(bundle, Pem.encodeCertificates(trusted.trustBundle()));
        return new TlsConfig(identity.resolve("svid.pem"), identity.resolve("svid-key.pem"), bundle,
            TlsConfig.Mode.MESH);
    }

    /** Starts a caller node whose outbound listener forwards everything to node B over mTLS. */
    private DataPlane caller(final Path identity, final CertificateAuthority trusted, final String expectedPeer,
        final DataPlaneCounters counters) throws IOException
    {
        final ClusterTls toB = new ClusterTls(tls(identity, trusted), SpiffeId.parse(expectedPeer), "workload-b");
        final DataPlane node = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("outbound", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "node-b")),
            List.of(new ClusterConfig("node-b", List.of(new Endpoint("127.0.0.1",
                nodeB.listenerAddress("mesh-in").getPort())), 1000, 8, 60_000, LbPolicy.ROUND_ROBIN, "", 70,
                OutlierDetection.DEFAULT, Optional.of(toB)))), counters);
        callers.add(node);
        return node;
    }

    private static RawHttp.Response get(final DataPlane node, final String path) throws IOException
    {
        try (RawHttp raw = new RawHttp(node.listenerAddress("outbound")))
        {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: workload-b\r\n"
                + "x-mecmesh-peer-id: spiffe://mesh.test/node/forged\r\n\r\n").read();
        }
    }

    @Test
    void shouldCarryARequestOverMutualTlsToTheAuthorizedWorkload() throws IOException
    {
        final DataPlane nodeA = caller(issue("node/a"), ca, "spiffe://mesh.test/node/b", new DataPlaneCounters());

        for (int i = 0; i < 5; i++)
        {
            final RawHttp.Response response = get(nodeA, "/hello/" + i);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("workload-b GET /hello/" + i);
        }
        assertThat(workload.requestLines()).hasSize(5);
        assertThat(workload.requests().get(0).headers().get("x-mecmesh-peer-id"))
            .as("B tells its workload who called").isEqualTo("spiffe://mesh.test/node/a");
        assertThat(countersB.get(DataPlaneCounter.UPSTREAM_CONNECTIONS)).as("B reuses its workload connection")
            .isEqualTo(1);
        assertThat(countersB.get(DataPlaneCounter.TLS_HANDSHAKES)).as("A reuses its mTLS connection to B")
            .isEqualTo(1);
    }

    @Test
    void shouldRefuseACallerTheRoutePolicyDoesNotAllow() throws IOException
    {
        final DataPlane nodeC = caller(issue("node/c"), ca, "spiffe://mesh.test/node/b", new DataPlaneCounters());

        assertThat(get(nodeC, "/secret").status()).isEqualTo(403);
        assertThat(workload.requestLines()).isEmpty();
        assertThat(countersB.get(DataPlaneCounter.AUTHZ_DENIED_NO_ALLOW_RULE)).isEqualTo(1);
    }

    @Test
    void shouldRefuseInTheHandshakeAPeerFromAnotherTrustDomain() throws IOException
    {
        final CertificateAuthority rogueCa = CertificateAuthority.generate("rogue.test", Duration.ofDays(1),
            InstantSource.system());
        final Path rogue = issueFrom(rogueCa, SpiffeId.parse("spiffe://rogue.test/node/a"), "rogue");
        final DataPlane rogueNode = caller(rogue, ca, "spiffe://mesh.test/node/b", new DataPlaneCounters());

        assertThat(get(rogueNode, "/x").status()).isEqualTo(502);
        assertThat(workload.requestLines()).isEmpty();
        long refused = 0;
        for (final X509SvidValidator.Reason reason : X509SvidValidator.Reason.values())
        {
            refused += nodeB.peerRejections().get(reason);
        }
        assertThat(refused).as("handshakes B refused, by reason").isPositive();
        assertThat(countersB.get(DataPlaneCounter.TLS_HANDSHAKE_FAILURES)).isPositive();
    }

    /**
     * The site boundary in a real handshake: a thief of site a's intermediate signs node b2 of site b; B refuses it
     * in the handshake and counts the rule. The same intermediate's own site's identity passes the handshake (and
     * is then judged by the route policy).
     */
    @Test
    void shouldRefuseInTheHandshakeAnotherSitesIdentitySignedByASiteIntermediate() throws IOException
    {
        final SigningAuthority siteA = ca.createSiteIntermediate(SpiffeId.parse("spiffe://mesh.test/site/a"),
            Duration.ofHours(1));
        final SigningAuthority thief = new SigningAuthority(siteA.certificate(), siteA.privateKey(),
            SpiffeId.ofTrustDomain(TRUST_DOMAIN), siteA.chain());
        final DataPlane forged = caller(issueWith(thief, "spiffe://mesh.test/site/b/node/b2", "forged"), ca,
            "spiffe://mesh.test/node/b", new DataPlaneCounters());
        final DataPlane own = caller(issueWith(siteA, "spiffe://mesh.test/site/a/app/x", "own"), ca,
            "spiffe://mesh.test/node/b", new DataPlaneCounters());

        assertThat(get(forged, "/x").status()).isEqualTo(502);
        assertThat(nodeB.peerRejections().get(X509SvidValidator.Reason.LEAF_OUTSIDE_SIGNING_CERT_SCOPE))
            .as("refused in the handshake, counted by the rule").isPositive();
        assertThat(get(own, "/x").status()).as("through the handshake, refused by the route's policy")
            .isEqualTo(403);
        assertThat(workload.requestLines()).isEmpty();
    }

    private Path issueWith(final SigningAuthority issuer, final String id, final String name) throws IOException
    {
        final Path out = Files.createDirectories(dir.resolve(name));
        final KeyPair key = CertificateRequests.newKeyPair();
        Files.writeString(out.resolve("svid.pem"), Pem.encodeCertificates(ca.issue(issuer,
            CertificateRequests.csr(key), SpiffeId.parse(id))));
        Files.write(out.resolve("svid-key.pem"),
            Pem.encodePrivateKey(key.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    @Test
    void shouldRefuseAServerThatIsNotThePeerTheClusterExpects() throws IOException
    {
        final DataPlane nodeA = caller(issue("node/a"), ca, "spiffe://mesh.test/node/not-b",
            new DataPlaneCounters());

        assertThat(get(nodeA, "/x").status()).isEqualTo(502);
        assertThat(nodeA.peerRejections().get(X509SvidValidator.Reason.SPIFFE_ID_MISMATCH)).isPositive();
        assertThat(workload.requestLines()).isEmpty();
    }

    @Test
    void shouldNotServePlainTextOnTheMeshListener() throws IOException
    {
        try (RawHttp raw = new RawHttp(nodeB.listenerAddress("mesh-in")))
        {
            raw.send("GET / HTTP/1.1\r\nHost: workload-b\r\n\r\n");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(workload.requestLines()).isEmpty();
        assertThat(countersB.get(DataPlaneCounter.TLS_HANDSHAKE_FAILURES)).isEqualTo(1);
    }

    @Test
    void shouldRefuseAndCountAClientWithoutCertificate() throws Exception
    {
        final Process openssl = new ProcessBuilder("openssl", "s_client", "-connect",
            "127.0.0.1:" + nodeB.listenerAddress("mesh-in").getPort(), "-tls1_3", "-brief", "-ign_eof")
            .redirectErrorStream(true).start();
        openssl.getOutputStream().write("GET / HTTP/1.1\r\nHost: workload-b\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        openssl.getOutputStream().close();
        assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        final String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).doesNotContain("HTTP/1.1 200");
        io.mecmesh.dataplane.testing.Await.until("the refusal is counted", Duration.ofSeconds(5),
            () -> countersB.get(DataPlaneCounter.TLS_NO_CLIENT_CERTIFICATE) == 1);
        assertThat(workload.requestLines()).isEmpty();
    }

    @Test
    void shouldRefuseTls12OnTheMeshListenerWithARealOpenSslClient() throws Exception
    {
        final Path a = issue("node/a");
        final Process openssl = new ProcessBuilder("openssl", "s_client", "-connect",
            "127.0.0.1:" + nodeB.listenerAddress("mesh-in").getPort(), "-tls1_2", "-cert",
            a.resolve("svid.pem").toString(), "-key", a.resolve("svid-key.pem").toString(), "-brief")
            .redirectErrorStream(true).start();
        openssl.getOutputStream().close();
        assertThat(openssl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        final String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(openssl.exitValue()).as(output).isNotZero();

        final Process tls13 = new ProcessBuilder("openssl", "s_client", "-connect",
            "127.0.0.1:" + nodeB.listenerAddress("mesh-in").getPort(), "-tls1_3", "-cert",
            a.resolve("svid.pem").toString(), "-key", a.resolve("svid-key.pem").toString(), "-CAfile",
            a.resolve("bundle.pem").toString(), "-brief", "-ign_eof")
            .redirectErrorStream(true).start();
        tls13.getOutputStream().write("GET /tls13 HTTP/1.1\r\nHost: workload-b\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        tls13.getOutputStream().close();
        assertThat(tls13.waitFor(20, TimeUnit.SECONDS)).isTrue();
        final String tls13Output = new String(tls13.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(tls13Output).contains("Protocol version: TLSv1.3").contains("HTTP/1.1 200");
    }
}
