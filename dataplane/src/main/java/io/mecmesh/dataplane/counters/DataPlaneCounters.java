package io.mecmesh.dataplane.counters;

import java.util.concurrent.atomic.LongAdder;

/**
 * The data plane's counters: incremented by the event loops without contention, read at scrape time.
 * Thread-safe; one instance per data plane.
 */
public final class DataPlaneCounters
{
    private static final DataPlaneCounter[] COUNTERS = DataPlaneCounter.values();

    private final LongAdder[] adders = new LongAdder[COUNTERS.length];
    private final StatsRegistry stats = new StatsRegistry();

    public DataPlaneCounters()
    {
        for (int i = 0; i < adders.length; i++)
        {
            adders[i] = new LongAdder();
        }
    }

    /**
     * Adds one.
     *
     * @param counter what happened.
     */
    public void increment(final DataPlaneCounter counter)
    {
        adders[counter.ordinal()].increment();
    }

    /**
     * @return the per-route and per-cluster statistics.
     */
    public StatsRegistry stats()
    {
        return stats;
    }

    /**
     * @param counter which counter.
     * @return its current value.
     */
    public long get(final DataPlaneCounter counter)
    {
        return adders[counter.ordinal()].sum();
    }
}
