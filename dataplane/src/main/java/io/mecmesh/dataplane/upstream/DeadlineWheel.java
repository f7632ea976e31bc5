package io.mecmesh.dataplane.upstream;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The request deadlines of one event loop: a hashed timing wheel of {@link Deadline} nodes that the exchanges own,
 * turned by one recurring task of the event loop. Arming and disarming a deadline link and unlink its node in a
 * bucket (O(1), no allocation), so a forwarded request schedules no task of its own.
 *
 * <pre>
 *   bucket = ceil((deadlineNs - originNs) / TICK_NS) &amp; (BUCKETS - 1)
 *   every tick: the nodes of the tick's bucket whose deadline passed move to the expiring list, then fire one
 *   by one (a callback may disarm or arm any node, the expiring ones included)
 * </pre>
 *
 * A deadline fires at most one tick ({@value #TICK_MS} ms) plus the event loop's delay after it passed, never
 * before. The recurring task starts with the first armed deadline and stops after {@value #IDLE_TICKS_BEFORE_STOP}
 * ticks with none armed, so an idle data plane does not wake up. Confined to its event loop.
 */
final class DeadlineWheel
{
    static final long TICK_MS = 1;
    static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(TICK_MS);
    static final int BUCKETS = 512;
    static final int IDLE_TICKS_BEFORE_STOP = 1000;
    private static final int MASK = BUCKETS - 1;
    private static final int EXPIRING = BUCKETS;

    private final EventExecutor executor;
    private final LongSupplier nanoClock;
    private final Deadline[] heads = new Deadline[BUCKETS + 1];
    private final Runnable tickTask = this::onTick;
    private final long originNs;
    private long nextTick;
    private int armed;
    private int idleTicks;
    private ScheduledFuture<?> ticker;

    DeadlineWheel(final EventExecutor executor, final LongSupplier nanoClock)
    {
        this.executor = requireNonNull(executor, "executor");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.originNs = nanoClock.getAsLong();
    }

    /**
     * @return the wheel's clock, in nanoseconds.
     */
    long nowNs()
    {
        return nanoClock.getAsLong();
    }

    /**
     * Arms (or re-arms) a deadline.
     *
     * @param deadline the node.
     * @param delayMs  from now, at least 0.
     */
    void arm(final Deadline deadline, final long delayMs)
    {
        disarm(deadline);
        final long nowNs = nanoClock.getAsLong();
        if (ticker == null)
        {
            nextTick = Math.max(nextTick, (nowNs - originNs) / TICK_NS);
            ticker = executor.scheduleAtFixedRate(tickTask, TICK_NS, TICK_NS, TimeUnit.NANOSECONDS);
        }
        deadline.deadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(delayMs);
        final long tick = Math.max(nextTick, (deadline.deadlineNs - originNs + TICK_NS - 1) / TICK_NS);
        link(deadline, (int)(tick & MASK));
        armed++;
        idleTicks = 0;
    }

    /**
     * Disarms a deadline; nothing when it is not armed.
     *
     * @param deadline the node.
     */
    void disarm(final Deadline deadline)
    {
        if (deadline.isArmed())
        {
            unlink(deadline);
            armed--;
        }
    }

    /**
     * @return deadlines armed now.
     */
    int armed()
    {
        return armed;
    }

    /**
     * @return true while the recurring task is scheduled.
     */
    boolean isTicking()
    {
        return ticker != null;
    }

    private void onTick()
    {
        expire(nanoClock.getAsLong());
        if (armed == 0 && ++idleTicks >= IDLE_TICKS_BEFORE_STOP && ticker != null)
        {
            ticker.cancel(false);
            ticker = null;
        }
    }

    /**
     * Fires every deadline that passed by {@code nowNs}.
     *
     * @param nowNs the wheel's clock now.
     * @return deadlines fired.
     */
    int expire(final long nowNs)
    {
        final long nowTick = (nowNs - originNs) / TICK_NS;
        final long lastTick = Math.min(nowTick, nextTick + BUCKETS - 1);
        for (long tick = nextTick; tick <= lastTick; tick++)
        {
            Deadline node = heads[(int)(tick & MASK)];
            while (node != null)
            {
                final Deadline following = node.next;
                if (node.deadlineNs <= nowNs)
                {
                    unlink(node);
                    link(node, EXPIRING);
                }
                node = following;
            }
        }
        nextTick = Math.max(nextTick, nowTick + 1);
        int fired = 0;
        Deadline expiring;
        while ((expiring = heads[EXPIRING]) != null)
        {
            unlink(expiring);
            armed--;
            fired++;
            expiring.onExpired();
        }
        return fired;
    }

    private void link(final Deadline node, final int bucket)
    {
        final Deadline head = heads[bucket];
        node.bucket = bucket;
        node.prev = null;
        node.next = head;
        if (head != null)
        {
            head.prev = node;
        }
        heads[bucket] = node;
    }

    private void unlink(final Deadline node)
    {
        if (node.prev != null)
        {
            node.prev.next = node.next;
        }
        else
        {
            heads[node.bucket] = node.next;
        }
        if (node.next != null)
        {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
        node.bucket = Deadline.DISARMED;
    }
}
