package io.mecmesh.dataplane.stage.trace;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.AccessLogRecord;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.RawHttp2;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.trace.TraceConfig;
import io.mecmesh.dataplane.trace.TraceContext;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.handler.codec.http.HttpHeaders;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trace stage through a real listener (HTTP/1.1 codec heads) to a real upstream, which records the headers it
 * receives; the access-log ring shows the ids the stage put in the exchange's record.
 */
class TraceIntegrationTest
{
    private static final String INCOMING = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private TestBackend backend;
    private DataPlane dataPlane;
    private ManyToOneRingBuffer ring;

    @BeforeEach
    void start() throws Exception
    {
        backend = new TestBackend("app");
        dataPlane = DataPlane.start(new MeshConfig(1, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("app", RouteMatch.prefix("app", "/"), RouteAction.Forward.to("app"),
                HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL)),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))))),
            new DataPlaneCounters());
        ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((1 << 16) + RingBufferDescriptor.TRAILER_LENGTH)));
        dataPlane.accessLog().attach(ring);
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
        backend.close();
    }

    @Test
    void shouldSendANewSpanIdOfTheCallersTraceUpstreamAndRecordItsParent() throws Exception
    {
        dataPlane.accessLog().tracing().configure(new TraceConfig(true, 0, false, TraceConfig.ForwardedFor.OFF));

        assertThat(get("traceparent: " + INCOMING + "\r\ntracestate: vendor=1\r\n")).isEqualTo(200);

        final HttpHeaders upstream = backend.requests().get(0).headers();
        final TraceContext sent = new TraceContext();
        assertThat(sent.parse(upstream.get("traceparent"))).as(upstream.get("traceparent")).isTrue();
        assertThat(TraceContext.hex(sent.traceIdHigh(), sent.traceIdLow(), 16))
            .as("same trace").isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(sent.spanId()).as("a new span id for this hop").isNotEqualTo(0x00f067aa0ba902b7L).isNotZero();
        assertThat(sent.sampled()).isTrue();
        assertThat(upstream.get("tracestate")).isEqualTo("vendor=1");

        final List<long[]> records = records();
        assertThat(records).hasSize(1);
        assertThat(records.get(0)).containsExactly(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, sent.spanId(),
            0x00f067aa0ba902b7L, AccessLogDescriptor.FLAG_SAMPLED);
    }

    @Test
    void shouldStartATraceWhenSampledAndAddNothingWhenNot() throws Exception
    {
        dataPlane.accessLog().tracing().configure(new TraceConfig(true, 1, false, TraceConfig.ForwardedFor.OFF));
        assertThat(get("")).isEqualTo(200);
        dataPlane.accessLog().tracing().configure(new TraceConfig(true, 0, false, TraceConfig.ForwardedFor.OFF));
        assertThat(get("")).isEqualTo(200);
        assertThat(get("traceparent: 00-zz-bad-01\r\ntracestate: vendor=1\r\n")).isEqualTo(200);

        final List<HttpHeaders> upstream = backend.requests().stream().map(r -> r.headers()).toList();
        final TraceContext started = new TraceContext();
        assertThat(started.parse(upstream.get(0).get("traceparent"))).isTrue();
        assertThat(started.sampled()).isTrue();
        assertThat(upstream.get(1).contains("traceparent")).as("not sampled: no trace context").isFalse();
        assertThat(upstream.get(2).contains("traceparent")).as("an invalid one is removed").isFalse();
        assertThat(upstream.get(2).contains("tracestate")).as("with its tracestate").isFalse();

        final List<long[]> records = records();
        assertThat(records.get(0)).containsExactly(started.traceIdHigh(), started.traceIdLow(), started.spanId(), 0L,
            AccessLogDescriptor.FLAG_SAMPLED);
        assertThat(records.get(1)).containsExactly(0L, 0L, 0L, 0L, 0L);
    }

    @Test
    void shouldGenerateARequestIdOnlyWhenAbsentAndAppendOrReplaceTheClientAddress() throws Exception
    {
        dataPlane.accessLog().tracing().configure(new TraceConfig(false, 0, true, TraceConfig.ForwardedFor.APPEND));
        assertThat(get("x-forwarded-for: 10.0.0.1\r\n")).isEqualTo(200);
        assertThat(get("x-request-id: mine\r\nforwarded: for=10.0.0.2\r\n")).isEqualTo(200);
        dataPlane.accessLog().tracing().configure(new TraceConfig(false, 0, false, TraceConfig.ForwardedFor.REPLACE));
        assertThat(get("x-forwarded-for: 10.0.0.1\r\nforwarded: for=10.0.0.2\r\n")).isEqualTo(200);
        dataPlane.accessLog().tracing().configure(TraceConfig.OFF);
        assertThat(get("x-forwarded-for: 10.0.0.1\r\ntraceparent: " + INCOMING + "\r\n")).isEqualTo(200);

        final List<HttpHeaders> upstream = backend.requests().stream().map(r -> r.headers()).toList();
        assertThat(upstream.get(0).get("x-request-id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
            + "[0-9a-f]{12}");
        assertThat(upstream.get(0).get("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
        assertThat(upstream.get(0).get("forwarded")).isEqualTo("for=127.0.0.1");
        assertThat(upstream.get(1).getAll("x-request-id")).containsExactly("mine");
        assertThat(upstream.get(1).get("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(upstream.get(1).get("forwarded")).isEqualTo("for=10.0.0.2, for=127.0.0.1");
        assertThat(upstream.get(2).contains("x-request-id")).isFalse();
        assertThat(upstream.get(2).get("x-forwarded-for")).as("replaced").isEqualTo("127.0.0.1");
        assertThat(upstream.get(2).get("forwarded")).isEqualTo("for=127.0.0.1");
        assertThat(upstream.get(3).get("x-forwarded-for")).as("off: as sent").isEqualTo("10.0.0.1");
        assertThat(upstream.get(3).get("traceparent")).as("off: as sent").isEqualTo(INCOMING);
        assertThat(upstream.get(3).contains("forwarded")).isFalse();
    }

    @Test
    void shouldPropagateTheTraceOnAnHttp2StreamWithTheConnectionsClientAddress() throws Exception
    {
        dataPlane.accessLog().tracing().configure(new TraceConfig(true, 0, true, TraceConfig.ForwardedFor.REPLACE));
        try (RawHttp2 client = new RawHttp2(dataPlane.listenerAddress("ingress")))
        {
            client.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, 1,
                client.headerBlock("GET", "app", "/h2", "traceparent", INCOMING, "x-forwarded-for", "10.0.0.9"));
            RawHttp2.Frame frame;
            do
            {
                frame = client.read();
            }
            while ((frame.flags() & RawHttp2.END_STREAM) == 0);
        }

        final HttpHeaders upstream = backend.requests().get(0).headers();
        final TraceContext sent = new TraceContext();
        assertThat(sent.parse(upstream.get("traceparent"))).isTrue();
        assertThat(TraceContext.hex(sent.traceIdHigh(), sent.traceIdLow(), 16))
            .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(sent.spanId()).isNotEqualTo(0x00f067aa0ba902b7L);
        assertThat(upstream.get("x-request-id")).hasSize(36);
        assertThat(upstream.get("x-forwarded-for")).as("the parent connection's peer").isEqualTo("127.0.0.1");
        assertThat(records().get(0)[3]).as("parent span").isEqualTo(0x00f067aa0ba902b7L);
    }

    private int get(final String headers) throws Exception
    {
        try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            return client.send("GET /x HTTP/1.1\r\nHost: app\r\n" + headers + "\r\n").read().status();
        }
    }

    /** Trace id high, low, span id, parent span id and the sampled flag of each record in the ring. */
    private List<long[]> records()
    {
        final List<long[]> records = new ArrayList<>();
        final AccessLogRecord record = new AccessLogRecord();
        ring.read((type, buffer, index, length) ->
        {
            record.wrap(buffer, index);
            records.add(new long[] {record.traceIdHigh(), record.traceIdLow(), record.spanId(), record.parentSpanId(),
                record.flags() & AccessLogDescriptor.FLAG_SAMPLED});
        });
        return records;
    }
}
