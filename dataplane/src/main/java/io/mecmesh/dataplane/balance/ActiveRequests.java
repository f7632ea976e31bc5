package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.qos.PriorityWaitQueue;

import static java.util.Objects.requireNonNull;

/**
 * One event loop's share of a backend's {@code maxActiveRequestsPerLoop}: the requests of this loop sent to it, and
 * the wait queue of those over the limit (issue 13 item 9: a request that waits leaves in 5QI priority-level order
 * with weighted fairness, {@link PriorityWaitQueue}; one whose deadline passed while it waited leaves with a 504,
 * never reaching the backend). Clusters with the same endpoints and the same limit share one ({@link ClusterQueues}):
 * they are one backend, whose capacity the services on it share.
 *
 * <p><b>Priority between levels.</b> The slots are the backend's capacity, and a lower priority must not take it
 * from a higher one: the level with the highest priority (lowest number) active in the last second may use every
 * slot; a lower level takes a slot only while no request of a higher level is active, and then only while fewer
 * than a quarter of the slots (at least one) are taken, so that the higher levels arriving meanwhile find the
 * rest free. Among the levels allowed, turns follow the queue's weighted fairness. So a backend shared by slices
 * serves their lower priority traffic in the gaps of the higher (eMBB absorbs the loss, URLLC keeps its latency),
 * at the price of slots left idle while lower levels wait (not work-conserving) and of lower levels waiting as long
 * as higher ones keep the backend busy (up to their delay budget, then 504). While a higher level is active or
 * was in the last second, at most {@code maxActiveRequestsPerLoop} (at least 4) requests of a lower level (and below) wait; more
 * are refused at once (503, overflow), so that a flood of a lower priority is shed here instead of held (its
 * timers, buffers and connections would cost the higher level the proxy's own CPU). A second after the last
 * request of the higher level, the lower one may use every slot and the whole queue.
 *
 * <p><b>Several event loops.</b> The limit is split per loop, not shared: each loop has its own counter and queue,
 * and a slot freed on a loop goes to a request waiting on that same loop. So the backend sees at most
 * {@code maxActiveRequestsPerLoop x loops} requests, no counter is shared (no atomic, no cross-loop wake-up task),
 * and nothing is allocated per request. The cost: a loop with waiters does not borrow an idle loop's slots (loops
 * are balanced by the listener's connection spread, and an HTTP/2 connection's streams share its loop), and the
 * priority order holds among one loop's requests.
 *
 * <p>Callbacks never run inside the queue's drain: the requests given a slot (or expired) are collected, then told
 * one after the other; a slot released while they are told (a request that fails at once) is handed on by the
 * same loop. Confined to one event loop.
 */
public final class ActiveRequests implements PriorityWaitQueue.Listener<Balancer>
{
    private static final int NO_LEVEL = PriorityWaitQueue.MAX_LEVEL + 1;
    /** How long a level stays the backend's top priority after its last request. */
    private static final long TOP_LEVEL_HOLD_NS = 1_000_000_000L;

    private final DataPlaneCounters counters;
    private final int limit;
    private final PriorityWaitQueue<Balancer> queue;
    private final Balancer[] ready;
    /** Active requests by priority level. */
    private final int[] activeByLevel = new int[PriorityWaitQueue.MAX_LEVEL + 2];
    /** Waiting requests by priority level. */
    private final int[] waitingByLevel = new int[PriorityWaitQueue.MAX_LEVEL + 2];
    /** The highest priority (lowest level) active now, {@code NO_LEVEL} when none is. */
    private int topLevel = NO_LEVEL;
    /** The slots a level below the top may fill. */
    private final int lowerLimit;
    /** How many requests of levels below the top may wait. */
    private final int lowerWaiting;
    /** The highest priority active within {@link #TOP_LEVEL_HOLD_NS} of {@link #recentAtNs}. */
    private int recentLevel = NO_LEVEL;
    private long recentAtNs;
    private int readyCount;
    private int grants;
    private int active;
    private boolean waking;
    private long queued;
    private long expired;

    /**
     * @param limit    requests of this loop sent to the cluster at once, more than 0.
     * @param capacity requests waiting at most, more than 0.
     * @param counters where queued and expired requests are counted.
     */
    public ActiveRequests(final int limit, final int capacity, final DataPlaneCounters counters)
    {
        this.counters = requireNonNull(counters, "counters");
        if (limit < 1)
        {
            throw new IllegalArgumentException("limit: expected more than 0, got " + limit);
        }
        this.limit = limit;
        this.lowerLimit = Math.max(1, limit / 4);
        this.lowerWaiting = Math.max(4, limit);
        this.queue = new PriorityWaitQueue<>(capacity, PriorityWaitQueue.defaultWeights());
        this.ready = new Balancer[capacity];
    }

