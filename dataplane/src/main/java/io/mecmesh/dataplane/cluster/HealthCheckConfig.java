package io.mecmesh.dataplane.cluster;

import static java.util.Objects.requireNonNull;

/**
 * Active health checking of a cluster's endpoints: every {@code intervalMs} each endpoint is probed, by an HTTP/1.1
 * {@code GET path} (healthy when the status is within {@code expectedStatusMin}..{@code expectedStatusMax}) or by a
 * TCP connect, each probe failing after {@code timeoutMs}. An endpoint is taken out of balancing after
 * {@code unhealthyThreshold} failed probes in a row and comes back after {@code healthyThreshold} successful ones
 * in a row. Combined with passive outlier ejection: an endpoint is used when neither has taken it out (and when
 * every endpoint is out, the balancer uses them all: panic mode).
 *
 * @param kind               HTTP or TCP probes.
 * @param path               the HTTP probe's path, starting with {@code /} (ignored for TCP).
 * @param expectedStatusMin  lowest healthy HTTP status.
 * @param expectedStatusMax  highest healthy HTTP status.
 * @param intervalMs         time between probe rounds.
 * @param timeoutMs          time a probe may take (connect and answer); at most {@code intervalMs}.
 * @param healthyThreshold   successful probes in a row that bring an unhealthy endpoint back.
 * @param unhealthyThreshold failed probes in a row that take an endpoint out.
 */
public record HealthCheckConfig(
    Kind kind,
    String path,
    int expectedStatusMin,
    int expectedStatusMax,
    long intervalMs,
    long timeoutMs,
    int healthyThreshold,
    int unhealthyThreshold)
{
    public static final String DEFAULT_PATH = "/healthz";
    public static final int DEFAULT_EXPECTED_STATUS_MIN = 200;
    public static final int DEFAULT_EXPECTED_STATUS_MAX = 299;
    public static final long DEFAULT_INTERVAL_MS = 5000;
    public static final long DEFAULT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

    /** How an endpoint is probed. */
    public enum Kind
    {
        /** An HTTP/1.1 GET of the path (over TLS when the cluster uses TLS); the status decides. */
        HTTP,
        /** A TCP connect; success is a completed handshake. */
        TCP
    }

    public HealthCheckConfig
    {
        requireNonNull(kind, "kind");
        requireNonNull(path, "path");
        if (kind == Kind.HTTP && !path.startsWith("/"))
        {
            throw new IllegalArgumentException("path: expected an absolute path starting with /, got \"" + path
                + "\"");
        }
        if (path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))
        {
            throw new IllegalArgumentException("path: must not contain spaces or control characters");
        }
        if (expectedStatusMin < 100 || expectedStatusMin > 599)
        {
            throw new IllegalArgumentException("expectedStatusMin: expected 100 to 599, got " + expectedStatusMin);
        }
        if (expectedStatusMax < expectedStatusMin || expectedStatusMax > 599)
        {
            throw new IllegalArgumentException("expectedStatusMax: expected " + expectedStatusMin + " to 599, got "
                + expectedStatusMax);
        }
        if (intervalMs < 10 || intervalMs > 3_600_000)
        {
            throw new IllegalArgumentException("intervalMs: expected 10 to 3600000, got " + intervalMs);
        }
        if (timeoutMs < 1 || timeoutMs > intervalMs)
        {
            throw new IllegalArgumentException("timeoutMs: expected 1 to intervalMs (" + intervalMs + "), got "
                + timeoutMs);
        }
        if (healthyThreshold < 1 || healthyThreshold > 100)
        {
            throw new IllegalArgumentException("healthyThreshold: expected 1 to 100, got " + healthyThreshold);
        }
        if (unhealthyThreshold < 1 || unhealthyThreshold > 100)
        {
            throw new IllegalArgumentException("unhealthyThreshold: expected 1 to 100, got " + unhealthyThreshold);
        }
    }

    /**
     * An HTTP check of {@code path} with the default status range, interval, timeout and thresholds.
     *
     * @param path the path probed.
     * @return the configuration.
     */
    public static HealthCheckConfig http(final String path)
    {
        return new HealthCheckConfig(Kind.HTTP, path, DEFAULT_EXPECTED_STATUS_MIN, DEFAULT_EXPECTED_STATUS_MAX,
            DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, DEFAULT_HEALTHY_THRESHOLD, DEFAULT_UNHEALTHY_THRESHOLD);
    }

    /**
     * A TCP connect check with the default interval, timeout and thresholds.
     *
     * @return the configuration.
     */
    public static HealthCheckConfig tcp()
    {
        return new HealthCheckConfig(Kind.TCP, "", DEFAULT_EXPECTED_STATUS_MIN, DEFAULT_EXPECTED_STATUS_MAX,
            DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, DEFAULT_HEALTHY_THRESHOLD, DEFAULT_UNHEALTHY_THRESHOLD);
    }

    /**
     * @param newIntervalMs interval.
     * @param newTimeoutMs  timeout.
     * @param newHealthy    healthy threshold.
     * @param newUnhealthy  unhealthy threshold.
     * @return this check with other timing and thresholds.
     */
    public HealthCheckConfig withTiming(
        final long newIntervalMs, final long newTimeoutMs, final int newHealthy, final int newUnhealthy)
    {
        return new HealthCheckConfig(kind, path, expectedStatusMin, expectedStatusMax, newIntervalMs, newTimeoutMs,
            newHealthy, newUnhealthy);
    }
}
