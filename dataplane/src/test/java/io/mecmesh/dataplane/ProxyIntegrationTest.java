package io.mecmesh.dataplane;

import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP/1.1 proxy end to end on loopback: a real client, the data plane, and real backends.
 */
class ProxyIntegrationTest
{
    private TestBackend web;
    private TestBackend api;
    private DataPlaneCounters counters;
    private DataPlane dataPlane;
    private HttpClient client;

    @BeforeEach
    void start()
    {
        web = new TestBackend("web");
        api = new TestBackend("api");
        counters = new DataPlaneCounters();
        dataPlane = DataPlane.start(config(TransportKind.AUTO, web.port(), api.port()), counters);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
            .build();
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
        web.close();
        api.close();
    }

    static MeshConfig config(final TransportKind transport, final int webPort, final int apiPort)
    {
        return new MeshConfig(0, transport, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(
                new RouteConfig("web.local", "/api", "api"),
                new RouteConfig("web.local", "/", "web"),
                new RouteConfig("api.local", "/", "api")),
            List.of(
                ClusterConfig.of("web", List.of(new Endpoint("127.0.0.1", webPort))),
                ClusterConfig.of("api", List.of(new Endpoint("127.0.0.1", apiPort)))));
    }

    private URI uri(final String path)
    {
        return URI.create("http://" + hostPort() + path);
    }

    private String hostPort()
    {
        final InetSocketAddress address = dataPlane.listenerAddress("ingress");
        return "127.0.0.1:" + address.getPort();
    }

    private HttpRequest.Builder request(final String host, final String path)
    {
        return HttpRequest.newBuilder(uri(path)).header("Host", host).timeout(Duration.ofSeconds(5));
    }

    @Test
    void shouldForwardRequestToClusterChosenByHost() throws Exception
    {
        final HttpResponse<String> web = client.send(request("web.local", "/hello").build(),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> api = client.send(request("api.local", "/hello").build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(web.statusCode()).isEqualTo(200);
        assertThat(web.body()).isEqualTo("web GET /hello");
        assertThat(api.body()).isEqualTo("api GET /hello");
        assertThat(counters.get(DataPlaneCounter.REQUESTS)).isEqualTo(2);
        assertThat(counters.get(DataPlaneCounter.RESPONSES_2XX)).isEqualTo(2);
    }

    @Test
    void shouldTakeTheFirstRouteThatMatchesInConfigurationOrder() throws Exception
    {
        final HttpResponse<String> response = client.send(request("web.local", "/api/v1/x").build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.body()).isEqualTo("api GET /api/v1/x");
    }

    @Test
    void shouldMatchHostCaseInsensitivelyAndIgnoreItsPort() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response =
                raw.send("GET /x HTTP/1.1\r\nHost: WEB.Local:8080\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("web GET /x");
        }
    }

    @Test
    void shouldStreamOneMebibyteBodyThroughUnchanged() throws Exception
    {
        final byte[] body = new byte[1024 * 1024];
        new Random(42).nextBytes(body);

        final HttpResponse<byte[]> fixedLength = client.send(
            request("web.local", "/echo").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        final HttpResponse<byte[]> chunked = client.send(
            request("web.local", "/echo").POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(body))).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertThat(fixedLength.statusCode()).isEqualTo(200);
        assertThat(fixedLength.body()).isEqualTo(body);
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertThat(chunked.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(chunked.body()).isEqualTo(body);
    }

    @Test
    void shouldReuseOneUpstreamConnectionForManyRequests() throws Exception
    {
        for (int i = 0; i < 50; i++)
        {
            final HttpResponse<String> response = client.send(request("web.local", "/r" + i).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("web GET /r" + i);
        }

        assertThat(web.requestLines()).hasSize(50);
        assertThat(web.connectionCount()).isEqualTo(1);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_CONNECTIONS)).isEqualTo(1);
    }

    @Test
    void shouldReuseUpstreamConnectionAcrossDownstreamConnections() throws Exception
    {
        for (int i = 0; i < 5; i++)
        {
            try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                assertThat(raw.send("GET /c" + i + " HTTP/1.1\r\nHost: web.local\r\nConnection: close\r\n\r\n")
                    .read().status()).isEqualTo(200);
                assertThat(raw.isClosedByPeer()).isTrue();
            }
        }

        assertThat(web.connectionCount()).isEqualTo(1);
    }

