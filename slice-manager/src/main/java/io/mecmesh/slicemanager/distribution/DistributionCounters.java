package io.mecmesh.slicemanager.distribution;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import static java.util.Objects.requireNonNull;

/**
 * The values of the {@link DistributionCounter}s of one side (a publisher or a node agent). Written by the owning
 * agent's thread, read from any thread (metrics export, status, tests).
 */
public final class DistributionCounters
{
    private static final DistributionCounter[] ALL = DistributionCounter.values();

    private final AtomicLongArray values = new AtomicLongArray(ALL.length);

    /**
     * Adds one.
     *
     * @param counter the outcome.
     */
    public void increment(final DistributionCounter counter)
    {
        values.incrementAndGet(requireNonNull(counter, "counter").ordinal());
    }

    /**
     * @param counter the outcome.
     * @return its count.
     */
    public long get(final DistributionCounter counter)
    {
        return values.get(requireNonNull(counter, "counter").ordinal());
    }

    /**
     * @return every counter with its value, in declaration order.
     */
    public Map<DistributionCounter, Long> snapshot()
    {
        final Map<DistributionCounter, Long> snapshot = new EnumMap<>(DistributionCounter.class);
        for (final DistributionCounter counter : ALL)
        {
            snapshot.put(counter, values.get(counter.ordinal()));
        }
        return snapshot;
    }

    @Override
    public String toString()
    {
        return snapshot().toString();
    }
}
