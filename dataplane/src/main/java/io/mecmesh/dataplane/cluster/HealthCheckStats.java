package io.mecmesh.dataplane.cluster;

import java.util.concurrent.atomic.LongAdder;

/**
 * What active health checking saw for one cluster, kept across configuration versions while the cluster keeps its
 * name: probes that passed and failed, and the endpoints healthy now (a gauge). Thread-safe; read at scrape time.
 */
public final class HealthCheckStats
{
    private final String cluster;
    private final LongAdder checksOk = new LongAdder();
    private final LongAdder checksFailed = new LongAdder();
    private volatile int healthyEndpoints;
    private volatile int endpoints;

    /**
     * @param cluster the cluster's name.
     */
    public HealthCheckStats(final String cluster)
    {
        this.cluster = cluster;
    }

    public String cluster()
    {
        return cluster;
    }

    void onCheck(final boolean ok)
    {
        (ok ? checksOk : checksFailed).increment();
    }

    void onHealthy(final int healthy, final int total)
    {
        healthyEndpoints = healthy;
        endpoints = total;
    }

    public long checksOk()
    {
        return checksOk.sum();
    }

    public long checksFailed()
    {
        return checksFailed.sum();
    }

    /**
     * @return endpoints that pass their active health check now (gauge).
     */
    public int healthyEndpoints()
    {
        return healthyEndpoints;
    }

    /**
     * @return endpoints checked (gauge).
     */
    public int endpoints()
    {
        return endpoints;
    }
}
