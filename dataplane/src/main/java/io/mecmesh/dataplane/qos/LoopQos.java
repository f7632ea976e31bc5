package io.mecmesh.dataplane.qos;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One event loop's view of the node's {@link QosRuntime}: its {@link RateShard}s by (slice, route, kind), the
 * slices' settings and statistics, and its shaping queue. Everything a request needs after the first request of a
 * slice is in these maps, so deciding a request allocates nothing. When the runtime's configuration changes, the
 * shards are given back and rebuilt on next use.
 *
 * <p>Keys: the slice id in the high 32 bits, the route id (0 for the slice) shifted by 2, and the kind (requests,
 * uplink bytes, downlink bytes) in the low 2 bits.
 *
 * <p>Confined to its event loop.
 */
public final class LoopQos
{
    /** Requests per second, per slice. */
    public static final int REQUESTS = 0;
    /** Bytes towards the service. */
    public static final int UPLINK = 1;
    /** Bytes back to the caller. */
    public static final int DOWNLINK = 2;
    /** How many requests wait in one loop's shaping queue at most. */
    public static final int QUEUE_CAPACITY = 4096;

    private final QosRuntime runtime;
    private final Long2ObjectHashMap<RateShard> shards = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<SliceQosConfig> defaults = new Int2ObjectHashMap<>();
    /** This loop's counts of each slice (see SliceQosStats: one writer per shard). */
    private final Int2ObjectHashMap<SliceQosStats.Shard> stats = new Int2ObjectHashMap<>();
    private final Int2IntHashMap backlog = new Int2IntHashMap(0);
    private final PriorityWaitQueue<Object> queue;
    private QosRuntime.Settings settings;
    private long lastWaitNs;

    LoopQos(final QosRuntime runtime)
    {
        this.runtime = runtime;
        this.settings = runtime.settings();
        this.queue = new PriorityWaitQueue<>(QUEUE_CAPACITY, settings.weights);
    }

    /**
     * Counts a channel of this loop that starts (+1) or stops (-1) holding a slice's body bytes for its bit-rate
     * buckets: while any does, the slice is over its MBR on this loop, and a POLICE slice refuses new requests.
     *
     * @param sliceId the packed S-NSSAI.
     * @param delta   +1 or -1.
     */
    public void backlog(final int sliceId, final int delta)
    {
        final int now = backlog.get(sliceId) + delta;
        if (now <= 0)
        {
            backlog.remove(sliceId);
        }
        else
        {
            backlog.put(sliceId, now);
        }
    }

    /**
     * @param sliceId the packed S-NSSAI.
     * @return how many channels of this loop hold the slice's body bytes for its bit-rate buckets now.
     */
    public int backlog(final int sliceId)
    {
        return backlog.get(sliceId);
    }

    public QosRuntime runtime()
    {
        return runtime;
    }

    /**
     * @return the clock's time now.
     */
    public long nanoTime()
    {
        return runtime.nanoTime();
    }

    /**
     * @param sliceId the packed S-NSSAI.
     * @return the slice's settings under the running configuration, or its defaults.
     */
    public SliceQosConfig slice(final int sliceId)
    {
        refresh();
        final SliceQosConfig configured = settings.bySlice.get(sliceId);
        if (configured != null)
        {
            return configured;
        }
        SliceQosConfig fallback = defaults.get(sliceId);
        if (fallback == null)
        {
            fallback = SliceQosConfig.defaults(sliceId);
            defaults.put(sliceId, fallback);
        }
        return fallback;
    }

    /**
     * @param sliceId the packed S-NSSAI.
     * @return the slice's statistics (summed over the loops).
     */
    public SliceQosStats stats(final int sliceId)
    {
        return shard(sliceId).slice();
    }

    /** This loop's counts of the slice, made on first use. */
    private SliceQosStats.Shard shard(final int sliceId)
    {
        SliceQosStats.Shard s = stats.get(sliceId);
        if (s == null)
        {
            s = runtime.stats(sliceId).newShard();
            stats.put(sliceId, s);
        }
        return s;
    }

