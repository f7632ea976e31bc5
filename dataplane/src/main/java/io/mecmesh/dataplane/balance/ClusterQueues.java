package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;

import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import java.util.WeakHashMap;

import static java.util.Objects.requireNonNull;

/**
 * One event loop's {@link ActiveRequests} of every cluster with a {@code maxActiveRequestsPerLoop}, found at the
 * cluster's first request on the loop. Clusters with the same endpoints (host and port, in any order) and the same
 * limits share one: they are one backend (two services, typically of two slices, on the same server), so their
 * requests count against one limit and wait in one priority queue, where a higher 5QI priority goes first (see
 * {@link ActiveRequests}: strict priority between levels).
 *
 * <p>Keyed by the {@link Cluster} instance (identity, weakly), through a key of its endpoints and limits: a
 * configuration swap makes new clusters, which find the share of the same backend still counting the requests the
 * old version sent (so the limit holds across the swap); a share nothing refers to any more is dropped. Confined to
 * one event loop.
 */
public final class ClusterQueues
{
    private final Map<Cluster, ActiveRequests> byCluster = new WeakHashMap<>();
    private final Map<String, WeakReference<ActiveRequests>> byBackend = new HashMap<>();
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
     * @return this loop's share of its backend's active-request limit, {@code null} when it has none.
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
            share = backend(cluster, limits);
            byCluster.put(cluster, share);
        }
        return share;
    }

    /** The share of the cluster's backend, made when no live cluster of the loop uses it. */
    private ActiveRequests backend(final Cluster cluster, final CircuitBreakers limits)
    {
        final TreeSet<String> endpoints = new TreeSet<>();
        for (final Endpoint endpoint : cluster.config().endpoints())
        {
            endpoints.add(endpoint.host() + ":" + endpoint.port());
        }
        final String key = endpoints + " " + limits.maxActiveRequestsPerLoop() + "/"
            + limits.maxQueuedRequestsPerLoop();
        final WeakReference<ActiveRequests> known = byBackend.get(key);
        ActiveRequests share = known == null ? null : known.get();
        if (share == null)
        {
            for (final Iterator<WeakReference<ActiveRequests>> it = byBackend.values().iterator(); it.hasNext(); )
            {
                if (it.next().get() == null)
                {
                    it.remove();
                }
            }
            share = new ActiveRequests(limits.maxActiveRequestsPerLoop(), limits.maxQueuedRequestsPerLoop(),
                counters);
            byBackend.put(key, new WeakReference<>(share));
        }
        return share;
    }
}
