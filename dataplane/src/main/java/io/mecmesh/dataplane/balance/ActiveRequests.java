package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.qos.PriorityWaitQueue;

import static java.util.Objects.requireNonNull;

/**
 * One event loop's share of a cluster's {@code maxActiveRequestsPerLoop}: the requests of this loop sent to the
 * cluster, and the wait queue of those over the limit (issue 13 item 9: a request that waits leaves in 5QI
 * priority-level order with weighted fairness, {@link PriorityWaitQueue}; one whose deadline passed while it waited
 * leaves with a 504, never reaching the cluster).
 *
 * <p><b>Several event loops.</b> The limit is split per loop, not shared: each loop has its own counter and queue,
 * and a slot freed on a loop goes to a request waiting on that same loop. So the cluster sees at most
 * {@code maxActiveRequestsPerLoop x loops} requests, no counter is shared (no atomic, no cross-loop wake-up task),
 * and nothing is allocated per request. The cost: a loop with waiters does not borrow an idle loop's slots (loops
 * are balanced by the listener's connection spread, and an HTTP/2 connection's streams share its loop).
 *
 * <p>Callbacks never run inside the queue's drain: the requests given a slot (or expired) are collected, then told
 * one after the other; a slot released while they are told (a request that fails at once) is handed on by the
 * same loop. Confined to one event loop.
 */
public final class ActiveRequests implements PriorityWaitQueue.Listener<Balancer>
{
    private final DataPlaneCounters counters;
    private final int limit;
    private final PriorityWaitQueue<Balancer> queue;
    private final Balancer[] ready;
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
        this.queue = new PriorityWaitQueue<>(capacity, PriorityWaitQueue.defaultWeights());
        this.ready = new Balancer[capacity];
    }

    /**
     * Takes a slot if one is free and nobody waits for one.
     *
     * @return true when taken.
     */
    boolean tryTake()
    {
        if (active < limit && queue.size() == 0)
        {
            active++;
            return true;
        }
        return false;
    }

    /**
     * Queues a request for a slot.
     *
     * @return false when the queue is full.
     */
    boolean offer(final Balancer balancer, final int level, final long deadlineNs)
    {
        if (queue.offer(balancer, level, deadlineNs))
        {
            queued++;
            counters.increment(DataPlaneCounter.UPSTREAM_QUEUED);
            return true;
        }
        return false;
    }

    /** A waiting request left without its slot (its exchange ended). */
    void remove(final Balancer balancer)
    {
        queue.remove(balancer);
    }

    /**
     * Gives back a slot, and hands free slots to the waiting requests by priority.
     *
     * @param nowNs the clock's time now: waiting requests whose deadline passed leave expired.
     */
    void release(final long nowNs)
    {
        active--;
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
        if (grants <= 0)
        {
            return false;
        }
        grants--;
        active++;
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
