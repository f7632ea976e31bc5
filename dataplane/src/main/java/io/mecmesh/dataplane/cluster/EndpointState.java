package io.mecmesh.dataplane.cluster;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint of a cluster at run time: its address, how busy and how fast it is, and whether it is ejected or
 * failing its active health check.
 * Shared by every event loop; updates are lock-free and approximate where exactness costs more than it is worth
 * (the latency average).
 */
public final class EndpointState
{
    private static final double EWMA_WEIGHT = 0.2;
    private static final long INITIAL_LATENCY_NS = 1_000_000;

    private final Endpoint endpoint;
    private final InetSocketAddress address;
    private final int tier;
    private final PoolKey poolKey;
    /** The keys by DSCP, made on first use (a benign race: a key is an immutable value, equal whoever made it). */
    private final PoolKey[] poolKeysByDscp = new PoolKey[PoolKey.DSCP_VALUES];
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger ejections = new AtomicInteger();
    private static final long NEVER_EJECTED = Long.MIN_VALUE;

    private final AtomicLong ejectedUntilNs = new AtomicLong(NEVER_EJECTED);
    private volatile long ewmaLatencyNs = INITIAL_LATENCY_NS;
    private volatile boolean failingHealthCheck;

    EndpointState(final Endpoint endpoint, final InetSocketAddress address, final int tier, final PoolKey poolKey)
    {
        this.endpoint = endpoint;
        this.address = address;
        this.tier = tier;
        this.poolKey = poolKey;
        this.poolKeysByDscp[poolKey.dscp()] = poolKey;
    }

    /**
     * @return what its pooled connections are filed under: stable across configuration versions while the
     * address, the cluster name and the use of TLS stay the same.
     */
    public PoolKey poolKey()
    {
        return poolKey;
    }

    /**
     * @param dscp the DSCP of the request's slice, 0 to 63.
     * @return what its pooled connections marked with that DSCP are filed under; allocates only the first time a
     * DSCP is asked for.
     */
    public PoolKey poolKey(final int dscp)
    {
        PoolKey key = poolKeysByDscp[dscp];
        if (key == null)
        {
            key = new PoolKey(poolKey.address(), poolKey.cluster(), poolKey.tls(), dscp);
            poolKeysByDscp[dscp] = key;
        }
        return key;
    }

    public Endpoint endpoint()
    {
        return endpoint;
    }

    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * @return 0 same host, 1 same site, 2 same zone, 3 elsewhere (relative to the node).
     */
    public int tier()
    {
        return tier;
    }

    public int activeRequests()
    {
        return activeRequests.get();
    }

    public long ewmaLatencyNs()
    {
        return ewmaLatencyNs;
    }

    /**
     * @param nowNs the clock.
     * @return true while ejected by outlier detection.
     */
    public boolean isEjected(final long nowNs)
    {
        final long until = ejectedUntilNs.get();
        return until != NEVER_EJECTED && nowNs - until < 0;
    }

    /**
     * @return true while active health checking has taken the endpoint out (see {@link HealthCheckConfig}).
     */
    public boolean isFailingHealthCheck()
    {
        return failingHealthCheck;
    }

    void setFailingHealthCheck(final boolean failing)
    {
        failingHealthCheck = failing;
    }

    /**
     * @param nowNs the clock.
     * @return true when the balancer may pick it: neither ejected by outlier detection nor failing its active
     * health check.
     */
    public boolean isUsable(final long nowNs)
    {
        return !failingHealthCheck && !isEjected(nowNs);
    }

    void onAttemptStart()
    {
        activeRequests.incrementAndGet();
    }

    void onSuccess(final long latencyNs)
    {
        activeRequests.decrementAndGet();
        consecutiveFailures.set(0);
        ewmaLatencyNs = (long)(ewmaLatencyNs * (1 - EWMA_WEIGHT) + latencyNs * EWMA_WEIGHT);
    }

    /**
     * @return the number of failures in a row, this one included.
     */
    int onFailure()
    {
        activeRequests.decrementAndGet();
        return consecutiveFailures.incrementAndGet();
    }

    void onAbandoned()
    {
        activeRequests.decrementAndGet();
    }

    /**
     * Ejects the endpoint.
     *
     * @return how long, in nanoseconds.
     */
    long eject(final long nowNs, final long baseEjectionNs)
    {
        final int count = Math.min(ejections.incrementAndGet(), 10);
        final long durationNs = baseEjectionNs * count;
        ejectedUntilNs.set(nowNs + durationNs);
        consecutiveFailures.set(0);
        return durationNs;
    }

    @Override
    public String toString()
    {
        return endpoint.toString();
    }
}
