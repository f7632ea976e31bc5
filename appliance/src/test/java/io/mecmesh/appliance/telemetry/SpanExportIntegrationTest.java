package io.mecmesh.appliance.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mecmesh.appliance.accesslog.AccessLogListener;
import io.mecmesh.appliance.accesslog.AccessLogService;
import io.mecmesh.appliance.config.AccessLogConfig;
import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.trace.TraceConfig;
import io.mecmesh.dataplane.trace.TraceContext;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trace context end to end in one process: requests through a real listener to a real upstream, which sees the
 * propagated {@code traceparent}; the access-log agent (access log off) exports the sampled spans over OTLP/HTTP
 * JSON to a receiver on 127.0.0.1, which parses them.
 */
class SpanExportIntegrationTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INCOMING = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @TempDir
    Path directory;

    @Test
    void shouldExportTheSpanOfEachSampledExchangeWithTheIdsTheUpstreamSawAndItsSliceRouteAndStatus() throws Exception
    {
        final List<JsonNode> spans = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();
        final HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange ->
        {
            contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            final JsonNode body = JSON.readTree(exchange.getRequestBody());
            body.path("resourceSpans").forEach(r -> r.path("scopeSpans").forEach(s -> s.path("spans")
                .forEach(spans::add)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        final TestBackend backend = new TestBackend("app");
        final DataPlane dataPlane = DataPlane.start(new MeshConfig(1, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("video", RouteMatch.prefix("app", "/"), RouteAction.Forward.to("app"),
                    HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL)),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))))),
            new DataPlaneCounters());
        final SpanExporter exporter = new SpanExporter(
            URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces"), "edge-a",
            dataPlane.accessLog().names(), 64, 2, 50);
        final AccessLogService service = AccessLogService.start(AccessLogConfig.disabled(directory),
            AccessLogListener.all(List.of(exporter)), dataPlane.accessLog());
        try
        {
            dataPlane.accessLog().tracing().configure(new TraceConfig(true, 1, false, TraceConfig.ForwardedFor.OFF));
            try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                assertThat(client.send("GET /a HTTP/1.1\r\nHost: app\r\ntraceparent: " + INCOMING + "\r\n\r\n")
                    .read().status()).isEqualTo(200);
                assertThat(client.send("GET /status/503 HTTP/1.1\r\nHost: app\r\n\r\n").read().status())
                    .isEqualTo(503);
                assertThat(client.send("GET /b HTTP/1.1\r\nHost: app\r\ntraceparent: "
                    + INCOMING.substring(0, 54) + "0\r\n\r\n").read().status()).as("not sampled by the caller")
                    .isEqualTo(200);
            }
            Await.until("two spans at the receiver", Duration.ofSeconds(20), () -> spans.size() >= 2);
        }
        finally
        {
            dataPlane.close();
            service.close();
            backend.close();
            receiver.stop(0);
        }

        // By path: the upstream's 503 may be retried, so the backend can see /status/503 more than once.
        final java.util.Map<String, TraceContext> upstream = new java.util.HashMap<>();
        backend.requests().forEach(r ->
        {
            final TraceContext context = new TraceContext();
            assertThat(context.parse(r.headers().get("traceparent"))).isTrue();
            upstream.put(r.uri(), context);
        });
        assertThat(spans).hasSize(2);
        assertThat(contentTypes).allMatch("application/json"::equals);
        assertThat(exporter.exported()).isEqualTo(2);
        final JsonNode first = spans.get(0);
        assertThat(first.path("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(first.path("parentSpanId").asText()).as("the caller's span").isEqualTo("00f067aa0ba902b7");
        assertThat(first.path("spanId").asText()).as("the span the upstream got as its parent")
            .isEqualTo(TraceContext.hex(0, upstream.get("/a").spanId(), 8));
        assertThat(first.path("name").asText()).isEqualTo("video");
        assertThat(first.path("kind").asInt()).isEqualTo(2);
        assertThat(Long.parseLong(first.path("endTimeUnixNano").asText()))
            .isGreaterThan(Long.parseLong(first.path("startTimeUnixNano").asText()));
        assertThat(attributes(first)).containsEntry("mecmesh.slice", "unclassified")
            .containsEntry("mecmesh.route", "video").containsEntry("http.response.status_code", "200");
        assertThat(first.has("status")).isFalse();

        final JsonNode second = spans.get(1);
        assertThat(second.path("traceId").asText()).as("a new trace, started here")
            .isEqualTo(TraceContext.hex(upstream.get("/status/503").traceIdHigh(), upstream.get("/status/503").traceIdLow(), 16))
            .isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(second.has("parentSpanId")).as("a root span").isFalse();
        assertThat(attributes(second)).containsEntry("http.response.status_code", "503");
        assertThat(second.path("status").path("code").asInt()).as("error").isEqualTo(2);
        assertThat(upstream.get("/b").sampled()).as("the caller's decision kept").isFalse();
    }

    private static java.util.Map<String, String> attributes(final JsonNode span)
    {
        final java.util.Map<String, String> attributes = new java.util.HashMap<>();
        span.path("attributes").forEach(a -> attributes.put(a.path("key").asText(),
            a.path("value").has("stringValue") ? a.path("value").path("stringValue").asText()
                : a.path("value").path("intValue").asText()));
        return attributes;
    }
}
