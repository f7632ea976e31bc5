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
import io.mecmesh.dataplane.testing.RawHttp2;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.handler.codec.http2.Http2Error;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener's limits end to end on loopback: header count and size, request line, body size, the request-head
 * and idle timeouts (small timeouts, awaited with a deadline), connections per listener and requests per
 * connection; and the idle, header and body timeouts with raw-socket clients that write HTTP/1.1 and HTTP/2 bytes
 * themselves (a connection that only sent its preface and SETTINGS, a header block that never ends, a body that
 * stalls after 10 of its 100 declared bytes, to a route that forwards and to one answered at once, 404). Each close
 * is asserted not to come before its timeout, and to come within the socket's read timeout.
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

    // raw-socket timeouts (HTTP/2 written frame by frame, HTTP/1.1 byte by byte)
    private static final long TIMEOUT_MS = 300;
    private static final long NOT_BEFORE_MS = TIMEOUT_MS - 50;
    private static final String STALLED_POST_HEAD = "POST /x HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\n";

    private RawHttp2 connectHttp2() throws Exception
    {
        return new RawHttp2(dataPlane.listenerAddress("ingress"));
    }

    private static long millisSince(final long startNs)
    {
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    @Test
    void shouldCloseAnHttp2ConnectionWithGoAwayWhenItHasNoStreamAndSendsNothingForTheIdleTimeout() throws Exception
    {
        start(listener().idleTimeoutMs(TIMEOUT_MS));
        try (RawHttp2 raw = connectHttp2())
        {
            final long startNs = System.nanoTime();
            final RawHttp2.Frame goAway = raw.readUntilClosed();
            final long elapsedMs = millisSince(startNs);

            assertThat(goAway).as("GOAWAY before the close").isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            assertThat(goAway.goAwayLastStreamId()).isZero();
            assertThat(elapsedMs).as("not before the idle timeout").isGreaterThanOrEqualTo(NOT_BEFORE_MS);
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_IDLE_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void shouldKeepAnHttp2ConnectionOpenWhileAStreamIsInProgress() throws Exception
    {
        start(listener().idleTimeoutMs(TIMEOUT_MS));
        try (RawHttp2 raw = connectHttp2())
        {
            // a request whose body never ends: the stream stays open well past the idle timeout
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1, raw.headerBlock("POST", "web.local", "/x"));
            Await.until("the head reached the backend", DEADLINE, () -> web.requestLines().size() == 1);
            final long startNs = System.nanoTime();
            Await.until("three idle timeouts passed", DEADLINE, () -> millisSince(startNs) > 3 * TIMEOUT_MS);

            raw.frame(RawHttp2.DATA, RawHttp2.END_STREAM, 1, "done".getBytes(StandardCharsets.US_ASCII));
            final RawHttp2.Frame response = raw.read();
            assertThat(response.type()).isEqualTo(RawHttp2.HEADERS);
            assertThat(raw.decode(response).status().toString()).isEqualTo("200");
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_IDLE_TIMEOUTS)).isZero();
    }

    @Test
    void shouldCloseAnHttp2ConnectionWhoseHeaderBlockDoesNotEndInTime() throws Exception
    {
        start(listener().requestHeaderTimeoutMs(TIMEOUT_MS));
        try (RawHttp2 raw = connectHttp2())
        {
            final long startNs = System.nanoTime();
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM, 1, raw.headerBlock("GET", "web.local", "/x"));
            final RawHttp2.Frame goAway = raw.readUntilClosed();
            final long elapsedMs = millisSince(startNs);

            assertThat(goAway).as("GOAWAY before the close").isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(elapsedMs).as("not before the header timeout").isGreaterThanOrEqualTo(NOT_BEFORE_MS);
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_HEADER_TIMEOUTS)).isEqualTo(1);
        assertThat(web.requestLines()).isEmpty();
    }

    @Test
    void shouldCloseAnHttp2ConnectionWhoseContinuationsNeverEnd() throws Exception
    {
        start(listener().requestHeaderTimeoutMs(TIMEOUT_MS));
        try (RawHttp2 raw = connectHttp2())
        {
            final byte[] block = raw.headerBlock("GET", "web.local", "/x", "x-a", "1");
            final byte[] first = Arrays.copyOfRange(block, 0, block.length / 2);
            final byte[] second = Arrays.copyOfRange(block, block.length / 2, block.length);
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_STREAM, 1, first);
            final long startNs = System.nanoTime();
            raw.frame(RawHttp2.CONTINUATION, 0, 1, second);

            assertThat(raw.readUntilClosed()).as("GOAWAY before the close").isNotNull();
            assertThat(millisSince(startNs)).isLessThan(DEADLINE.toMillis());
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_HEADER_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void shouldAnswer408OnAnHttp2StreamWhoseBodyStalls() throws Exception
    {
        start(listener().requestBodyTimeoutMs(TIMEOUT_MS));
        try (RawHttp2 raw = connectHttp2())
        {
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1,
                raw.headerBlock("POST", "web.local", "/x", "content-length", "100"));
            final long startNs = System.nanoTime();
            raw.frame(RawHttp2.DATA, 0, 1, new byte[10]);

            final RawHttp2.Frame head = raw.read();
            final long elapsedMs = millisSince(startNs);
            assertThat(head.type()).isEqualTo(RawHttp2.HEADERS);
            assertThat(raw.decode(head).status().toString()).isEqualTo("408");
            assertThat(elapsedMs).as("not before the body timeout").isGreaterThanOrEqualTo(NOT_BEFORE_MS);
            assertThat(readUntilReset(raw, 1).errorCode()).isEqualTo(Http2Error.CANCEL.code());
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_BODY_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void shouldResetAnHttp2StreamAnsweredAtOnceWhoseBodyStalls() throws Exception
    {
        start(listener().requestBodyTimeoutMs(TIMEOUT_MS));
        try (RawHttp2 raw = connectHttp2())
        {
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1,
                raw.headerBlock("POST", "nowhere.local", "/x", "content-length", "100"));
            final long startNs = System.nanoTime();
            raw.frame(RawHttp2.DATA, 0, 1, new byte[10]);

            final RawHttp2.Frame head = raw.read();
            assertThat(raw.decode(head).status().toString()).isEqualTo("404");
            final RawHttp2.Frame reset = readUntilReset(raw, 1);
            assertThat(millisSince(startNs)).as("not before the body timeout").isGreaterThanOrEqualTo(NOT_BEFORE_MS);
            assertThat(reset.errorCode()).isEqualTo(Http2Error.CANCEL.code());
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_BODY_TIMEOUTS)).isEqualTo(1);
    }

    private static RawHttp2.Frame readUntilReset(final RawHttp2 raw, final int streamId) throws Exception
    {
        final List<Integer> seen = new ArrayList<>();
        while (true)
        {
            final RawHttp2.Frame frame = raw.read();
            if (frame.type() == RawHttp2.RST_STREAM && frame.streamId() == streamId)
            {
                return frame;
            }
            assertThat(frame.type()).as("frames before the reset: %s", seen).isIn(RawHttp2.DATA, RawHttp2.HEADERS);
            seen.add(frame.type());
        }
    }

    @Test
    void shouldAnswer408AndCloseAnHttp1ConnectionWhoseBodyStalls() throws Exception
    {
        start(listener().requestBodyTimeoutMs(TIMEOUT_MS));
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            raw.send(STALLED_POST_HEAD.formatted("web.local"));
            final long startNs = System.nanoTime();
            final RawHttp.Response response = raw.send("0123456789").read();
            final long elapsedMs = millisSince(startNs);

            assertThat(response.status()).isEqualTo(408);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(raw.isClosedByPeer()).isTrue();
            assertThat(elapsedMs).as("not before the body timeout").isGreaterThanOrEqualTo(NOT_BEFORE_MS);
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_BODY_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void shouldCloseAnHttp1ConnectionAnsweredAtOnceWhoseBodyStalls() throws Exception
    {
        start(listener().requestBodyTimeoutMs(TIMEOUT_MS));
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            raw.send(STALLED_POST_HEAD.formatted("nowhere.local"));
            final long startNs = System.nanoTime();
            assertThat(raw.send("0123456789").read().status()).isEqualTo(404);

            assertThat(raw.isClosedByPeer()).isTrue();
            assertThat(millisSince(startNs)).as("not before the body timeout").isGreaterThanOrEqualTo(NOT_BEFORE_MS);
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_BODY_TIMEOUTS)).isEqualTo(1);
    }

    @Test
    void shouldNotTimeOutABodyThatKeepsMakingProgress() throws Exception
    {
        start(listener().requestBodyTimeoutMs(TIMEOUT_MS));
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            raw.send(STALLED_POST_HEAD.formatted("web.local"));
            for (int i = 0; i < 10; i++)
            {
                final long startNs = System.nanoTime();
                Await.until("half a body timeout passed", DEADLINE, () -> millisSince(startNs) > TIMEOUT_MS / 2);
                raw.send("0123456789");
            }
            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(counters.get(DataPlaneCounter.REQUEST_BODY_TIMEOUTS)).isZero();
    }
}
