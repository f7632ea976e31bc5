package io.mecmesh.dataplane.accesslog;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests through a real listener each leave one access-log record in the ring, with the route, endpoint, status,
 * bytes and flags of their exchange: forwarded answers, an upstream's 502, the appliance's own 502 (upstream down)
 * and 404 (no route).
 */
class AccessLogIntegrationTest
{
    private record Logged(int status, int flags, String route, String endpoint, long requestBytes,
        long responseBytes, int attempts, long durationNs, long timeMs)
    {
    }

    @Test
    void shouldWriteOneRecordPerRequestWithItsRouteEndpointStatusBytesAndFlags() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        final int deadPort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            deadPort = socket.getLocalPort();
        }
        try (TestBackend backend = new TestBackend("app"))
        {
            final MeshConfig config = new MeshConfig(1, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(route("dead", "/dead", "dead"), route("app", "/", "app")),
                List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))),
                    ClusterConfig.of("dead", List.of(new Endpoint("127.0.0.1", deadPort)))));
            final DataPlane dataPlane = DataPlane.start(config, counters);
            final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect((1 << 16) + RingBufferDescriptor.TRAILER_LENGTH)));
            dataPlane.accessLog().attach(ring);
            final long beforeMs = System.currentTimeMillis();
            try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                for (int i = 0; i < 10; i++)
                {
                    assertThat(client.send("POST /ok HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\n\r\nhello")
                        .read().status()).isEqualTo(200);
                }
                for (int i = 0; i < 3; i++)
                {
                    assertThat(client.send("GET /status/502 HTTP/1.1\r\nHost: app\r\n\r\n").read().status())
                        .isEqualTo(502);
                }
                for (int i = 0; i < 2; i++)
                {
                    assertThat(client.send("GET /dead HTTP/1.1\r\nHost: app\r\n\r\n").read().status())
                        .isEqualTo(502);
                }
                assertThat(client.send("GET / HTTP/1.1\r\nHost: nowhere\r\n\r\n").read().status())
                    .isEqualTo(404);
            }
            finally
            {
                dataPlane.close();
            }

            final List<Logged> logged = new ArrayList<>();
            final AccessLogRecord record = new AccessLogRecord();
            final AccessLogNames names = dataPlane.accessLog().names();
            ring.read((type, buffer, index, length) ->
            {
                record.wrap(buffer, index);
                logged.add(new Logged(record.status(), record.flags(), names.name(record.routeId()),
                    names.name(record.endpointId()), record.requestBytes(), record.responseBytes(),
                    record.attempts(), record.durationNs(), record.timeMs()));
            });

            assertThat(logged).hasSize(16);
            final String appEndpoint = new Endpoint("127.0.0.1", backend.port()).toString();
            assertThat(logged.subList(0, 10)).allSatisfy(l ->
            {
                assertThat(l.status()).isEqualTo(200);
                assertThat(l.flags()).isZero();
                assertThat(l.route()).isEqualTo("app");
                assertThat(l.endpoint()).isEqualTo(appEndpoint);
                assertThat(l.requestBytes()).isEqualTo(5);
                assertThat(l.responseBytes()).isEqualTo("app POST /ok".length());
                assertThat(l.attempts()).isEqualTo(1);
                assertThat(l.durationNs()).isPositive();
                assertThat(l.timeMs()).isGreaterThanOrEqualTo(beforeMs);
            });
            assertThat(logged.subList(10, 13)).allSatisfy(l ->
            {
                assertThat(l.status()).isEqualTo(502);
                assertThat(l.flags()).as("the upstream's answer").isZero();
                assertThat(l.responseBytes()).isEqualTo("app GET /status/502".length());
            });
            assertThat(logged.subList(13, 15)).allSatisfy(l ->
            {
                assertThat(l.status()).isEqualTo(502);
                assertThat(l.flags() & AccessLogDescriptor.FLAG_LOCAL).as("answered by the appliance").isNotZero();
                assertThat(l.route()).isEqualTo("dead");
                assertThat(l.requestBytes()).isZero();
            });
            assertThat(logged.get(15)).satisfies(l ->
            {
                assertThat(l.status()).as("no route: answered by the route stage").isEqualTo(404);
                assertThat(l.flags()).isEqualTo(AccessLogDescriptor.FLAG_LOCAL);
                assertThat(l.route()).isEmpty();
                assertThat(l.endpoint()).isEmpty();
                assertThat(l.attempts()).isZero();
            });
            assertThat(counters.get(DataPlaneCounter.ACCESS_LOG_DROPPED)).isZero();
        }
    }

    private static RouteConfig route(final String name, final String prefix, final String cluster)
    {
        return new RouteConfig(name, RouteMatch.prefix("app", prefix), RouteAction.Forward.to(cluster),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL);
    }
}
