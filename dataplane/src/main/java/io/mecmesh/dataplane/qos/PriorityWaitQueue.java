package io.mecmesh.dataplane.qos;

import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * Requests waiting for their slice's tokens (the shaping queue of one event loop), leaving by 5QI priority level
 * with weighted fairness, and failing fast once their delay budget has passed.
 *
 * <p><b>Order.</b> One FIFO per priority level (1 highest to 127). Which level goes next is decided by stride
 * scheduling: each level has a weight ({@link #defaultWeight}: {@code 128 - level}, so level 1 weighs 127 and level
 * 127 weighs 1, unless configured), and a non-empty level is served in proportion to its weight; so a busy
 * high-priority level gets most turns but a low one is never starved (it gets {@code weight / sum of weights} of
 * the turns). A level that was empty joins at the current pass, so it cannot bank turns while idle. Within a
 * level, first in first out.
 *
 * <p><b>Delay budget.</b> Each entry carries its deadline; {@link #drain} first removes every entry whose deadline
 * has passed and hands it to {@link Listener#onExpired}, so no entry waits beyond its budget (a drain is due at the
 * earliest deadline, {@link #earliestDeadlineNs}).
 *
 * <p>Bounded ({@code capacity} entries, refused beyond) and preallocated: entries live in arrays linked by index,
 * so offering and draining allocate nothing. Confined to one thread (an event loop).
 *
 * @param <T> what waits (an admit stage instance).
 */
public final class PriorityWaitQueue<T>
{
    /** The lowest priority (highest number) of TS 23.501's 5QI priority levels. */
    public static final int MAX_LEVEL = 127;
    private static final long STRIDE_UNIT = 1L << 40;
    private static final int NONE = -1;

    /** What the queue calls back while draining. */
    public interface Listener<T>
    {
        /**
         * The entry's turn: admit it if its tokens are there.
         *
         * @param item  the entry.
         * @param nowNs the clock's time now.
         * @return true if it leaves the queue; false to keep it at the head of its level (its level is skipped
         * for the rest of this drain).
         */
        boolean onTurn(T item, long nowNs);

        /**
         * The entry's deadline passed while it waited; it has left the queue.
         *
         * @param item  the entry.
         * @param nowNs the clock's time now.
         */
        void onExpired(T item, long nowNs);
    }

    private final Object[] items;
    private final long[] deadlineNs;
    private final int[] next;
    private final int[] head = new int[MAX_LEVEL + 1];
    private final int[] tail = new int[MAX_LEVEL + 1];
    private final long[] stride = new long[MAX_LEVEL + 1];
    private final long[] pass = new long[MAX_LEVEL + 1];
    private final boolean[] skipped = new boolean[MAX_LEVEL + 1];
    private int free;
    private int size;
    private long currentPass;

    /**
     * @param capacity entries at most, more than 0.
     * @param weights  weight by priority level (index 1 to 127; index 0 unused), each more than 0; see
     *                 {@link #defaultWeights()}.
     */
    public PriorityWaitQueue(final int capacity, final int[] weights)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity: expected more than 0, got " + capacity);
        }
        requireNonNull(weights, "weights");
        if (weights.length != MAX_LEVEL + 1)
        {
            throw new IllegalArgumentException("weights: expected " + (MAX_LEVEL + 1) + " entries (by level), got "
                + weights.length);
        }
        items = new Object[capacity];
        deadlineNs = new long[capacity];
        next = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            next[i] = i + 1 < capacity ? i + 1 : NONE;
        }
        Arrays.fill(head, NONE);
        Arrays.fill(tail, NONE);
        for (int level = 1; level <= MAX_LEVEL; level++)
        {
            if (weights[level] < 1)
            {
                throw new IllegalArgumentException("weights[" + level + "]: expected more than 0, got "
                    + weights[level]);
            }
            stride[level] = STRIDE_UNIT / weights[level];
        }
    }

    /**
     * Sets the weight of a level (a slice's configured weight for the level its records give it).
     *
     * @param level  a priority level, 1 to 127.
     * @param weight its weight, more than 0.
     */
    public void weight(final int level, final int weight)
    {
        if (level < 1 || level > MAX_LEVEL || weight < 1)
        {
            throw new IllegalArgumentException("weight: expected a level 1 to 127 and a weight above 0, got level "
                + level + " weight " + weight);
        }
        stride[level] = STRIDE_UNIT / weight;
    }

    /**
     * @param level a priority level, 1 to 127.
     * @return its weight when none is configured: {@code 128 - level}.
     */
    public static int defaultWeight(final int level)
    {
        return MAX_LEVEL + 1 - level;
    }

    /**
     * @return the default weight of every level, indexed by level.
     */
    public static int[] defaultWeights()
    {
        final int[] weights = new int[MAX_LEVEL + 1];
        for (int level = 1; level <= MAX_LEVEL; level++)
        {
            weights[level] = defaultWeight(level);
        }
        weights[0] = 1;
        return weights;
    }

    /**
     * Appends an entry to its level.
     *
     * @param item     what waits.
     * @param level    its priority level, 1 to 127 (clamped).
     * @param deadline when its delay budget ends (clock nanoseconds); {@link Long#MAX_VALUE} for none.
     * @return false if the queue is full (the entry was not added).
     */
    public boolean offer(final T item, final int level, final long deadline)
    {
        requireNonNull(item, "item");
        if (free == NONE)
        {
            return false;
        }
        final int l = Math.max(1, Math.min(MAX_LEVEL, level));
        final int slot = free;
        free = next[slot];
        items[slot] = item;
        deadlineNs[slot] = deadline;
        next[slot] = NONE;
        if (head[l] == NONE)
        {
            head[l] = slot;
            pass[l] = Math.max(pass[l], currentPass);
        }
        else
        {
            next[tail[l]] = slot;
        }
        tail[l] = slot;
        size++;
        return true;
    }

    /**
     * Removes an entry that left without its turn (its connection closed).
     *
     * @param item the entry.
     * @return true if it was queued.
     */
    public boolean remove(final T item)
    {
        for (int level = 1; level <= MAX_LEVEL; level++)
        {
            int previous = NONE;
            for (int slot = head[level]; slot != NONE; slot = next[slot])
            {
                if (items[slot] == item)
                {
                    unlink(level, previous, slot);
                    return true;
                }
                previous = slot;
            }
        }
        return false;
    }

    /**
     * Expires the entries whose deadline passed, then gives turns by priority with weighted fairness until every
     * non-empty level has declined one.
     *
     * @param nowNs    the clock's time now.
     * @param listener what decides each turn and hears of expiries.
     * @return the entries that left (admitted or expired).
     */
    @SuppressWarnings("unchecked")
    public int drain(final long nowNs, final Listener<T> listener)
    {
        int left = expire(nowNs, listener);
        Arrays.fill(skipped, false);
        while (size > 0)
        {
            int best = NONE;
            for (int level = 1; level <= MAX_LEVEL; level++)
            {
                if (head[level] != NONE && !skipped[level] && (best == NONE || pass[level] < pass[best]))
                {
                    best = level;
                }
            }
            if (best == NONE)
            {
                break;
            }
            final int slot = head[best];
            if (listener.onTurn((T)items[slot], nowNs))
            {
                if (head[best] == slot)
                {
                    unlink(best, NONE, slot);
                }
                currentPass = pass[best];
                pass[best] += stride[best];
                left++;
            }
            else
            {
                skipped[best] = true;
            }
        }
        return left;
    }

    /**
     * @return the earliest deadline of a queued entry, {@link Long#MAX_VALUE} when none.
     */
    public long earliestDeadlineNs()
    {
        long earliest = Long.MAX_VALUE;
        for (int level = 1; level <= MAX_LEVEL; level++)
        {
            for (int slot = head[level]; slot != NONE; slot = next[slot])
            {
                earliest = Math.min(earliest, deadlineNs[slot]);
            }
        }
        return earliest;
    }

    public int size()
    {
        return size;
    }

    /**
     * @return the highest priority (lowest level) with an entry waiting, {@code MAX_LEVEL + 1} when none waits.
     */
    public int bestLevel()
    {
        if (size == 0)
        {
            return MAX_LEVEL + 1;
        }
        for (int level = 1; level <= MAX_LEVEL; level++)
        {
            if (head[level] != NONE)
            {
                return level;
            }
        }
        return MAX_LEVEL + 1;
    }

    @SuppressWarnings("unchecked")
    private int expire(final long nowNs, final Listener<T> listener)
    {
        int expired = 0;
        for (int level = 1; level <= MAX_LEVEL; level++)
        {
            int previous = NONE;
            int slot = head[level];
            while (slot != NONE)
            {
                final int following = next[slot];
                if (deadlineNs[slot] - nowNs <= 0)
                {
                    final T item = (T)items[slot];
                    unlink(level, previous, slot);
                    listener.onExpired(item, nowNs);
                    expired++;
                }
                else
                {
                    previous = slot;
                }
                slot = following;
            }
        }
        return expired;
    }

    private void unlink(final int level, final int previous, final int slot)
    {
        if (previous == NONE)
        {
            head[level] = next[slot];
        }
        else
        {
            next[previous] = next[slot];
        }
        if (tail[level] == slot)
        {
            tail[level] = previous;
        }
        items[slot] = null;
        next[slot] = free;
        free = slot;
        size--;
    }
}
