package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request smuggling (RFC 9112 §6.3, §11.2) on raw sockets through a real data plane to a real backend: every
 * request that could be framed two ways is refused with the right status, counted by reason and its connection
 * closed, or forwarded in a normalized form; and in no case does a request hidden in another one reach the
 * backend ({@code /smuggled} never appears among the request lines it received).
 */
class SmugglingTest
{
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: web.local\r\n\r\n";
    private static final String POST = "POST /x HTTP/1.1\r\nHost: web.local\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";
    /** The length of {@link #SMUGGLED}, and of a chunked body's last chunk followed by it. */
    private static final int HIDDEN = SMUGGLED.length();
    private static final int LAST_CHUNK_AND_HIDDEN = "0\r\n\r\n".length() + HIDDEN;

    private static TestBackend web;
    private static DataPlane dataPlane;
    private static DataPlaneCounters counters;

    /**
     * One malformed or ambiguous request and what must come of it.
     *
     * @param name      what the case is, for the test report.
     * @param request   the bytes sent, exactly.
     * @param status    the status expected: 200 when forwarded, else the rejection's.
     * @param counter   the counter of the rejection, or {@code null} when forwarded.
     * @param forwarded the request lines the backend must have received (at most these, for a rejection of a body).
     * @param check     what the forwarded head must look like (normalization).
     */
    record Case(
        String name,
        String request,
        int status,
        DataPlaneCounter counter,
        List<String> forwarded,
        Consumer<HttpHeaders> check)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    @BeforeAll
    static void start()
    {
        web = new TestBackend("web");
        counters = new DataPlaneCounters();
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("web.local", "/", "web"), new RouteConfig("api.local", "/", "web")),
            List.of(ClusterConfig.of("web", List.of(new Endpoint("127.0.0.1", web.port()))))), counters);
    }

    @AfterAll
    static void stop()
    {
        dataPlane.close();
        web.close();
    }

    private int backendRequestsBefore;
    private long[] countersBefore;

    @BeforeEach
    void mark()
    {
        backendRequestsBefore = web.requestLines().size();
        final DataPlaneCounter[] all = DataPlaneCounter.values();
        countersBefore = new long[all.length];
        for (final DataPlaneCounter counter : all)
        {
            countersBefore[counter.ordinal()] = counters.get(counter);
        }
    }

    static Stream<Case> cases()
    {
        final List<Case> cases = new ArrayList<>();
        // Content-Length and Transfer-Encoding together (CL.TE / TE.CL)
        cases.add(rejected("CL then TE chunked", POST + "Content-Length: " + LAST_CHUNK_AND_HIDDEN + "\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED, 400, DataPlaneCounter.REJECTED_CONTENT_LENGTH_WITH_TRANSFER_ENCODING));
        cases.add(rejected("TE chunked then CL", POST + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
            + "0\r\n\r\n" + SMUGGLED, 400, DataPlaneCounter.REJECTED_CONTENT_LENGTH_WITH_TRANSFER_ENCODING));
        cases.add(rejected("CL 0 with TE chunked on HTTP/1.0", "POST /x HTTP/1.0\r\nHost: web.local\r\n"
            + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        // Content-Length duplicated, conflicting or not a number
        cases.add(rejected("duplicate equal Content-Length", POST + "Content-Length: 3\r\nContent-Length: 3\r\n\r\n"
            + "abc", 400, DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        cases.add(rejected("conflicting Content-Length", POST + "Content-Length: 0\r\nContent-Length: " + HIDDEN + "\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        cases.add(rejected("Content-Length list in one field", POST + "Content-Length: " + HIDDEN + ", 0\r\n\r\n" + SMUGGLED,
            400, DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        cases.add(rejected("Content-Length with plus sign", POST + "Content-Length: +" + HIDDEN + "\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        cases.add(rejected("negative Content-Length", POST + "Content-Length: -1\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        cases.add(rejected("hex Content-Length", POST + "Content-Length: 0x2c\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        cases.add(rejected("Content-Length overflowing a long", POST + "Content-Length: 18446744073709551660\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_CONTENT_LENGTH));
        // Transfer-Encoding other than exactly one chunked
        cases.add(rejected("TE chunked, identity", POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE identity, chunked", POST + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE gzip, chunked", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE xchunked", POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE chunked with trailing comma", POST + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE quoted chunked", POST + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n" + SMUGGLED,
            400, DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE chunked repeated in two fields", POST + "Transfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE chunked then identity in two fields", POST + "Transfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE chunked on HTTP/1.0", "POST /x HTTP/1.0\r\nHost: web.local\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_TRANSFER_ENCODING));
        cases.add(rejected("TE value after vertical tab", POST + "Transfer-Encoding: \u000bchunked\r\n\r\n0\r\n\r\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(forwarded("TE name folded onto the previous header (obs-fold) is only a value",
            POST + "Content-Length: " + LAST_CHUNK_AND_HIDDEN + "\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
            List.of("POST /x"), headers ->
            {
                assertThat(headers.get("x-a")).isEqualTo("1 Transfer-Encoding: chunked");
                assertThat(headers.contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
                assertThat(headers.getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(LAST_CHUNK_AND_HIDDEN);
            }));
        cases.add(forwarded("TE Chunked in upper case is normalized", POST + "Transfer-Encoding: CHUNKED\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n", List.of("POST /x"),
            headers -> assertThat(headers.getAll(HttpHeaderNames.TRANSFER_ENCODING)).containsExactly("chunked")));
        // whitespace before the colon
        cases.add(rejected("space before colon in Transfer-Encoding", POST + "Content-Length: " + LAST_CHUNK_AND_HIDDEN + "\r\n"
            + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("tab before colon in Content-Length", POST + "Content-Length\t: " + HIDDEN + "\r\n\r\n" + SMUGGLED,
            400, DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("whitespace before the first header name", "POST /x HTTP/1.1\r\n Host: web.local\r\n"
            + "Content-Length: " + HIDDEN + "\r\n\r\n" + SMUGGLED, 400, DataPlaneCounter.REJECTED_INVALID_HEADER));
        // bare LF where CRLF is required
        cases.add(rejected("bare LF ending every line", "POST /x HTTP/1.1\nHost: web.local\nContent-Length: " + HIDDEN + "\n\n"
            + SMUGGLED, 400, DataPlaneCounter.REJECTED_BARE_LF));
        cases.add(rejected("bare LF ending one header line", POST + "X-A: 1\nContent-Length: " + HIDDEN + "\r\n\r\n" + SMUGGLED,
            400, DataPlaneCounter.REJECTED_BARE_LF));
        cases.add(rejected("bare LF after the request line", "GET /x HTTP/1.1\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_BARE_LF));
        cases.add(bodyRejected("bare LF ending a chunk size", CHUNKED + "3\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_BARE_LF));
        // invalid chunks
        cases.add(bodyRejected("negative chunk size", CHUNKED + "-3\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk size overflowing", CHUNKED + "FFFFFFFFFFFFFFFF3\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk size over 32 bits", CHUNKED + "100000003\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("non-hex chunk size", CHUNKED + "3g\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk size with 0x prefix", CHUNKED + "0x3\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk size followed by a space", CHUNKED + "3 \r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk size followed by a tab", CHUNKED + "3\t\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("last chunk size followed by a space", CHUNKED + "3\r\nabc\r\n0 \r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("empty chunk size", CHUNKED + "\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk extension with a control character", CHUNKED + "3;a=\u0001\r\nabc\r\n0\r\n\r\n"
            + SMUGGLED, DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("chunk data longer than its size", CHUNKED + "3\r\nabc0\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        cases.add(bodyRejected("trailer field with a space in its name", CHUNKED + "0\r\nX Y: 1\r\n\r\n" + SMUGGLED,
            DataPlaneCounter.REJECTED_INVALID_CHUNK));
        // invalid header names and values
        cases.add(rejected("NUL in a header value", POST + "X-A: a\u0000b\r\nContent-Length: " + HIDDEN + "\r\n\r\n" + SMUGGLED,
            400, DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("control character in a header value", POST + "X-A: a\u0001b\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("bare CR in a header value", POST + "X-A: a\rContent-Length: " + HIDDEN + "\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("NUL in a header name", POST + "X\u0000A: 1\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("separator in a header name", POST + "X(A): 1\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_HEADER));
        cases.add(rejected("header line without a colon", POST + "Content-Length " + HIDDEN + "\r\n\r\n" + SMUGGLED, 400,
            DataPlaneCounter.REJECTED_INVALID_HEADER));
        // request-target
        cases.add(rejected("control character in the request-target", "GET /a\u0001b HTTP/1.1\r\nHost: web.local\r\n"
            + "\r\n", 400, DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("8-bit byte in the request-target", "GET /caf\u00e9 HTTP/1.1\r\nHost: web.local\r\n\r\n",
            400, DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("fragment in the request-target", "GET /a#b HTTP/1.1\r\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("malformed percent escape", "GET /a%zz HTTP/1.1\r\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("relative request-target", "GET a/b HTTP/1.1\r\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("asterisk form with GET", "GET * HTTP/1.1\r\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("space in the request-target", "GET /a b HTTP/1.1\r\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_LINE));
        cases.add(rejected("user information in an absolute-form target", "GET http://u@web.local/x HTTP/1.1\r\n"
            + "Host: web.local\r\n\r\n", 400, DataPlaneCounter.REJECTED_INVALID_REQUEST_TARGET));
        cases.add(rejected("CONNECT", "CONNECT web.local:80 HTTP/1.1\r\nHost: web.local:80\r\n\r\n", 501,
            DataPlaneCounter.REJECTED_METHOD_NOT_SUPPORTED));
        // Host
        cases.add(rejected("absolute form with a conflicting Host", "GET http://api.local/x HTTP/1.1\r\n"
            + "Host: web.local\r\n\r\n", 400, DataPlaneCounter.REJECTED_INVALID_HOST));
        cases.add(forwarded("absolute form with the same Host is sent in origin form",
            "GET HTTP://WEB.local:80/x?q=1 HTTP/1.1\r\nHost: web.local\r\n\r\n", List.of("GET /x?q=1"),
            headers -> assertThat(headers.getAll(HttpHeaderNames.HOST)).containsExactly("WEB.local:80")));
        cases.add(rejected("two Host fields", "GET /x HTTP/1.1\r\nHost: web.local\r\nHost: api.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_HOST));
        cases.add(rejected("no Host on HTTP/1.1", "GET /x HTTP/1.1\r\nX-A: 1\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_HOST));
        cases.add(rejected("Host that is not an authority", "GET /x HTTP/1.1\r\nHost: web.local/x\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_HOST));
        // request line
        cases.add(rejected("HTTP/1.2", "GET /x HTTP/1.2\r\nHost: web.local\r\n\r\n", 505,
            DataPlaneCounter.REJECTED_UNSUPPORTED_VERSION));
        cases.add(rejected("HTTP/0.9 request line", "GET /x\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_LINE));
        cases.add(rejected("space after the version", "GET /x HTTP/1.1 \r\nHost: web.local\r\n\r\n", 400,
            DataPlaneCounter.REJECTED_INVALID_REQUEST_LINE));
        // well-formed, forwarded in normalized form, the hidden request stays a body
        cases.add(forwarded("GET whose body looks like a request", "GET /x HTTP/1.1\r\nHost: web.local\r\n"
            + "Content-Length: " + HIDDEN + "\r\n\r\n" + SMUGGLED, List.of("GET /x"),
            headers -> assertThat(headers.getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(HIDDEN)));
        cases.add(forwarded("Content-Length with leading zeros is sent canonical", POST + "Content-Length: 00" + HIDDEN
            + "\r\n\r\n" + SMUGGLED, List.of("POST /x"),
            headers -> assertThat(headers.getAll(HttpHeaderNames.CONTENT_LENGTH)).containsExactly("" + HIDDEN)));
        cases.add(forwarded("hop-by-hop names in two Connection fields are all removed", POST
            + "Connection: keep-alive\r\nConnection: X-Secret\r\nX-Secret: s\r\nContent-Length: 0\r\n\r\n",
            List.of("POST /x"), headers -> assertThat(headers.contains("x-secret")).isFalse()));
        cases.add(forwarded("chunked body ending in a trailer that claims a Content-Length", CHUNKED
            + "3\r\nabc\r\n0\r\nContent-Length: 44\r\n\r\n", List.of("POST /x"),
            headers -> assertThat(headers.getAll(HttpHeaderNames.TRANSFER_ENCODING)).containsExactly("chunked")));
        return cases.stream();
    }

    private static Case rejected(final String name, final String request, final int status,
        final DataPlaneCounter counter)
    {
        return new Case(name, request, status, counter, List.of(), headers ->
        {
        });
    }

    /** A request whose head is forwarded before its body turns out malformed: 400 before any response. */
    private static Case bodyRejected(final String name, final String request, final DataPlaneCounter counter)
    {
        return new Case(name, request, 400, counter, List.of("POST /x"), headers ->
        {
        });
    }

    private static Case forwarded(final String name, final String request, final List<String> lines,
        final Consumer<HttpHeaders> check)
    {
        return new Case(name, request, 200, null, lines, check);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldRejectOrNormalizeAndNeverLetAHiddenRequestThrough(final Case testCase) throws Exception
    {
        final RawHttp.Response response;
        final boolean closed;
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            response = raw.send(testCase.request()).read();
            closed = testCase.status() != 200 && raw.isClosedByPeer();
        }
        final List<String> received = afterProbe();

        assertThat(received).doesNotContain("GET /smuggled");
        assertThat(response.status()).isEqualTo(testCase.status());
        if (testCase.counter() == null)
        {
            assertThat(received).containsExactlyElementsOf(testCase.forwarded());
            testCase.check().accept(web.requests().get(backendRequestsBefore).headers());
            assertThat(increase(DataPlaneCounter.BAD_REQUESTS)).isZero();
            return;
        }
        assertThat(closed).as("connection closed after the rejection").isTrue();
        assertThat(response.headers()).containsEntry("connection", "close")
            .containsEntry(DirectResponse.ANSWERED_BY_HEADER, "mecmesh");
        assertThat(testCase.forwarded()).containsAll(received);
        assertThat(increase(testCase.counter())).isEqualTo(1);
    }

    /**
     * Sends a request of its own on a new connection and waits for its answer, so that whatever the case's connection
     * could still have forwarded has reached the backend; returns what the backend received for the case.
     */
    private List<String> afterProbe() throws Exception
    {
        try (RawHttp probe = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            assertThat(probe.send("GET /probe HTTP/1.1\r\nHost: web.local\r\nConnection: close\r\n\r\n").read()
                .status()).isEqualTo(200);
        }
        final List<String> lines = web.requestLines();
        final List<String> received = new ArrayList<>(lines.subList(backendRequestsBefore, lines.size()));
        received.remove("GET /probe");
        return received;
    }

    private long increase(final DataPlaneCounter counter)
    {
        return counters.get(counter) - countersBefore[counter.ordinal()];
    }
}
