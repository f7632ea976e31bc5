package io.mecmesh.appliance.config;

import io.mecmesh.dataplane.trace.TraceConfig;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the appliance sends out about itself ({@code telemetry} in appliance.yaml).
 *
 * @param remoteWrite    where its metrics are pushed with Prometheus remote-write 1.0, if anywhere.
 * @param requestMetrics whether the per-slice, per-route request metrics are kept (fed from the access-log ring,
 *                       which is then attached and drained even when the access log is not written to disk).
 * @param tracing        trace context, request ids, client address headers and span export, if configured.
 */
public record TelemetryConfig(Optional<RemoteWrite> remoteWrite, boolean requestMetrics, Optional<Tracing> tracing)
{
    /** No telemetry section: nothing is pushed; request metrics are kept; no tracing. */
    public static final TelemetryConfig NONE = new TelemetryConfig(Optional.empty());

    public TelemetryConfig
    {
        requireNonNull(remoteWrite, "remoteWrite");
        requireNonNull(tracing, "tracing");
    }

    /**
     * @param remoteWrite    where its metrics are pushed, if anywhere.
     * @param requestMetrics whether the per-slice, per-route request metrics are kept.
     */
    public TelemetryConfig(final Optional<RemoteWrite> remoteWrite, final boolean requestMetrics)
    {
        this(remoteWrite, requestMetrics, Optional.empty());
    }

    /**
     * @param remoteWrite where its metrics are pushed, if anywhere; request metrics are kept.
     */
    public TelemetryConfig(final Optional<RemoteWrite> remoteWrite)
    {
        this(remoteWrite, true);
    }

    /**
     * Store-and-forward of this appliance's metrics to a remote-write receiver (a core Prometheus, Mimir, Thanos...).
     *
     * @param url            the receiver's endpoint, http or https, e.g. {@code http://core:9090/api/v1/write}.
     * @param intervalMs     how often the metrics are sampled (every sample of every series, stamped with that time).
     * @param diskQuotaBytes the most the samples not yet accepted by the receiver may take on disk; beyond it the
     *                       oldest are dropped (and counted).
     */
    public record RemoteWrite(URI url, long intervalMs, long diskQuotaBytes)
    {
        public static final long DEFAULT_INTERVAL_MS = 15_000;
        public static final long DEFAULT_DISK_QUOTA_BYTES = 64L * 1024 * 1024;
        public static final long MIN_INTERVAL_MS = 100;
        public static final long MAX_INTERVAL_MS = 3_600_000;
        public static final long MIN_DISK_QUOTA_BYTES = 64L * 1024;
        public static final long MAX_DISK_QUOTA_BYTES = 1L << 40;

        public RemoteWrite
        {
            requireNonNull(url, "url");
            requireHttpUrl("url", url, "http://127.0.0.1:9090/api/v1/write");
            if (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS)
            {
                throw new IllegalArgumentException("intervalMs: expected " + MIN_INTERVAL_MS + " to " + MAX_INTERVAL_MS
                    + ", got " + intervalMs);
            }
            if (diskQuotaBytes < MIN_DISK_QUOTA_BYTES || diskQuotaBytes > MAX_DISK_QUOTA_BYTES)
            {
                throw new IllegalArgumentException("diskQuotaBytes: expected " + MIN_DISK_QUOTA_BYTES + " to "
                    + MAX_DISK_QUOTA_BYTES + ", got " + diskQuotaBytes);
            }
        }
    }

    /**
     * The trace stage's settings and where sampled spans go ({@code telemetry.tracing}).
     *
     * @param trace          what the data plane does to request headers (trace context, x-request-id, x-forwarded-for).
     * @param otlpUrl        the OTLP/HTTP traces endpoint (JSON encoding), e.g.
     *                       {@code http://collector:4318/v1/traces}; empty: ids are propagated, spans not exported.
     * @param maxQueueSpans  spans waiting to be sent at most; beyond it new spans are dropped (and counted).
     * @param maxBatchSpans  spans per export request at most.
     * @param exportIntervalMs how long a span may wait for a batch to fill before it is sent.
     */
    public record Tracing(TraceConfig trace, Optional<URI> otlpUrl, int maxQueueSpans, int maxBatchSpans,
        long exportIntervalMs)
    {
        public static final double DEFAULT_SAMPLING_RATIO = 0.01;
        public static final int DEFAULT_MAX_QUEUE_SPANS = 2_048;
        public static final int DEFAULT_MAX_BATCH_SPANS = 512;
        public static final long DEFAULT_EXPORT_INTERVAL_MS = 1_000;

        public Tracing
        {
            requireNonNull(trace, "trace");
            requireNonNull(otlpUrl, "otlpUrl");
            otlpUrl.ifPresent(url -> requireHttpUrl("otlpUrl", url, "http://127.0.0.1:4318/v1/traces"));
            if (maxQueueSpans < 1 || maxQueueSpans > 1_000_000)
            {
                throw new IllegalArgumentException("maxQueueSpans: expected 1 to 1000000, got " + maxQueueSpans);
            }
            if (maxBatchSpans < 1 || maxBatchSpans > maxQueueSpans)
            {
                throw new IllegalArgumentException("maxBatchSpans: expected 1 to maxQueueSpans (" + maxQueueSpans
                    + "), got " + maxBatchSpans);
            }
            if (exportIntervalMs < 10 || exportIntervalMs > 60_000)
            {
                throw new IllegalArgumentException("exportIntervalMs: expected 10 to 60000, got " + exportIntervalMs);
            }
        }
    }

    private static void requireHttpUrl(final String key, final URI url, final String example)
    {
        final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null)
        {
            throw new IllegalArgumentException(key + ": expected an http or https URL with a host, such as " + example
                + ", got \"" + url + "\"");
        }
    }
}
