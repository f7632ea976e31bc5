package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trace context as an operator turns it on (issue 16, item 5): an edge started by the installed launcher with
 * {@code telemetry.tracing} forwards a traced request to a real upstream with the caller's trace id and a new span id,
 * a generated {@code x-request-id} and the client's address in {@code x-forwarded-for}, and exports the hop's span to
 * an OTLP/HTTP receiver on 127.0.0.1 with the ids the upstream saw and its slice, route and status.
 */
class TracingConformanceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String CALLER_SPAN = "b7ad6b7169203331";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldPropagateTheTraceUpstreamWithANewSpanAndExportThatSpanOverOtlp() throws Exception
    {
        final List<JsonNode> spans = new CopyOnWriteArrayList<>();
        final HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange ->
        {
            JSON.readTree(exchange.getRequestBody()).path("resourceSpans").forEach(r -> r.path("scopeSpans")
                .forEach(s -> s.path("spans").forEach(spans::add)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        final int[] ports = FreePorts.take(2);
        try (EchoBackend backend = new EchoBackend())
        {
            final String yaml = """
                node: {id: edge-trace}
                dataDirectory: %s
                admin: {address: 127.0.0.1, port: %d}
                telemetry:
                  tracing: {samplingRatio: 1, forwardedFor: append, exportIntervalMs: 100,
                    otlpUrl: "http://127.0.0.1:%d/v1/traces"}
                dataplane:
                  listeners:
                    - {name: ingress, address: 127.0.0.1, port: %d}
                  clusters:
                    - {name: app, endpoints: ["127.0.0.1:%d"]}
                  routes:
                    - {name: web, host: "*", cluster: app}
                  slices:
                    - snssai: 1-000001
                      name: video
                      fiveQi: 9
                      classification: [{header: {name: x-slice, value: video}}]
                """.formatted(Files.createDirectories(dir.resolve("data")), ports[0],
                receiver.getAddress().getPort(), ports[1], backend.port());
            try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge", ports[0], yaml))
            {
                edge.awaitReady();
                assertThat(Http.get(ports[1], "/watch", "x-slice", "video", "traceparent",
                    "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01").statusCode()).isEqualTo(200);
                Processes.await(Duration.ofSeconds(30), () -> !spans.isEmpty(), () -> "a span at the receiver");

                final EchoBackend.Request upstream = backend.requestsFor("/watch").get(0);
                final String traceparent = upstream.header("traceparent").orElseThrow();
                assertThat(traceparent).as("same trace, sampled, a new span id")
                    .matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01").doesNotContain(CALLER_SPAN);
                assertThat(upstream.header("x-request-id")).hasValueSatisfying(id -> assertThat(id).hasSize(36));
                assertThat(upstream.header("x-forwarded-for")).hasValue("127.0.0.1");

                final JsonNode span = spans.get(0);
                assertThat(span.path("traceId").asText()).isEqualTo(TRACE_ID);
                assertThat(span.path("parentSpanId").asText()).as("the caller's span").isEqualTo(CALLER_SPAN);
                assertThat(span.path("spanId").asText()).as("the parent the upstream was given")
                    .isEqualTo(traceparent.substring(36, 52));
                final Map<String, String> attributes = new HashMap<>();
                span.path("attributes").forEach(a -> attributes.put(a.path("key").asText(),
                    a.path("value").has("stringValue") ? a.path("value").path("stringValue").asText()
                        : a.path("value").path("intValue").asText()));
                assertThat(attributes).containsEntry("mecmesh.slice", "1-000001").containsEntry("mecmesh.route", "web")
                    .containsEntry("http.response.status_code", "200");
                Processes.await(Duration.ofSeconds(10), () -> exported(ports[0]) >= 1,
                    () -> "mecmesh_trace_spans_total{outcome=\"exported\"} on /metrics");
            }
        }
        finally
        {
            receiver.stop(0);
        }
    }

    private static double exported(final int adminPort)
    {
        try
        {
            for (final String line : Http.get(adminPort, "/metrics").body().split("\n"))
            {
                if (line.startsWith("mecmesh_trace_spans_total{outcome=\"exported\"}"))
                {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return 0;
        }
        catch (final Exception ex)
        {
            return 0;
        }
    }
}
