package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.Mirror;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mirroring end to end on loopback: a share of a route's requests is copied to a shadow cluster, whose answers and
 * failures never reach the client.
 */
class MirrorIntegrationTest
{
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final TestBackend main = new TestBackend("main");
    private final TestBackend shadow = new TestBackend("shadow");
    private DataPlane dataPlane;

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        main.close();
        shadow.close();
    }

    private void start(final int shadowPort, final int percent, final RetryPolicy retry)
    {
        final RouteAction.Forward forward = new RouteAction.Forward(List.of(new WeightedCluster("main", 1)), 5000, 0,
            retry).withMirror(new Mirror("shadow", percent));
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 2, Locality.UNKNOWN,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("r", RouteMatch.prefix("*", "/"), forward, HeaderRewrite.NONE,
                HeaderRewrite.NONE)),
            List.of(ClusterConfig.of("main", List.of(new Endpoint("127.0.0.1", main.port()))),
                new ClusterConfig("shadow", List.of(new Endpoint("127.0.0.1", shadowPort)), 300, 8, 60_000))),
            counters);
    }

    private static int deadPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    void shouldCopyExactlyTheConfiguredShareAndAnswerEveryRequestFromTheMainCluster() throws IOException
    {
        start(shadow.port(), 50, RetryPolicy.DEFAULT);

        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            for (int i = 0; i < 100; i++)
            {
                final RawHttp.Response response = raw.send("GET /r" + i + " HTTP/1.1\r\nHost: app\r\n\r\n").read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("main GET /r" + i);
            }
        }

        Await.until("50 mirrored requests at the shadow", Duration.ofSeconds(5),
            () -> shadow.requestLines().size() >= 50);
        assertThat(main.requestLines()).hasSize(100);
        assertThat(shadow.requestLines()).hasSize(50).allMatch(line -> line.startsWith("GET /r"));
        assertThat(shadow.requests()).allMatch(r -> "1".equals(r.headers().get(Mirror.HEADER))
            && "app".equals(r.headers().get("host")));
        assertThat(main.requests()).noneMatch(r -> r.headers().contains(Mirror.HEADER));
        assertThat(counters.get(DataPlaneCounter.MIRRORED_REQUESTS)).isEqualTo(50);
        assertThat(counters.get(DataPlaneCounter.MIRROR_FAILURES)).isZero();
    }

    @Test
    void shouldChangeNothingForTheClientWhenTheMirrorClusterIsDead() throws IOException
    {
        start(deadPort(), 100, RetryPolicy.DEFAULT);

        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            for (int i = 0; i < 20; i++)
            {
                final RawHttp.Response response = raw.send("GET /r" + i + " HTTP/1.1\r\nHost: app\r\n\r\n").read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("main GET /r" + i);
            }
        }

        Await.until("20 mirror failures", Duration.ofSeconds(5),
            () -> counters.get(DataPlaneCounter.MIRROR_FAILURES) == 20);
        assertThat(main.requestLines()).hasSize(20);
        assertThat(counters.get(DataPlaneCounter.MIRRORED_REQUESTS)).isEqualTo(20);
        assertThat(counters.get(DataPlaneCounter.RESPONSES_5XX)).isZero();
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRIES)).isZero();
    }

    @Test
    void shouldMirrorABodyKeptForReplayAndNotOneOverTheReplayLimit() throws IOException
    {
        start(shadow.port(), 100, new RetryPolicy(2, Set.of(503), 25, 250, 0.2, 10, 64));

        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final String small = "x".repeat(10);
            assertThat(raw.send("POST /small HTTP/1.1\r\nHost: app\r\nContent-Length: 10\r\n\r\n" + small).read()
                .status()).isEqualTo(200);
            final String large = "y".repeat(100);
            assertThat(raw.send("POST /large HTTP/1.1\r\nHost: app\r\nContent-Length: 100\r\n\r\n" + large).read()
                .status()).isEqualTo(200);
        }

        Await.until("the small body mirrored", Duration.ofSeconds(5), () -> shadow.requestLines().size() >= 1);
        assertThat(main.requestLines()).containsExactly("POST /small", "POST /large");
        assertThat(shadow.requestLines()).containsExactly("POST /small");
        final HttpRequest copy = shadow.requests().get(0);
        assertThat(copy.headers().get("content-length")).isEqualTo("10");
        assertThat(counters.get(DataPlaneCounter.MIRRORED_REQUESTS)).isEqualTo(1);
    }
}
