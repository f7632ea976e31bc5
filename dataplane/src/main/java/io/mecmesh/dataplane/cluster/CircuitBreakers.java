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
 * @param maxActiveRequestsPerLoop requests of one event loop sent to the cluster at once (from the first attempt's
 *                           start until the exchange ends); 0 = no such limit. Unlike the others this limit
 *                           <b>queues</b>: a request over it waits in its event loop's wait queue for the cluster,
 *                           leaving in 5QI priority-level order with weighted fairness when a request of the same
 *                           loop ends ({@code balance.ActiveRequests}); its timeout (the delay budget) runs while it
 *                           waits (504). The cluster-wide figure is this times the number of event loops.
 * @param maxQueuedRequestsPerLoop requests waiting in one event loop's queue for the cluster; one more: 503,
 *                           {@code x-mecmesh-overflow: requests}.
 */
public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries,
    int maxActiveRequestsPerLoop, int maxQueuedRequestsPerLoop)
{
    /** Envoy's defaults, but for connections and requests: 1024 each, 3 retries at once; no queueing limit. */
    public static final CircuitBreakers DEFAULT = new CircuitBreakers(1024, 1024, 1024, 3);
    /** Queued requests per event loop and cluster when {@code maxActiveRequestsPerLoop} is set. */
    public static final int DEFAULT_MAX_QUEUED_REQUESTS_PER_LOOP = 1024;

    /**
     * The limits without a queueing limit.
     *
     * @param maxConnections     see the record.
     * @param maxPendingRequests see the record.
     * @param maxRequests        see the record.
     * @param maxRetries         see the record.
     */
    public CircuitBreakers(final int maxConnections, final int maxPendingRequests, final int maxRequests,
        final int maxRetries)
    {
        this(maxConnections, maxPendingRequests, maxRequests, maxRetries, 0, DEFAULT_MAX_QUEUED_REQUESTS_PER_LOOP);
    }

    public CircuitBreakers
    {
        if (maxActiveRequestsPerLoop < 0)
        {
            throw new IllegalArgumentException("maxActiveRequestsPerLoop: expected 0 or more, got "
                + maxActiveRequestsPerLoop);
        }
        if (maxQueuedRequestsPerLoop < 1)
        {
            throw new IllegalArgumentException("maxQueuedRequestsPerLoop: expected at least 1, got "
                + maxQueuedRequestsPerLoop);
        }
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

    /**
     * @param active the new {@code maxActiveRequestsPerLoop}.
     * @param queued the new {@code maxQueuedRequestsPerLoop}.
     * @return these limits with the active-request limit and its queue replaced.
     */
    public CircuitBreakers withActiveRequestsPerLoop(final int active, final int queued)
    {
        return new CircuitBreakers(maxConnections, maxPendingRequests, maxRequests, maxRetries, active, queued);
    }
}
