package io.mecmesh.appliance.config;

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
 */
public record TelemetryConfig(Optional<RemoteWrite> remoteWrite, boolean requestMetrics)
{
    /** No telemetry section: nothing is pushed; request metrics are kept. */
    public static final TelemetryConfig NONE = new TelemetryConfig(Optional.empty());

    public TelemetryConfig
    {
        requireNonNull(remoteWrite, "remoteWrite");
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
            final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null)
            {
                throw new IllegalArgumentException("url: expected an http or https URL with a host, such as "
                    + "http://127.0.0.1:9090/api/v1/write, got \"" + url + "\"");
            }
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
}
