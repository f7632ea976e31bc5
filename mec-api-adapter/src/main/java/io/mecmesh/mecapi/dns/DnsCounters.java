package io.mecmesh.mecapi.dns;

import java.util.concurrent.atomic.AtomicLongArray;

import static java.util.Objects.requireNonNull;

/** The responder's counters, one per {@link DnsCounter}: written by its event loop, read by the metrics export. */
public final class DnsCounters
{
    private final AtomicLongArray values = new AtomicLongArray(DnsCounter.values().length);

    void increment(final DnsCounter counter)
    {
        values.incrementAndGet(counter.ordinal());
    }

    /**
     * @param counter a counter.
     * @return its value.
     */
    public long get(final DnsCounter counter)
    {
        return values.get(requireNonNull(counter, "counter").ordinal());
    }
}
