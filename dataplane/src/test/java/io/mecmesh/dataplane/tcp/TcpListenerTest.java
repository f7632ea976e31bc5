package io.mecmesh.dataplane.tcp;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * L4 listeners: bytes relayed unchanged to the listener's cluster (here an HTTP server, spoken to through the
 * relay), ends of connections propagated, unreachable upstreams counted.
 */
class TcpListenerTest
{
    private static DataPlane start(final int upstreamPort, final DataPlaneCounters counters)
    {
        return start(upstreamPort, counters, ListenerConfig.DEFAULT_IDLE_TIMEOUT_MS);
    }

    private static DataPlane start(final int upstreamPort, final DataPlaneCounters counters, final long idleTimeoutMs)
    {
        return DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("tcp-in", "127.0.0.1", 0).tcpCluster("app").idleTimeoutMs(idleTimeoutMs)
                .build()),
            List.of(),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", upstreamPort))))), counters);
    }

    @Test
    void shouldRelayBytesBothWaysUnchanged() throws IOException
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlaneCounters counters = new DataPlaneCounters();
            final DataPlane dataPlane = start(backend.port(), counters);
            try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("tcp-in")))
            {
                final String body = "x".repeat(1024 * 1024);
                final RawHttp.Response echo = raw.send("POST /echo HTTP/1.1\r\nHost: anything\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).read();
                final RawHttp.Response hello = raw.send("GET /hello HTTP/1.1\r\nHost: anything\r\n\r\n").read();

                assertThat(echo.body()).isEqualTo(body);
                assertThat(hello.body()).isEqualTo("app GET /hello");
                assertThat(hello.headers()).doesNotContainKey("x-mecmesh-answered-by");
            }
            finally
            {
                dataPlane.close();
            }
            assertThat(backend.connectionCount()).isEqualTo(1);
            assertThat(counters.get(DataPlaneCounter.TCP_CONNECTIONS)).isEqualTo(1);
            assertThat(counters.get(DataPlaneCounter.REQUESTS)).as("no HTTP processing on an L4 listener").isZero();
        }
    }

    @Test
    void shouldCloseTheClientWhenTheUpstreamCloses() throws IOException
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = start(backend.port(), new DataPlaneCounters());
            try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("tcp-in")))
            {
                assertThat(raw.send("GET /bye HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read().status())
                    .isEqualTo(200);
                assertThat(raw.isClosedByPeer()).isTrue();
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldCloseAndCountWhenTheUpstreamIsUnreachable() throws IOException
    {
        final int dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            dead = socket.getLocalPort();
        }
        final DataPlaneCounters counters = new DataPlaneCounters();
        final DataPlane dataPlane = start(dead, counters);
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("tcp-in")))
        {
            assertThat(raw.isClosedByPeer()).isTrue();
            Await.until("the failure counted", Duration.ofSeconds(5),
                () -> counters.get(DataPlaneCounter.TCP_CONNECT_FAILURES) == 1);
        }
        finally
        {
            dataPlane.close();
        }
    }

    @Test
    void shouldCloseBothSidesAfterTheIdleTimeoutWithNoBytesEitherWay() throws IOException
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlaneCounters counters = new DataPlaneCounters();
            final DataPlane dataPlane = start(backend.port(), counters, 1000);
            try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("tcp-in")))
            {
                final long activeUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                for (int i = 0; i < 200 && System.nanoTime() - activeUntil < 0; i++)
                {
                    assertThat(raw.send("GET /busy HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
                        .as("bytes moving keep the relay open past its idle timeout").isEqualTo(200);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                assertThat(counters.get(DataPlaneCounter.IDLE_TIMEOUTS)).isZero();

                final long quietSince = System.nanoTime();
                assertThat(raw.isClosedByPeer()).as("closed after a second with no byte").isTrue();
                assertThat(System.nanoTime() - quietSince).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(800));
                Await.until("the idle close counted", Duration.ofSeconds(5),
                    () -> counters.get(DataPlaneCounter.IDLE_TIMEOUTS) == 1);
            }
            finally
            {
                dataPlane.close();
            }
            assertThat(backend.connectionCount()).isEqualTo(1);
        }
    }
}
