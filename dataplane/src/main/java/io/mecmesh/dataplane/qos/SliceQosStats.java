package io.mecmesh.dataplane.qos;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the admit stage did for one slice, kept across configuration versions: outcomes by {@link QosOutcome},
 * bytes each way, GBR requests active now, and time spent in the shaping queue. Read at scrape time, summed over
 * the event loops. Thread-safe.
 *
 * <p>Each event loop counts in its own {@link Shard} (one writer per shard: a plain read and an ordered store per
 * increment, no CAS, no cache line shared with another loop's counts), so that counting a request costs what a
 * field increment costs; a reader sums the shards, and sees each loop's counts a little late at worst. Only the
 * active GBR count, changed from any loop for the node-wide admission, stays one atomic.
 */
public final class SliceQosStats
{
    private static final int OUTCOMES = QosOutcome.values().length;
    private static final int UPLINK_BYTES = OUTCOMES;
    private static final int DOWNLINK_BYTES = OUTCOMES + 1;
    private static final int QUEUED_NS = OUTCOMES + 2;
    private static final int SLOTS = OUTCOMES + 3;

    private final int sliceId;
    private final CopyOnWriteArrayList<Shard> shards = new CopyOnWriteArrayList<>();
    private final AtomicLong activeGbr = new AtomicLong();

    SliceQosStats(final int sliceId)
    {
        this.sliceId = sliceId;
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
        return sum(outcome.ordinal());
    }

    public long uplinkBytes()
    {
        return sum(UPLINK_BYTES);
    }

    public long downlinkBytes()
    {
        return sum(DOWNLINK_BYTES);
    }

    /**
     * @return nanoseconds requests of this slice spent in the shaping queue, summed.
     */
    public long queuedNs()
    {
        return sum(QUEUED_NS);
    }

    /**
     * @return GBR requests of this slice admitted and not yet ended.
     */
    public long activeGbr()
    {
        return activeGbr.get();
    }

    /**
     * A new shard for one event loop (cold path: once per loop and slice).
     *
     * @return the shard, counted in this slice's sums from now on.
     */
    Shard newShard()
    {
        final Shard shard = new Shard(this);
        shards.add(shard);
        return shard;
    }

    void onGbr(final int delta)
    {
        activeGbr.addAndGet(delta);
    }

    private long sum(final int slot)
    {
        long total = 0;
        for (final Shard shard : shards)
        {
            total += shard.counts.get(slot);
        }
        return total;
    }

    /** One event loop's counts of a slice: written by that loop only. */
    static final class Shard
    {
        private final SliceQosStats slice;
        private final AtomicLongArray counts = new AtomicLongArray(SLOTS);

        private Shard(final SliceQosStats slice)
        {
            this.slice = slice;
        }

        SliceQosStats slice()
        {
            return slice;
        }

        void on(final QosOutcome outcome)
        {
            add(outcome.ordinal(), 1);
        }

        void onUplink(final long bytes)
        {
            add(UPLINK_BYTES, bytes);
        }

        void onDownlink(final long bytes)
        {
            add(DOWNLINK_BYTES, bytes);
        }

        void onQueued(final long ns)
        {
            add(QUEUED_NS, ns);
        }

        /** Single writer: an ordered store, no read-modify-write instruction. */
        private void add(final int slot, final long delta)
        {
            counts.lazySet(slot, counts.getPlain(slot) + delta);
        }
    }
}
