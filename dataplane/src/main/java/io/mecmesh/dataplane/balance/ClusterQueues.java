package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.counters.DataPlaneCounters;

import java.util.Map;
import java.util.WeakHashMap;

import static java.util.Objects.requireNonNull;

/**
 * One event loop's {@link ActiveRequests} of every cluster with a {@code maxActiveRequestsPerLoop}, made at the
 * cluster's first request on the loop. Keyed by the {@link Cluster} instance (identity, weakly): a configuration
 * swap makes new clusters, so a new version starts from zero, and the old version's share goes once its last
 * request has given its slot back. Confined to one event loop.
 */
public final class ClusterQueues
{
    private final Map<Cluster, ActiveRequests> byCluster = new WeakHashMap<>();
    private final DataPlaneCounters counters;

    /**
     * @param counters where queued and expired requests are counted.
     */
    public ClusterQueues(final DataPlaneCounters counters)
    {
        this.counters = requireNonNull(counters, "counters");
    }

    /**
     * @param cluster a cluster.
     * @return this loop's share of its active-request limit, {@code null} when it has none.
     */
    public ActiveRequests of(final Cluster cluster)
    {
        requireNonNull(cluster, "cluster");
        final CircuitBreakers limits = cluster.config().circuitBreakers();
        if (limits.maxActiveRequestsPerLoop() == 0)
        {
            return null;
        }
        ActiveRequests share = byCluster.get(cluster);
        if (share == null)
        {
            share = new ActiveRequests(limits.maxActiveRequestsPerLoop(), limits.maxQueuedRequestsPerLoop(),
                counters);
            byCluster.put(cluster, share);
        }
        return share;
    }
}
