package io.mecmesh.dataplane.cluster;

/**
 * Passive health: an endpoint that fails this many times in a row (5xx, connect failure, reset, timeout) is
 * ejected — skipped by the balancer — for {@code baseEjectionMs} × the number of times it was ejected (at most ten
 * times that). At most {@code maxEjectionPercent} of a cluster's endpoints are ejected at once; when every endpoint
 * is ejected or unhealthy the balancer uses them all rather than fail every request (panic mode).
 *
 * @param consecutiveFailures failures in a row that eject (0 turns ejection off).
 * @param baseEjectionMs      first ejection time.
 * @param maxEjectionPercent  most endpoints ejected at once, in percent.
 */
public record OutlierDetection(int consecutiveFailures, long baseEjectionMs, int maxEjectionPercent)
{
    /** Five failures in a row eject for 30 s, at most half the endpoints. */
    public static final OutlierDetection DEFAULT = new OutlierDetection(5, 30_000, 50);

    public OutlierDetection
    {
        if (consecutiveFailures < 0)
        {
            throw new IllegalArgumentException("consecutiveFailures: expected 0 (off) or more, got "
                + consecutiveFailures);
        }
        if (baseEjectionMs < 1)
        {
            throw new IllegalArgumentException("baseEjectionMs: expected 1 or more, got " + baseEjectionMs);
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100)
        {
            throw new IllegalArgumentException("maxEjectionPercent: expected 0 to 100, got " + maxEjectionPercent);
        }
    }
}
