package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp2;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 clients that abuse the protocol, on raw sockets through a real data plane (one event loop, so frames of
 * different connections are processed in the order they were synchronized): resets spread over many connections
 * (Rapid Reset below the per-connection limit) trip the process-wide budget, worst offenders first; a GOAWAY for a
 * connection error carries the last stream processed; client errors are counted and logged as one line, rate
 * limited, never a stack trace; frames on a stream the client ended, or a stream id going backwards, close the
 * connection (RFC 9113 §5.1, §5.1.1) while DATA already in flight on a stream the server reset is ignored.
 */
class Http2AbuseTest
{
    private static final byte[] CANCEL = {0, 0, 0, (byte)Http2Error.CANCEL.code()};

    private TestBackend web;
    private DataPlaneCounters counters;
    private DataPlane dataPlane;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start()
    {
        web = new TestBackend("web");
        counters = new DataPlaneCounters();
        // a clock that stands still: only the first client error gets a line
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.builder("ingress", "127.0.0.1", 0).maxRequestBodyBytes(1000).build()),
                List.of(new RouteConfig("web.local", "/", "web")),
                List.of(ClusterConfig.of("web", List.of(new Endpoint("127.0.0.1", web.port()))))), counters, null,
            new Http2ResetBudget.Limit(40, TimeUnit.MINUTES.toNanos(5)), new ClientErrorLog(() -> 0L, lines::add,
                counters));
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
        web.close();
    }

    private RawHttp2 connect() throws Exception
    {
        return new RawHttp2(dataPlane.listenerAddress("ingress"));
    }

    /** Opens {@code count} streams (404, answered at once) and resets each; returns the last stream id. */
    private static int openAndReset(final RawHttp2 raw, final int firstStreamId, final int count) throws Exception
    {
        int streamId = firstStreamId;
        for (int i = 0; i < count; i++, streamId += 2)
        {
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, streamId,
                raw.headerBlock("GET", "nowhere.local", "/x"));
            raw.frame(RawHttp2.RST_STREAM, 0, streamId, CANCEL);
        }
        return streamId - 2;
    }

    private static boolean answers(final RawHttp2 raw, final int streamId) throws Exception
    {
        raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, streamId,
            raw.headerBlock("GET", "web.local", "/x"));
        while (true)
        {
            final RawHttp2.Frame frame = raw.read();
            if (frame.type() == RawHttp2.HEADERS && frame.streamId() == streamId)
            {
                return "200".contentEquals(raw.decode(frame).status());
            }
            if (frame.type() == RawHttp2.GOAWAY)
            {
                return false;
            }
        }
    }

    @Test
    void shouldCloseTheConnectionsThatResetMostWhenAllTogetherGoOverTheResetBudget() throws Exception
    {
        final List<RawHttp2> small = new ArrayList<>();
        try (RawHttp2 second = connect(); RawHttp2 worst = connect())
        {
            for (int i = 0; i < 3; i++)
            {
                final RawHttp2 raw = connect();
                small.add(raw);
                openAndReset(raw, 1, 3);
                raw.sync();
            }
            openAndReset(second, 1, 12);
            second.sync();
            // 9 + 12 + 20 = 41 resets, over the budget of 40: the worst (20) and the second (12) are closed,
            // which brings the window back to 9, under half the budget
            final int lastStream = openAndReset(worst, 1, 20);

            final RawHttp2.Frame goAway = worst.readUntilClosed();
            assertThat(goAway).as("GOAWAY to the worst offender").isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(goAway.goAwayLastStreamId()).as("the last stream processed").isEqualTo(lastStream);
            assertThat(second.readUntilClosed()).as("GOAWAY to the second offender").isNotNull();
            for (final RawHttp2 raw : small)
            {
                assertThat(answers(raw, 7)).as("a connection that reset little still works").isTrue();
            }
        }
        finally
        {
            for (final RawHttp2 raw : small)
            {
                raw.close();
            }
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_RESET_BUDGET_CLOSES)).isEqualTo(2);
    }

    @Test
    void shouldPutTheLastStreamProcessedInTheGoAwayOfTheCodecsRapidResetLimit() throws Exception
    {
        try (RawHttp2 raw = connect())
        {
            // Netty's own limit per connection: 200 resets in 30 s; the 201st ends the connection
            final int lastStream = openAndReset(raw, 1, 201);

            final RawHttp2.Frame goAway = raw.readUntilClosed();
            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(goAway.goAwayLastStreamId()).as("not 2^31-1").isEqualTo(lastStream);
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_CLIENT_ERRORS)).isEqualTo(1);
    }

    @Test
    void shouldCountAContinuationFloodAndLogItAsOneRateLimitedLine() throws Exception
    {
        for (int connection = 0; connection < 3; connection++)
        {
            try (RawHttp2 raw = connect())
            {
                assertThat(answers(raw, 1)).isTrue();
                raw.frame(RawHttp2.HEADERS, 0, 3, raw.headerBlock("GET", "web.local", "/y"));
                for (int i = 0; i < 100; i++)
                {
                    raw.frame(RawHttp2.CONTINUATION, 0, 3, new byte[0]);
                }

                final RawHttp2.Frame goAway = raw.readUntilClosed();
                assertThat(goAway).isNotNull();
                assertThat(goAway.goAwayLastStreamId()).as("stream 1 was processed, 3 never began").isEqualTo(1);
            }
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_CLIENT_ERRORS)).isEqualTo(3);
        assertThat(lines).as("one line for three errors within the same second").singleElement()
            .satisfies(line -> assertThat(line).startsWith("HTTP/2 connection from /127.0.0.1:").doesNotContain("\n"));
    }

    @Test
    void shouldCloseWithStreamClosedWhenAClientSendsHeadersOnAStreamItEnded() throws Exception
    {
        try (RawHttp2 raw = connect())
        {
            assertThat(answers(raw, 1)).isTrue();
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, 1,
                raw.headerBlock("GET", "web.local", "/again"));

            final RawHttp2.Frame goAway = raw.readUntilClosed();
            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.STREAM_CLOSED.code());
            assertThat(goAway.goAwayLastStreamId()).isEqualTo(1);
        }
        assertThat(web.requestLines()).containsExactly("GET /x");
        assertThat(counters.get(DataPlaneCounter.HTTP2_CLIENT_ERRORS)).isEqualTo(1);
    }

    @Test
    void shouldCloseWithProtocolErrorWhenAStreamIdGoesBackwards() throws Exception
    {
        try (RawHttp2 raw = connect())
        {
            assertThat(answers(raw, 5)).isTrue();
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, 3,
                raw.headerBlock("GET", "web.local", "/backwards"));

            final RawHttp2.Frame goAway = raw.readUntilClosed();
            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(goAway.goAwayLastStreamId()).isEqualTo(5);
        }
        assertThat(web.requestLines()).containsExactly("GET /x");
    }

    @Test
    void shouldIgnoreDataInFlightOnAStreamTheServerReset() throws Exception
    {
        try (RawHttp2 raw = connect())
        {
            raw.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1, raw.headerBlock("POST", "web.local", "/x"));
            raw.frame(RawHttp2.DATA, 0, 1, new byte[2000]);
            final List<Integer> types = new ArrayList<>();
            RawHttp2.Frame frame;
            do
            {
                frame = raw.read();
                types.add(frame.type());
            }
            while (frame.type() != RawHttp2.RST_STREAM);
            assertThat(types).as("413, then the reset").startsWith(RawHttp2.HEADERS);
            // the client had more of the body on the way when the reset came
            raw.frame(RawHttp2.DATA, 0, 1, new byte[100]);
            raw.frame(RawHttp2.DATA, RawHttp2.END_STREAM, 1, new byte[100]);

            assertThat(answers(raw, 3)).as("the connection goes on").isTrue();
        }
        assertThat(counters.get(DataPlaneCounter.HTTP2_CLIENT_ERRORS)).isZero();
        assertThat(counters.get(DataPlaneCounter.REJECTED_BODY_TOO_LARGE)).isEqualTo(1);
    }
}
