package io.mecmesh.dataplane.lifecycle;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.error.DataPlaneException;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DataPlane#update} changes listeners without a restart: a changed listener is bound again with its new
 * settings while the connections it accepted before go on; a new listener answers; a removed one refuses new
 * connections and drains the requests in flight.
 */
class ListenerRebindTest
{
    private static final String TEN_HEADERS = "GET /many HTTP/1.1\r\nHost: app\r\n"
        + "a: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\ne: 5\r\nf: 6\r\ng: 7\r\nh: 8\r\ni: 9\r\n\r\n";

    private static MeshConfig config(final long version, final TransportKind transport, final int backendPort,
        final List<ListenerConfig> listeners)
    {
        return new MeshConfig(version, transport, 1, listeners,
            List.of(new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backendPort)))));
    }

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"NIO", "AUTO"})
    void shouldKeepAnEstablishedConnectionWorkingWhenItsListenerIsRebound(final TransportKind transport)
        throws IOException
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final int port = fixedFreePort();
            final DataPlane dataPlane = DataPlane.start(config(0, transport, backend.port(),
                List.of(ListenerConfig.of("ingress", "127.0.0.1", port))), new DataPlaneCounters());
            try
            {
                final InetSocketAddress address = dataPlane.listenerAddress("ingress");
                try (RawHttp before = new RawHttp(address))
                {
                    assertThat(before.send("GET /one HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);

                    dataPlane.update(config(1, transport, backend.port(), List.of(
                        ListenerConfig.builder("ingress", "127.0.0.1", port).maxHeaderCount(5).build())));

                    assertThat(dataPlane.listenerAddress("ingress")).isEqualTo(address);
                    assertThat(dataPlane.isReady()).isTrue();
                    final RawHttp.Response old = before.send(TEN_HEADERS).read();
                    assertThat(old.status()).as("the old connection keeps its old limits").isEqualTo(200);
                    assertThat(old.body()).isEqualTo("app GET /many");
                    try (RawHttp after = new RawHttp(address))
                    {
                        assertThat(after.send(TEN_HEADERS).read().status())
                            .as("a new connection gets the new limits").isEqualTo(431);
                    }
                    assertThat(before.send("GET /two HTTP/1.1\r\nHost: app\r\n\r\n").read().body())
                        .isEqualTo("app GET /two");
                }
                assertThat(dataPlane.config().version()).isEqualTo(1);
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldRebindAListenerOfPortZeroOnThePortItHas() throws IOException
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = DataPlane.start(config(0, TransportKind.AUTO, backend.port(),
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0))), new DataPlaneCounters());
            try
            {
                final InetSocketAddress address = dataPlane.listenerAddress("ingress");
                dataPlane.update(config(1, TransportKind.AUTO, backend.port(), List.of(
                    ListenerConfig.builder("ingress", "127.0.0.1", 0).maxHeaderCount(5).build())));

                assertThat(dataPlane.listenerAddress("ingress")).isEqualTo(address);
                try (RawHttp after = new RawHttp(address))
                {
                    assertThat(after.send(TEN_HEADERS).read().status()).isEqualTo(431);
                }
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldAnswerOnANewListenerAfterTheUpdate() throws IOException
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = DataPlane.start(config(0, TransportKind.AUTO, backend.port(),
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0))), new DataPlaneCounters());
            try
            {
                final InetSocketAddress first = dataPlane.listenerAddress("ingress");
                dataPlane.update(config(1, TransportKind.AUTO, backend.port(), List.of(
                    ListenerConfig.of("ingress", "127.0.0.1", 0), ListenerConfig.of("second", "127.0.0.1", 0))));

                assertThat(dataPlane.listenerAddress("ingress")).as("an unchanged listener is kept").isEqualTo(first);
                assertThat(dataPlane.listenerAddresses()).hasSize(2);
                try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("second")))
                {
                    assertThat(raw.send("GET /new HTTP/1.1\r\nHost: app\r\n\r\n").read().body())
                        .isEqualTo("app GET /new");
                }
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldRefuseNewConnectionsOnARemovedListenerWhileItsRequestInFlightCompletes() throws Exception
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlaneCounters counters = new DataPlaneCounters();
            final DataPlane dataPlane = DataPlane.start(config(0, TransportKind.AUTO, backend.port(), List.of(
                ListenerConfig.of("ingress", "127.0.0.1", 0), ListenerConfig.of("second", "127.0.0.1", 0))),
                counters);
            try
            {
                final InetSocketAddress removed = dataPlane.listenerAddress("second");
                try (RawHttp idle = new RawHttp(removed); RawHttp busy = new RawHttp(removed))
                {
                    assertThat(idle.send("GET /warm HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);
                    busy.send("GET /delay/600 HTTP/1.1\r\nHost: app\r\n\r\n");
                    Await.until("the slow request at the backend", Duration.ofSeconds(5),
                        () -> backend.requestLines().contains("GET /delay/600"));

                    dataPlane.update(config(1, TransportKind.AUTO, backend.port(),
                        List.of(ListenerConfig.of("ingress", "127.0.0.1", 0))), 10_000);

                    assertThatThrownBy(() -> new RawHttp(removed).close()).isInstanceOf(ConnectException.class);
                    assertThat(idle.isClosedByPeer()).as("an idle connection of the removed listener closes")
                        .isTrue();
                    final RawHttp.Response response = busy.read();
                    assertThat(response.status()).isEqualTo(200);
                    assertThat(response.headers()).containsEntry("connection", "close");
                    assertThat(response.body()).isEqualTo("app GET /delay/600");
                    assertThat(busy.isClosedByPeer()).isTrue();
                }
                assertThatThrownBy(() -> dataPlane.listenerAddress("second"))
                    .isInstanceOf(IllegalArgumentException.class);
                try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
                {
                    assertThat(raw.send("GET /still HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);
                }
                assertThat(counters.get(DataPlaneCounter.DOWNSTREAM_RESETS)).isZero();
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldLetAnHttp2StreamInFlightOnARemovedListenerComplete() throws Exception
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = DataPlane.start(config(0, TransportKind.AUTO, backend.port(), List.of(
                ListenerConfig.of("ingress", "127.0.0.1", 0), ListenerConfig.of("second", "127.0.0.1", 0))),
                new DataPlaneCounters());
            try
            {
                final Process curl = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null",
                    "-w", "%{http_code} %{http_version}",
                    "http://127.0.0.1:" + dataPlane.listenerAddress("second").getPort() + "/delay/600")
                    .redirectErrorStream(true).start();
                Await.until("the slow stream at the backend", Duration.ofSeconds(10),
                    () -> backend.requestLines().contains("GET /delay/600"));

                dataPlane.update(config(1, TransportKind.AUTO, backend.port(),
                    List.of(ListenerConfig.of("ingress", "127.0.0.1", 0))), 10_000);

                final String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(output).isEqualTo("200 2");
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldKeepTheRunningConfigurationWhenANewListenerCannotBind() throws IOException
    {
        try (TestBackend backend = new TestBackend("app");
            ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final DataPlane dataPlane = DataPlane.start(config(0, TransportKind.AUTO, backend.port(),
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0))), new DataPlaneCounters());
            try
            {
                assertThatThrownBy(() -> dataPlane.update(config(1, TransportKind.AUTO, backend.port(), List.of(
                    ListenerConfig.of("ingress", "127.0.0.1", 0),
                    ListenerConfig.of("taken", "127.0.0.1", taken.getLocalPort())))))
                    .isInstanceOf(DataPlaneException.class)
                    .hasMessageContaining("listener \"taken\" cannot bind");

                assertThat(dataPlane.config().version()).isZero();
                assertThat(dataPlane.listenerAddresses()).hasSize(1);
                try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
                {
                    assertThat(raw.send("GET /ok HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);
                }
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    /**
     * A free port below the kernel's ephemeral range, as a configured listener port is: a port the kernel handed
     * out for port 0 may be shared with other programs' connections, which can refuse binding it again explicitly.
     */
    private static int fixedFreePort()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int port = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
            try (ServerSocket probe = new ServerSocket())
            {
                probe.bind(new InetSocketAddress("127.0.0.1", port), 1);
                return port;
            }
            catch (final IOException ex)
            {
                continue;
            }
        }
        throw new AssertionError("no free port between 20000 and 30000");
    }
}
