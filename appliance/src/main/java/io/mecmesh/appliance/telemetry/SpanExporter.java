package io.mecmesh.appliance.telemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.appliance.Version;
import io.mecmesh.appliance.accesslog.AccessLogListener;
import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.AccessLogNames;
import io.mecmesh.dataplane.accesslog.AccessLogRecord;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.trace.TraceContext;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Exports the sampled spans of the data plane's exchanges over OTLP/HTTP (JSON encoding, {@code POST} to the
 * collector's {@code /v1/traces}), from the access-log records: one SERVER span per exchange the trace stage took
 * part in ({@link AccessLogDescriptor#FLAG_SAMPLED}), named after its route, with its trace id, span id, parent span
 * id, start and end, and the attributes {@code mecmesh.slice}, {@code mecmesh.route}, {@code mecmesh.endpoint},
 * {@code http.response.status_code}, {@code mecmesh.attempts} (status ERROR for 5xx and resets).
 *
 * <p>Runs on the access-log agent's thread: records are copied into a bounded queue ({@code maxQueueSpans}; when
 * full a span is dropped and counted), sent in batches of up to {@code maxBatchSpans} when a batch is full or its
 * oldest span has waited {@code exportIntervalMs}, one request in flight at a time (asynchronous: the agent never
 * waits on the network). A batch the collector refuses, or that cannot be sent, is dropped and counted: no retry.
 * Counted in {@code mecmesh_trace_spans_total{outcome}} (exported, dropped_queue_full, failed).
 */
public final class SpanExporter implements AccessLogListener
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final int SPAN_KIND_SERVER = 2;
    private static final int STATUS_CODE_ERROR = 2;

    private final URI url;
    private final String nodeId;
    private final AccessLogNames names;
    private final int maxQueueSpans;
    private final int maxBatchSpans;
    private final long exportIntervalMs;
    private final HttpClient client;
    private final ArrayDeque<Span> queue = new ArrayDeque<>();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long oldestQueuedMs;
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

    /** One span's fields, copied from its record. */
    private record Span(long timeMs, long durationNs, long traceIdHigh, long traceIdLow, long spanId,
        long parentSpanId, int sliceId, int routeId, int endpointId, int status, int flags, int attempts)
    {
    }

    /**
     * @param url              the OTLP/HTTP traces endpoint.
     * @param nodeId           this appliance's node id ({@code service.instance.id}).
     * @param names            the data plane's name table.
     * @param maxQueueSpans    spans waiting at most.
     * @param maxBatchSpans    spans per request at most.
     * @param exportIntervalMs the longest a span waits for its batch to fill.
     */
    public SpanExporter(final URI url, final String nodeId, final AccessLogNames names, final int maxQueueSpans,
        final int maxBatchSpans, final long exportIntervalMs)
    {
        this.url = requireNonNull(url, "url");
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.names = requireNonNull(names, "names");
        this.maxQueueSpans = maxQueueSpans;
        this.maxBatchSpans = maxBatchSpans;
        this.exportIntervalMs = exportIntervalMs;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
            .build();
    }

    /**
     * Registers {@code mecmesh_trace_spans_total{outcome}}.
     *
     * @param registry where the appliance's metrics are exported from.
     */
    public void register(final PrometheusRegistry registry)
    {
        CounterWithCallback.builder()
            .name("mecmesh_trace_spans_total")
            .help("Sampled spans by outcome: exported (accepted by the OTLP collector), dropped_queue_full, failed "
                + "(refused or not sent; not retried).")
            .labelNames("outcome")
            .callback(callback ->
            {
                callback.call(exported.get(), "exported");
                callback.call(droppedQueueFull.get(), "dropped_queue_full");
                callback.call(failed.get(), "failed");
            })
            .register(registry);
    }

    @Override
    public void onRecord(final AccessLogRecord record)
    {
        if ((record.flags() & AccessLogDescriptor.FLAG_SAMPLED) == 0 || record.spanId() == 0)
        {
            return;
        }
        if (queue.size() >= maxQueueSpans)
        {
            droppedQueueFull.incrementAndGet();
            return;
        }
        if (queue.isEmpty())
        {
            oldestQueuedMs = record.timeMs();
        }
        queue.add(new Span(record.timeMs(), record.durationNs(), record.traceIdHigh(), record.traceIdLow(),
            record.spanId(), record.parentSpanId(), record.sliceId(), record.routeId(), record.endpointId(),
            record.status(), record.flags(), record.attempts()));
    }

    @Override
    public int doWork(final long nowMs)
    {
        if (queue.isEmpty() || !inFlight.isDone()
            || queue.size() < maxBatchSpans && nowMs - oldestQueuedMs < exportIntervalMs)
        {
            return 0;
        }
        final int count = Math.min(queue.size(), maxBatchSpans);
        final byte[] body = encode(count);
        oldestQueuedMs = nowMs;
        final HttpRequest request = HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("User-Agent", "mecmesh/" + Version.current())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
        inFlight = client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) ->
        {
            if (error == null && response.statusCode() / 100 == 2)
            {
                exported.addAndGet(count);
            }
            else
            {
                failed.addAndGet(count);
            }
            return null;
        });
        return count;
    }

    /**
     * Sends what is queued, batch after batch while the collector accepts them; after a failure the rest is counted
     * as failed. Each request is bounded by the request timeout.
     */
    @Override
    public void onClose()
    {
        awaitInFlight();
        final long failedBefore = failed.get();
        while (!queue.isEmpty() && failed.get() == failedBefore)
        {
            oldestQueuedMs = Long.MIN_VALUE / 2;
            doWork(0);
            awaitInFlight();
        }
        failed.addAndGet(queue.size());
        queue.clear();
    }

    /**
     * @return spans accepted by the collector so far.
     */
    public long exported()
    {
        return exported.get();
    }

    /**
     * @return spans dropped because the queue was full, so far.
     */
    public long droppedQueueFull()
    {
        return droppedQueueFull.get();
    }

    /**
     * @return spans refused by the collector or not sent, so far.
     */
    public long failed()
    {
        return failed.get();
    }

    private void awaitInFlight()
    {
        try
        {
            inFlight.get(TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Exception ex)
        {
            // counted by the request's own handler
        }
    }

    /** An OTLP/JSON ExportTraceServiceRequest of the next {@code count} queued spans (removed from the queue). */
    private byte[] encode(final int count)
    {
        final ObjectNode root = JSON.createObjectNode();
        final ObjectNode resourceSpans = root.putArray("resourceSpans").addObject();
        final ArrayNode resource = resourceSpans.putObject("resource").putArray("attributes");
        attribute(resource, "service.name", "mecmesh");
        attribute(resource, "service.instance.id", nodeId);
        attribute(resource, "service.version", Version.current());
        final ObjectNode scope = resourceSpans.putArray("scopeSpans").addObject();
        scope.putObject("scope").put("name", "mecmesh").put("version", Version.current());
        final ArrayNode spans = scope.putArray("spans");
        for (int i = 0; i < count; i++)
        {
            final Span span = queue.poll();
            final String route = names.name(span.routeId());
            final long endNs = TimeUnit.MILLISECONDS.toNanos(span.timeMs());
            final ObjectNode json = spans.addObject()
                .put("traceId", TraceContext.hex(span.traceIdHigh(), span.traceIdLow(), 16))
                .put("spanId", TraceContext.hex(0, span.spanId(), 8));
            if (span.parentSpanId() != 0)
            {
                json.put("parentSpanId", TraceContext.hex(0, span.parentSpanId(), 8));
            }
            json.put("name", route.isEmpty() ? "mecmesh" : route)
                .put("kind", SPAN_KIND_SERVER)
                .put("startTimeUnixNano", Long.toString(endNs - Math.max(0, span.durationNs())))
                .put("endTimeUnixNano", Long.toString(endNs));
            final ArrayNode attributes = json.putArray("attributes");
            attribute(attributes, "mecmesh.slice", SliceStats.sliceText(span.sliceId()));
            attribute(attributes, "mecmesh.route", route);
            attribute(attributes, "mecmesh.endpoint", names.name(span.endpointId()));
            attributes.addObject().put("key", "http.response.status_code").putObject("value")
                .put("intValue", Integer.toString(span.status()));
            attributes.addObject().put("key", "mecmesh.attempts").putObject("value")
                .put("intValue", Integer.toString(span.attempts()));
            final boolean error = span.status() >= 500 || (span.flags() & AccessLogDescriptor.FLAG_RESET) != 0;
            if (error)
            {
                json.putObject("status").put("code", STATUS_CODE_ERROR);
            }
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void attribute(final ArrayNode attributes, final String key, final String value)
    {
        attributes.addObject().put("key", key).putObject("value").put("stringValue", value);
    }
}