    /**
     * Takes a slot if its level may have one now (see the class: priority between levels) and no request of the same
     * or a higher priority waits.
     *
     * @param level the request's priority level (1 highest to 127).
     * @param nowNs the clock's time now.
     * @return true when taken.
     */
    boolean tryTake(final int level, final long nowNs)
    {
        final int at = clamp(level);
        if (allowed(at, nowNs) && queue.bestLevel() > at)
        {
            take(at, nowNs);
            return true;
        }
        return false;
    }

    /** Whether a request of this level may take a slot now. */
    private boolean allowed(final int level, final long nowNs)
    {
        if (active >= limit || level > topLevel)
        {
            return false;
        }
        return !belowRecent(level, nowNs) || active < lowerLimit;
    }

    /** Whether a higher level than this one was active within the last second. */
    private boolean belowRecent(final int level, final long nowNs)
    {
        return level > recentLevel && nowNs - recentAtNs <= TOP_LEVEL_HOLD_NS;
    }

    /** Requests waiting at this level and lower ones. */
    private int waitingFrom(final int level)
    {
        int waiting = 0;
        for (int l = level; l <= PriorityWaitQueue.MAX_LEVEL; l++)
        {
            waiting += waitingByLevel[l];
        }
        return waiting;
    }

    private static int clamp(final int level)
    {
        return Math.max(1, Math.min(PriorityWaitQueue.MAX_LEVEL, level));
    }

    private void take(final int level, final long nowNs)
    {
        active++;
        activeByLevel[level]++;
        if (level < topLevel)
        {
            topLevel = level;
        }
        if (level <= recentLevel || nowNs - recentAtNs > TOP_LEVEL_HOLD_NS)
        {
            recentLevel = level;
            recentAtNs = nowNs;
        }
    }

    /**
     * Queues a request for a slot.
     *
     * @return false when the queue is full.
     */
    boolean offer(final Balancer balancer, final int level, final long nowNs, final long deadlineNs)
    {
        final int at = clamp(level);
        if ((at > topLevel || belowRecent(at, nowNs)) && waitingFrom(at) >= lowerWaiting)
        {
            return false;
        }
        if (queue.offer(balancer, at, deadlineNs))
        {
            waitingByLevel[at]++;
            queued++;
            counters.increment(DataPlaneCounter.UPSTREAM_QUEUED);
            return true;
        }
        return false;
    }

    /** A waiting request left without its slot (its exchange ended). */
    void remove(final Balancer balancer)
    {
        if (queue.remove(balancer))
        {
            waitingByLevel[clamp(balancer.level())]--;
        }
    }

    /**
     * Gives back a slot, and hands free slots to the waiting requests by priority.
     *
     * @param level the level the slot was taken at.
     * @param nowNs the clock's time now: waiting requests whose deadline passed leave expired.
     */
    void release(final int level, final long nowNs)
    {
        final int at = clamp(level);
        active--;
        if (at == recentLevel)
        {
            recentAtNs = nowNs;
        }
        if (--activeByLevel[at] == 0 && at == topLevel)
        {
            int next = at + 1;
            while (next < NO_LEVEL && activeByLevel[next] == 0)
            {
                next++;
            }
            topLevel = next;
        }
        wake(nowNs);
    }

    /**
     * Expires the waiting requests whose deadline passed and gives the free slots to the next ones.
     *
     * @param nowNs the clock's time now.
     */
    void wake(final long nowNs)
    {
        if (waking)
        {
            return; // the loop below goes on with the slot released by a request it just told
        }
        waking = true;
        try
        {
            do
            {
                readyCount = 0;
                grants = limit - active;
                queue.drain(nowNs, this);
                for (int i = 0; i < readyCount; i++)
                {
                    final Balancer next = ready[i];
                    ready[i] = null;
                    next.onWaitOver();
                }
            }
            while (readyCount > 0 && active < limit && queue.size() > 0);
        }
        finally
        {
            waking = false;
        }
    }

    @Override
    public boolean onTurn(final Balancer balancer, final long nowNs)
    {
        final int level = clamp(balancer.level());
        if (grants <= 0 || !allowed(level, nowNs))
        {
            return false;
        }
        grants--;
        waitingByLevel[level]--;
        take(level, nowNs);
        balancer.granted(true);
        ready[readyCount++] = balancer;
        return true;
    }

    /** A waiting request left expired by its own deadline timer. */
    void countExpired()
    {
        expired++;
        counters.increment(DataPlaneCounter.UPSTREAM_QUEUE_EXPIRED);
    }

    @Override
    public void onExpired(final Balancer balancer, final long nowNs)
    {
        waitingByLevel[clamp(balancer.level())]--;
        countExpired();
        balancer.granted(false);
        ready[readyCount++] = balancer;
    }

    /**
     * @return requests of this loop holding a slot.
     */
    public int active()
    {
        return active;
    }

    /**
     * @return requests waiting.
     */
    public int waiting()
    {
        return queue.size();
    }

    /**
     * @return requests that had to wait, since this loop's share was made.
     */
    public long queuedTotal()
    {
        return queued;
    }

    /**
     * @return requests that left the queue expired, since this loop's share was made.
     */
    public long expiredTotal()
    {
        return expired;
    }
}
