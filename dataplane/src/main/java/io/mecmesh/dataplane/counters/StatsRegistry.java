package io.mecmesh.dataplane.counters;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-route and per-cluster statistics by name, so that a configuration swap keeps counting where the last
 * version stopped. Thread-safe; read at scrape time.
 */
public final class StatsRegistry
{
    private final ConcurrentMap<String, RouteStats> routes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ClusterStats> clusters = new ConcurrentHashMap<>();

    /**
     * @param name the route's name.
     * @return its statistics, created on first use.
     */
    public RouteStats route(final String name)
    {
        return routes.computeIfAbsent(name, RouteStats::new);
    }

    /**
     * @param name the cluster's name.
     * @return its statistics, created on first use.
     */
    public ClusterStats cluster(final String name)
    {
        return clusters.computeIfAbsent(name, ClusterStats::new);
    }

    public Collection<RouteStats> routes()
    {
        return routes.values();
    }

    public Collection<ClusterStats> clusters()
    {
        return clusters.values();
    }
}
