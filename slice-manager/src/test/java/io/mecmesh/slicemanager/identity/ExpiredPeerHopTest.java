package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mesh hop to a node whose SVID has expired (issue 12, item 4): node A refuses node B's certificate in the
 * handshake and answers its client 502 with the TLS reason ({@code EXPIRED}) in the body, counted as an upstream TLS
 * failure, rather than "upstream closed the connection before responding". Real BoringSSL (or JDK) handshakes on
 * loopback; node B's SVID was issued by a CA whose clock stood two hours back, for one hour.
 */
class ExpiredPeerHopTest
{
    private static final String TRUST_DOMAIN = "mesh.test";

    @TempDir
    Path dir;

    @Test
    void shouldAnswer502NamingTheExpiredPeerCertificate() throws Exception
    {
        final IdentityTestSupport.ManualClock clock = new IdentityTestSupport.ManualClock(
            Instant.now().minus(Duration.ofHours(2)));
        final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(1), clock);
        final TlsMaterial expiredB = IdentityTestSupport.clientMaterial(ca, "site/site-b/node/edge-b",
            Duration.ofHours(1));
        clock.advance(Duration.ofHours(2));
        final TlsMaterial validA = IdentityTestSupport.clientMaterial(ca, "site/site-a/node/edge-a",
            Duration.ofHours(1));
        assertThat(expiredB.chain().get(0).getNotAfter().toInstant()).isBefore(Instant.now());

        final HttpServer backend = IdentityTestSupport.backend();
        final DataPlaneCounters countersA = new DataPlaneCounters();
        final Path unused = dir.resolve("unused.pem");
        final DataPlane nodeB = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0).tls(TlsConfig.fromSource(
                new TlsMaterialSource(expiredB), unused, unused, unused, TlsConfig.Mode.MESH)).build()),
            List.of(new RouteConfig("*", "/", "local")),
            List.of(ClusterConfig.of("local", List.of(new Endpoint("127.0.0.1", backend.getAddress().getPort()))))),
            new DataPlaneCounters());
        try
        {
            final ClusterTls toB = new ClusterTls(TlsConfig.fromSource(new TlsMaterialSource(validA), unused, unused,
                unused, TlsConfig.Mode.MESH), SpiffeId.parse("spiffe://mesh.test/site/site-b/node/edge-b"), "svc");
            final DataPlane nodeA = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("outbound", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "node-b")),
                List.of(ClusterConfig.of("node-b", List.of(new Endpoint("127.0.0.1",
                    nodeB.listenerAddress("mesh-in").getPort()))).withTls(Optional.of(toB)))), countersA);
            try
            {
                final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + nodeA.listenerAddress("outbound").getPort() + "/x"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(response.statusCode()).isEqualTo(502);
                assertThat(response.body()).startsWith("upstream TLS handshake failed: peer certificate refused: "
                    + "EXPIRED").doesNotContain("closed the connection");
            }
            finally
            {
                nodeA.close();
            }
        }
        finally
        {
            nodeB.close();
            backend.stop(0);
        }
        assertThat(countersA.get(DataPlaneCounter.UPSTREAM_TLS_FAILURES)).isPositive();
    }
}