    /**
     * Counts an outcome for a slice.
     *
     * @param sliceId the packed S-NSSAI.
     * @param outcome what happened.
     */
    public void count(final int sliceId, final QosOutcome outcome)
    {
        shard(sliceId).on(outcome);
    }

    /**
     * Takes tokens from the (slice, route, kind) bucket of this rate and burst.
     *
     * @param sliceId       the packed S-NSSAI.
     * @param routeId       the route's policy id, 0 for the slice's own bucket.
     * @param kind          {@link #REQUESTS}, {@link #UPLINK} or {@link #DOWNLINK}.
     * @param ratePerSecond the rate, 0 for not limited (always true).
     * @param burst         the bucket's depth (at least 1 is used).
     * @param tokens        the tokens to spend.
     * @param nowNs         the clock's time now.
     * @return true if spent; false sets {@link #lastWaitNs()} to when it could be.
     */
    public boolean tryAcquire(
        final int sliceId,
        final int routeId,
        final int kind,
        final long ratePerSecond,
        final long burst,
        final long tokens,
        final long nowNs)
    {
        if (ratePerSecond <= 0 || tokens <= 0)
        {
            return true;
        }
        refresh();
        final long key = ((long)sliceId << 32) | ((long)routeId << 2 & 0xFFFF_FFFFL) | kind;
        final long depth = Math.max(1, burst);
        RateShard shard = shards.get(key);
        if (shard == null || shard.budget().ratePerSecond() != ratePerSecond || shard.budget().burst() != depth)
        {
            if (shard != null)
            {
                shard.close(nowNs);
            }
            shard = new RateShard(runtime.budget(key, ratePerSecond, depth), runtime.loops());
            shards.put(key, shard);
        }
        if (shard.tryAcquire(tokens, nowNs))
        {
            return true;
        }
        lastWaitNs = Math.max(1, shard.waitNs(tokens, nowNs));
        return false;
    }

    /**
     * @return after a failed {@link #tryAcquire}: nanoseconds until it could succeed.
     */
    public long lastWaitNs()
    {
        return lastWaitNs;
    }

    /**
     * Counts bytes of a slice (after they were paced).
     *
     * @param sliceId the packed S-NSSAI.
     * @param kind    {@link #UPLINK} or {@link #DOWNLINK}.
     * @param bytes   how many.
     */
    public void countBytes(final int sliceId, final int kind, final long bytes)
    {
        if (kind == UPLINK)
        {
            shard(sliceId).onUplink(bytes);
        }
        else
        {
            shard(sliceId).onDownlink(bytes);
        }
    }

    /**
     * @param sliceId the packed S-NSSAI.
     * @param ns      time a request of it spent in the shaping queue.
     */
    public void countQueued(final int sliceId, final long ns)
    {
        shard(sliceId).onQueued(ns);
    }

    /**
     * Admits a GBR request against the node's capacity, counting it active.
     *
     * @param sliceId the packed S-NSSAI.
     * @param gbrBps  its guaranteed rate, more than 0.
     * @return true if admitted: call {@link #releaseGbr} once at its end.
     */
    public boolean tryAdmitGbr(final int sliceId, final long gbrBps)
    {
        if (!runtime.gbr().tryAdmit(gbrBps))
        {
            return false;
        }
        stats(sliceId).onGbr(1);
        return true;
    }

    /**
     * @param sliceId the packed S-NSSAI.
     * @param gbrBps  the rate {@link #tryAdmitGbr} admitted.
     */
    public void releaseGbr(final int sliceId, final long gbrBps)
    {
        runtime.gbr().release(gbrBps);
        stats(sliceId).onGbr(-1);
    }

    /**
     * @return this loop's shaping queue.
     */
    public PriorityWaitQueue<Object> queue()
    {
        return queue;
    }

    private void refresh()
    {
        final QosRuntime.Settings current = runtime.settings();
        if (current != settings)
        {
            final long nowNs = runtime.nanoTime();
            shards.values().forEach(shard -> shard.close(nowNs));
            shards.clear();
            settings = current;
        }
    }
}
