package io.mecmesh.dataplane.counters;

import java.util.concurrent.atomic.LongAdder;

/**
 * What happened towards one cluster, kept across configuration versions while the cluster keeps its name.
 * Thread-safe.
 */
public final class ClusterStats
{
    private final String name;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder ejections = new LongAdder();
    private final LongAdder[] circuitOpen = new LongAdder[Overflow.values().length];

    ClusterStats(final String name)
    {
        this.name = name;
        for (int i = 0; i < circuitOpen.length; i++)
        {
            circuitOpen[i] = new LongAdder();
        }
    }

    public String name()
    {
        return name;
    }

    public void onAttempt()
    {
        attempts.increment();
    }

    public void onConnectFailure()
    {
        connectFailures.increment();
    }

    public void onFailure()
    {
        failures.increment();
    }

    public void onEjection()
    {
        ejections.increment();
    }

    public long attempts()
    {
        return attempts.sum();
    }

    public long connectFailures()
    {
        return connectFailures.sum();
    }

    /**
     * @return failed attempts: 5xx, connect failures, resets, timeouts.
     */
    public long failures()
    {
        return failures.sum();
    }

    public long ejections()
    {
        return ejections.sum();
    }

    /**
     * @param reason the breaker that refused a request or a retry.
     */
    public void onCircuitOpen(final Overflow reason)
    {
        circuitOpen[reason.ordinal()].increment();
    }

    /**
     * @param reason a breaker.
     * @return requests (or retries, for {@link Overflow#RETRIES}) it refused.
     */
    public long circuitOpen(final Overflow reason)
    {
        return circuitOpen[reason.ordinal()].sum();
    }
}
