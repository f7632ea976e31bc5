package io.mecmesh.dataplane.upstream;

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
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mesh hop whose TLS handshake fails (here the peer's certificate is refused: it is not the SPIFFE id the cluster
 * expects; an expired certificate takes the same path) is answered 502 with the TLS reason, not "closed the
 * connection before responding", and counted.
 */
class UpstreamTlsFailureTest
{
    private static Path fixture(final String name) throws URISyntaxException
    {
        return Path.of(UpstreamTlsFailureTest.class.getResource("/io/mecmesh/dataplane/tls/resumption/" + name)
            .toURI());
    }

    @Test
    void shouldAnswer502NamingTheTlsFailureWhenAMeshHopHandshakeFails() throws Exception
    {
        final DataPlaneCounters countersA = new DataPlaneCounters();
        try (TestBackend workload = new TestBackend("workload"))
        {
            final DataPlane nodeB = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0).tls(new TlsConfig(fixture("server.pem"),
                    fixture("server-key.pem"), fixture("bundle.pem"), TlsConfig.Mode.MESH)).build()),
                List.of(new RouteConfig("*", "/", "workload")),
                List.of(ClusterConfig.of("workload", List.of(new Endpoint("127.0.0.1", workload.port()))))),
                new DataPlaneCounters());
            try
            {
                final ClusterTls hop = new ClusterTls(new TlsConfig(fixture("client-a.pem"), fixture("client-a-key.pem"),
                    fixture("bundle.pem"), TlsConfig.Mode.MESH), SpiffeId.parse("spiffe://tls.test/not-the-server"), "");
                final DataPlane nodeA = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                    List.of(ListenerConfig.of("outbound", "127.0.0.1", 0)),
                    List.of(new RouteConfig("*", "/", "node-b")),
                    List.of(ClusterConfig.of("node-b", List.of(new Endpoint("127.0.0.1",
                        nodeB.listenerAddress("mesh-in").getPort()))).withTls(Optional.of(hop)))), countersA);
                try (RawHttp raw = new RawHttp(nodeA.listenerAddress("outbound")))
                {
                    final RawHttp.Response response = raw.send("GET /x HTTP/1.1\r\nHost: workload\r\n\r\n").read();

                    assertThat(response.status()).isEqualTo(502);
                    assertThat(response.body()).startsWith("upstream TLS handshake failed: peer certificate refused: ")
                        .doesNotContain("closed the connection");
                }
                finally
                {
                    nodeA.close();
                }
            }
            finally
            {
                nodeB.close();
            }
            assertThat(workload.requestLines()).isEmpty();
        }
        assertThat(countersA.get(DataPlaneCounter.UPSTREAM_TLS_FAILURES)).as("each attempt (retries included)")
            .isPositive();
    }
}
