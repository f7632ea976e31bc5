package io.mecmesh.dataplane.lifecycle;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Shutdown drains: no new connections, requests in flight finish with {@code Connection: close}, idle keep-alive
 * connections close at once.
 */
class DrainTest
{
    @Test
    void shouldFinishARequestInFlightAndCloseIdleConnectionsOnClose() throws Exception
    {
        final TestBackend backend = new TestBackend("app");
        final DataPlaneCounters counters = new DataPlaneCounters();
        final DataPlane dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))))), counters);
        final InetSocketAddress address = dataPlane.listenerAddress("ingress");
        try (RawHttp idle = new RawHttp(address); RawHttp busy = new RawHttp(address))
        {
            assertThat(idle.send("GET /warm HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);
            busy.send("GET /delay/600 HTTP/1.1\r\nHost: app\r\n\r\n");
            Await.until("the slow request at the backend", Duration.ofSeconds(5),
                () -> backend.requestLines().contains("GET /delay/600"));

            final CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> dataPlane.close(10_000));

            assertThat(idle.isClosedByPeer()).as("an idle keep-alive connection closes at once").isTrue();
            final RawHttp.Response response = busy.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(response.body()).isEqualTo("app GET /delay/600");
            closing.get(15, TimeUnit.SECONDS);
            assertThat(counters.get(DataPlaneCounter.DOWNSTREAM_RESETS)).isZero();
            assertThatThrownBy(() -> new RawHttp(address).close()).isInstanceOf(ConnectException.class);
        }
        finally
        {
            backend.close();
        }
    }
}
