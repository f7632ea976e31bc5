package io.mecmesh.perf.loadgen;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@link LoadCounter}s of one run. Incremented by the event loops, read by the reporting thread: thread-safe.
 */
final class LoadCounters
{
    private static final LoadCounter[] COUNTERS = LoadCounter.values();

    private final AtomicLongArray values = new AtomicLongArray(COUNTERS.length);

    void increment(final LoadCounter counter)
    {
        values.getAndIncrement(counter.ordinal());
    }

    long get(final LoadCounter counter)
    {
        return values.get(counter.ordinal());
    }

    /**
     * @return the sum of every error counter.
     */
    long errors()
    {
        long sum = 0;
        for (final LoadCounter counter : COUNTERS)
        {
            if (counter.isError())
            {
                sum += values.get(counter.ordinal());
            }
        }
        return sum;
    }
}
