package io.mecmesh.dataplane.cluster;

/**
 * A cluster's circuit breakers, as Envoy's: limits on what the data plane asks of the cluster at once, across all
 * event loops. A request over a limit is not queued: it is answered 503 at once with the header
 * {@code x-mecmesh-overflow} naming the limit, and counted; a retry over the retry limit is not made (the attempt's
 * own failure is answered). The limits hold per configuration version of the cluster: a swap starts from zero.
 *
 * @param maxConnections     upstream connections open to the cluster's endpoints (idle ones included; an HTTP/2
 *                           connection counts once, whatever its streams). A request that needs a new connection
 *                           when this many are open: 503, {@code x-mecmesh-overflow: connections}.
 * @param maxPendingRequests requests waiting for a new upstream connection to be established. One more: 503,
 *                           {@code x-mecmesh-overflow: pending}.
 * @param maxRequests        requests in flight to the cluster (from routing until the response is complete).
 *                           One more: 503, {@code x-mecmesh-overflow: requests}.
 * @param maxRetries         retries in progress at once (from the decision to retry until the request ends).
 */
public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries)
{
    /** Envoy's defaults, but for connections and requests: 1024 each, 3 retries at once. */
    public static final CircuitBreakers DEFAULT = new CircuitBreakers(1024, 1024, 1024, 3);

    public CircuitBreakers
    {
        if (maxConnections < 1)
        {
            throw new IllegalArgumentException("maxConnections: expected at least 1, got " + maxConnections);
        }
        if (maxPendingRequests < 0)
        {
            throw new IllegalArgumentException("maxPendingRequests: expected 0 or more, got " + maxPendingRequests);
        }
        if (maxRequests < 1)
        {
            throw new IllegalArgumentException("maxRequests: expected at least 1, got " + maxRequests);
        }
        if (maxRetries < 0)
        {
            throw new IllegalArgumentException("maxRetries: expected 0 or more, got " + maxRetries);
        }
    }
}
