package io.mecmesh.dataplane.qos;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the admit stage did for one slice, kept across configuration versions: outcomes by {@link QosOutcome},
 * bytes each way, GBR requests active now, and time spent in the shaping queue. Incremented by the event loops,
 * read at scrape time. Thread-safe.
 */
public final class SliceQosStats
{
    private final int sliceId;
    private final LongAdder[] outcomes = new LongAdder[QosOutcome.values().length];
    private final LongAdder uplinkBytes = new LongAdder();
    private final LongAdder downlinkBytes = new LongAdder();
    private final LongAdder queuedNs = new LongAdder();
    private final AtomicLong activeGbr = new AtomicLong();

    SliceQosStats(final int sliceId)
    {
        this.sliceId = sliceId;
        for (int i = 0; i < outcomes.length; i++)
        {
            outcomes[i] = new LongAdder();
        }
    }

    public int sliceId()
    {
        return sliceId;
    }

    /**
     * @param outcome an outcome.
     * @return how many requests of this slice had it.
     */
    public long count(final QosOutcome outcome)
    {
        return outcomes[outcome.ordinal()].sum();
    }

    public long uplinkBytes()
    {
        return uplinkBytes.sum();
    }

    public long downlinkBytes()
    {
        return downlinkBytes.sum();
    }

    /**
     * @return nanoseconds requests of this slice spent in the shaping queue, summed.
     */
    public long queuedNs()
    {
        return queuedNs.sum();
    }

    /**
     * @return GBR requests of this slice admitted and not yet ended.
     */
    public long activeGbr()
    {
        return activeGbr.get();
    }

    void on(final QosOutcome outcome)
    {
        outcomes[outcome.ordinal()].increment();
    }

    void onUplink(final long bytes)
    {
        uplinkBytes.add(bytes);
    }

    void onDownlink(final long bytes)
    {
        downlinkBytes.add(bytes);
    }

    void onQueued(final long ns)
    {
        queuedNs.add(ns);
    }

    void onGbr(final int delta)
    {
        activeGbr.addAndGet(delta);
    }
}