    @Test
    void shouldAnswerAKeepAliveHttp10ClientWithConnectionKeepAliveAndKeepItsConnection() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response first = raw.send("GET /one HTTP/1.0\r\nHost: web.local\r\n"
                + "Connection: keep-alive\r\n\r\n").read();
            final RawHttp.Response second = raw.send("GET /two HTTP/1.0\r\nHost: web.local\r\n\r\n").read();

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.headers()).containsEntry("connection", "keep-alive");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.headers()).containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).containsExactly("GET /one", "GET /two");
    }

    @Test
    void shouldAnswer404WhenNoRouteMatchesAndKeepTheConnection() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response unknown = raw.send("GET / HTTP/1.1\r\nHost: unknown.example\r\n\r\n").read();
            final RawHttp.Response known = raw.send("GET /after HTTP/1.1\r\nHost: web.local\r\n\r\n").read();

            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.headers()).containsEntry(DirectResponse.ANSWERED_BY_HEADER, "mecmesh");
            assertThat(known.status()).isEqualTo(200);
            assertThat(known.body()).isEqualTo("web GET /after");
        }
        assertThat(counters.get(DataPlaneCounter.NO_ROUTE)).isEqualTo(1);
        assertThat(counters.get(DataPlaneCounter.RESPONSES_4XX)).isEqualTo(1);
        assertThat(web.requestLines()).containsExactly("GET /after");
    }

    @Test
    void shouldDropBodyOfUnroutedRequestWithoutForwardingIt() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response unknown = raw.send("POST / HTTP/1.1\r\nHost: nowhere\r\nContent-Length: 41\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: web.local\r\n\r\n").read();
            final RawHttp.Response known = raw.send("GET /next HTTP/1.1\r\nHost: web.local\r\n\r\n").read();

            assertThat(unknown.status()).isEqualTo(404);
            assertThat(known.status()).isEqualTo(200);
        }
        assertThat(web.requestLines()).containsExactly("GET /next");
    }

    @Test
    void shouldAnswer502WhenUpstreamIsDown() throws Exception
    {
        final int deadPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            deadPort = socket.getLocalPort();
        }
        dataPlane.close();
        dataPlane = DataPlane.start(config(TransportKind.AUTO, deadPort, api.port()), counters);

        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response failed = raw.send("GET / HTTP/1.1\r\nHost: web.local\r\n\r\n").read();
            final RawHttp.Response next = raw.send("GET / HTTP/1.1\r\nHost: api.local\r\n\r\n").read();

            assertThat(failed.status()).isEqualTo(502);
            assertThat(failed.headers()).containsEntry(DirectResponse.ANSWERED_BY_HEADER, "mecmesh");
            assertThat(next.status()).as("a bodiless request's connection survives a 502").isEqualTo(200);
        }
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES))
            .as("the first attempt and the default policy's two retries").isEqualTo(3);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRIES)).isEqualTo(2);
        assertThat(counters.get(DataPlaneCounter.RESPONSES_5XX)).isEqualTo(1);
    }

    @Test
    void shouldAnswer400AndCloseOnMalformedHeader() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response =
                raw.send("GET / HTTP/1.1\r\nHost: web.local\r\nBad Header: x\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).isEmpty();
        assertThat(counters.get(DataPlaneCounter.BAD_REQUESTS)).isEqualTo(1);
    }

    @Test
    void shouldAnswer400AndCloseOnGarbageRequestLine() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response = raw.send("HELLO\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).isEmpty();
    }

    @Test
    void shouldAnswer414WhenRequestLineIsTooLong() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response =
                raw.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: web.local\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(414);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).isEmpty();
    }

    @Test
    void shouldAnswer431WhenHeadersAreTooLarge() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response =
                raw.send("GET / HTTP/1.1\r\nHost: web.local\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(431);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).isEmpty();
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            raw.send("GET /one HTTP/1.1\r\nHost: web.local\r\n\r\n"
                + "GET /two HTTP/1.1\r\nHost: api.local\r\n\r\n"
                + "GET /three HTTP/1.1\r\nHost: web.local\r\n\r\n");

            assertThat(raw.read().body()).isEqualTo("web GET /one");
            assertThat(raw.read().body()).isEqualTo("api GET /two");
            assertThat(raw.read().body()).isEqualTo("web GET /three");
        }
    }

    @Test
    void shouldCloseHttp10ConnectionAfterResponseUnlessKeepAliveAsked() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response = raw.send("GET /old HTTP/1.0\r\nHost: web.local\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("web GET /old");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void shouldCloseDelimitAResponseWithoutLengthToAnHttp10ClientInsteadOfChunkingIt() throws Exception
    {
        // The echo backend answers a request without Content-Length chunked; HTTP/1.0 has no chunked coding.
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            final RawHttp.Response response = raw.send("GET /echo HTTP/1.0\r\nHost: web.local\r\n"
                + "Connection: keep-alive\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers()).doesNotContainKey("transfer-encoding")
                .doesNotContainKey("content-length")
                .containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).containsExactly("GET /echo");
    }

    @Test
    void shouldStripHopByHopHeadersBeforeForwarding() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            raw.send("GET /h HTTP/1.1\r\nHost: web.local\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\n"
                + "Keep-Alive: timeout=5\r\nX-Kept: k\r\n\r\n").read();
        }
        final io.netty.handler.codec.http.HttpHeaders forwarded = web.requests().get(0).headers();
        assertThat(forwarded.get("x-kept")).isEqualTo("k");
        assertThat(forwarded.contains("x-secret")).isFalse();
        assertThat(forwarded.contains("keep-alive")).isFalse();
        assertThat(forwarded.contains("connection")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"IO_URING", "EPOLL", "NIO"})
    void shouldProxyOnEveryTransport(final TransportKind transport) throws Exception
    {
        dataPlane.close();
        dataPlane = DataPlane.start(config(transport, web.port(), api.port()), counters);

        final HttpResponse<String> response = client.send(request("web.local", "/t").build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(dataPlane.transport().kind()).isEqualTo(transport);
        assertThat(response.body()).isEqualTo("web GET /t");
    }

    @Test
    void shouldReportReadyOnlyWhileListenersAreBound()
    {
        assertThat(dataPlane.isReady()).isTrue();
        dataPlane.close();
        assertThat(dataPlane.isReady()).isFalse();
    }

    @Test
    void shouldFailStartNamingTheListenerWhenThePortIsTaken() throws IOException
    {
        final int taken = dataPlane.listenerAddress("ingress").getPort();
        final MeshConfig clash = new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("second", "127.0.0.1", taken)),
            List.of(), List.of());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataPlane.start(clash, new DataPlaneCounters()))
            .isInstanceOf(DataPlaneException.class)
            .hasMessageContaining("listener \"second\" cannot bind 127.0.0.1:" + taken);
    }
}
