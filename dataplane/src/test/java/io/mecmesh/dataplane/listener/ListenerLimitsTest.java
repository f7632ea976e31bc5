package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener's limits end to end on loopback: header count and size, request line, body size, the request-head
 * and idle timeouts (small timeouts, awaited with a deadline), connections per listener and requests per
 * connection.
 */
class ListenerLimitsTest
{
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final String GET = "GET /x HTTP/1.1\r\nHost: web.local\r\n\r\n";

    private TestBackend web;
    private DataPlaneCounters counters;
    private DataPlane dataPlane;

    @BeforeEach
    void startBackend()
    {
        web = new TestBackend("web");
        counters = new DataPlaneCounters();
    }

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        web.close();
    }

    private void start(final ListenerConfig.Builder listener)
    {
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(listener.build()),
            List.of(new RouteConfig("web.local", "/", "web")),
            List.of(ClusterConfig.of("web", List.of(new Endpoint("127.0.0.1", web.port()))))), counters);
    }

    private static ListenerConfig.Builder listener()
    {
        return ListenerConfig.builder("ingress", "127.0.0.1", 0);
    }

    private RawHttp connect() throws IOException
    {
        return new RawHttp(dataPlane.listenerAddress("ingress"));
    }

    @Test
    void shouldAnswer431AndCloseWhenThereAreTooManyHeaderFields() throws Exception
    {
        start(listener().maxHeaderCount(10));
        final StringBuilder request = new StringBuilder("GET /x HTTP/1.1\r\nHost: web.local\r\n");
        for (int i = 0; i < 10; i++)
        {
            request.append("X-").append(i).append(": v\r\n");
        }
        try (RawHttp raw = connect())
        {
            assertThat(raw.send(request.append("\r\n").toString()).read().status()).isEqualTo(431);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        try (RawHttp raw = connect())
        {
            assertThat(raw.send(GET).read().status()).as("ten fields are within the limit").isEqualTo(200);
        }
        assertThat(counters.get(DataPlaneCounter.REJECTED_HEADERS_TOO_LARGE)).isEqualTo(1);
        assertThat(web.requestLines()).containsExactly("GET /x");
    }

    @Test
    void shouldCountHeaderBytesAndRequestLineRejectionsByReason() throws Exception
    {
        start(listener().maxHeaderBytes(1024).maxRequestLineBytes(256));
        try (RawHttp raw = connect())
        {
            assertThat(raw.send("GET /x HTTP/1.1\r\nHost: web.local\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n")
                .read().status()).isEqualTo(431);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        try (RawHttp raw = connect())
        {
            assertThat(raw.send("GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: web.local\r\n\r\n").read().status())
                .isEqualTo(414);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(counters.get(DataPlaneCounter.REJECTED_HEADERS_TOO_LARGE)).isEqualTo(1);
        assertThat(counters.get(DataPlaneCounter.REJECTED_URI_TOO_LONG)).isEqualTo(1);
        assertThat(counters.get(DataPlaneCounter.RESPONSES_4XX)).isEqualTo(2);
        assertThat(web.requestLines()).isEmpty();
    }

    @Test
    void shouldAnswer413BeforeForwardingWhenContentLengthIsOverTheLimit() throws Exception
    {
        start(listener().maxRequestBodyBytes(1000));
        try (RawHttp raw = connect())
        {
            final RawHttp.Response response =
                raw.send("POST /x HTTP/1.1\r\nHost: web.local\r\nContent-Length: 1001\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).isEmpty();
        assertThat(counters.get(DataPlaneCounter.REJECTED_BODY_TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void shouldForwardBodiesUpToTheLimitExactly() throws Exception
    {
        start(listener().maxRequestBodyBytes(1000));
        try (RawHttp raw = connect())
        {
            final String chunk = "a".repeat(500);
            final RawHttp.Response fixed = raw.send("POST /x HTTP/1.1\r\nHost: web.local\r\nContent-Length: 1000\r\n"
                + "\r\n" + "a".repeat(1000)).read();
            final RawHttp.Response chunked = raw.send("POST /y HTTP/1.1\r\nHost: web.local\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n1f4\r\n" + chunk + "\r\n1f4\r\n" + chunk + "\r\n0\r\n\r\n").read();

            assertThat(fixed.status()).isEqualTo(200);
            assertThat(chunked.status()).isEqualTo(200);
        }
        assertThat(counters.get(DataPlaneCounter.REJECTED_BODY_TOO_LARGE)).isZero();
    }

    @Test
    void shouldAnswer413AndCloseWhenAChunkedBodyGrowsOverTheLimit() throws Exception
    {
        start(listener().maxRequestBodyBytes(1000));
        try (RawHttp raw = connect())
        {
            final String chunk = "a".repeat(600);
            final RawHttp.Response response = raw.send("POST /x HTTP/1.1\r\nHost: web.local\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: web.local\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(413);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).doesNotContain("GET /smuggled");
        assertThat(counters.get(DataPlaneCounter.REJECTED_BODY_TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void shouldCloseWithoutA413WhenTheBodyGrowsOverTheLimitAfterTheResponseStarted() throws Exception
    {
        start(listener().maxRequestBodyBytes(1000));
        try (Socket socket = new Socket())
        {
            socket.connect(dataPlane.listenerAddress("ingress"), 2000);
            socket.setSoTimeout(5000);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            out.write(("POST /echo HTTP/1.1\r\nHost: web.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "258\r\n" + "a".repeat(600) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final byte[] status = in.readNBytes("HTTP/1.1 200".length());
            assertThat(new String(status, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");

            out.write(("258\r\n" + "b".repeat(600) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            final String rest = readUntilClosed(in);

            assertThat(rest).doesNotContain("413");
        }
        Await.until("the rejection is counted", DEADLINE,
            () -> counters.get(DataPlaneCounter.REJECTED_BODY_TOO_LARGE) == 1);
        assertThat(counters.get(DataPlaneCounter.RESPONSES_4XX)).isZero();
    }

    @Test
    void shouldAnswer408AndCloseWhenARequestHeadIsNotCompleteInTime() throws Exception
    {
        start(listener().requestHeaderTimeoutMs(200).idleTimeoutMs(60_000));
        try (RawHttp raw = connect())
        {
            final long startNs = System.nanoTime();
            final RawHttp.Response response = raw.send("GET /x HTTP/1.1\r\nHost: web.lo").read();
            final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
            assertThat(elapsedMs).as("not before the timeout").isGreaterThanOrEqualTo(150);
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_HEADER_TIMEOUTS)).isEqualTo(1);
        assertThat(web.requestLines()).isEmpty();
    }

    @Test
    void shouldTimeTheHeadOfTheNextRequestOnAKeepAliveConnection() throws Exception
    {
        start(listener().requestHeaderTimeoutMs(200).idleTimeoutMs(60_000));
        try (RawHttp raw = connect())
        {
            assertThat(raw.send(GET).read().status()).isEqualTo(200);
            assertThat(raw.send(GET).read().status()).isEqualTo(200);

            assertThat(raw.send("GET /slow HTTP/1.1\r\n").read().status()).isEqualTo(408);
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).containsExactly("GET /x", "GET /x");
    }

    @Test
    void shouldCloseAConnectionThatStaysIdle() throws Exception
    {
        start(listener().idleTimeoutMs(200));
        try (RawHttp fresh = connect(); RawHttp keptAlive = connect())
        {
            assertThat(keptAlive.send(GET).read().status()).isEqualTo(200);

            assertThat(fresh.isClosedByPeer()).as("a connection that never sends").isTrue();
            assertThat(keptAlive.isClosedByPeer()).as("a connection idle after a response").isTrue();
        }
        Await.until("both idle closes are counted", DEADLINE,
            () -> counters.get(DataPlaneCounter.IDLE_TIMEOUTS) == 2);
        assertThat(counters.get(DataPlaneCounter.REQUEST_HEADER_TIMEOUTS)).isZero();
    }

    @Test
    void shouldNotTimeOutARequestWhoseExchangeOutlastsTheTimeouts() throws Exception
    {
        start(listener().idleTimeoutMs(100).requestHeaderTimeoutMs(100));
        try (RawHttp raw = connect(); RawHttp clock = connect())
        {
            raw.send("POST /echo HTTP/1.1\r\nHost: web.local\r\nTransfer-Encoding: chunked\r\n\r\n");
            Await.until("the head reached the backend", DEADLINE, () -> web.requestLines().size() == 1);
            assertThat(clock.isClosedByPeer()).as("an idle connection times out meanwhile").isTrue();
            Await.until("the idle timeout is counted", DEADLINE,
                () -> counters.get(DataPlaneCounter.IDLE_TIMEOUTS) == 1);

            final RawHttp.Response response = raw.send("3\r\nabc\r\n0\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("abc");
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_HEADER_TIMEOUTS)).isZero();
    }

    @Test
    void shouldRefuseConnectionsBeyondTheListenersMaximumAtAccept() throws Exception
    {
        start(listener().maxConnections(2));
        final InetSocketAddress address = dataPlane.listenerAddress("ingress");
        try (RawHttp first = new RawHttp(address); RawHttp second = new RawHttp(address))
        {
            assertThat(first.send(GET).read().status()).isEqualTo(200);
            assertThat(second.send(GET).read().status()).isEqualTo(200);
            try (RawHttp third = new RawHttp(address))
            {
                third.send(GET);
                assertThat(third.isClosedByPeer()).isTrue();
            }
            assertThat(counters.get(DataPlaneCounter.CONNECTIONS_REFUSED)).isEqualTo(1);
        }
        Await.until("a connection is accepted again once others closed", DEADLINE, () ->
        {
            try (RawHttp again = new RawHttp(address))
            {
                return again.send(GET).read().status() == 200;
            }
            catch (final IOException ex)
            {
                return false;
            }
        });
        assertThat(web.requestLines()).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldCloseAfterTheLastRequestAllowedOnAConnection() throws Exception
    {
        start(listener().maxRequestsPerConnection(3));
        try (RawHttp raw = connect())
        {
            raw.send("GET /1 HTTP/1.1\r\nHost: web.local\r\n\r\n"
                + "GET /2 HTTP/1.1\r\nHost: web.local\r\n\r\n"
                + "GET /3 HTTP/1.1\r\nHost: web.local\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\n\r\n"
                + "GET /4 HTTP/1.1\r\nHost: web.local\r\n\r\n");

            assertThat(raw.read().headers()).doesNotContainKey("connection");
            assertThat(raw.read().headers()).doesNotContainKey("connection");
            final RawHttp.Response third = raw.read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.headers()).containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(web.requestLines()).containsExactly("GET /1", "GET /2", "GET /3");
        assertThat(web.requests().get(2).headers().contains("x-secret")).isFalse();
        assertThat(counters.get(DataPlaneCounter.MAX_REQUESTS_CLOSES)).isEqualTo(1);
    }

    private static String readUntilClosed(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream read = new ByteArrayOutputStream();
        final byte[] buffer = new byte[4096];
        try
        {
            int n;
            while ((n = in.read(buffer)) != -1)
            {
                read.write(buffer, 0, n);
            }
        }
        catch (final java.net.SocketException ex)
        {
            // a reset after the proxy closed with unread input is a close too
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }
}
