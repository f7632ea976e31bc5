package io.mecmesh.dataplane.qos;

import static java.util.Objects.requireNonNull;

/**
 * One event loop's share of a {@link RateBudget}: tokens the loop took from the shared budget in chunks and spends
 * without touching shared memory until they run out.
 *
 * <p><b>Why the aggregate rate holds with several event loops.</b> A shard never creates tokens: everything it
 * spends it took from the one shared budget, whose takes are exact across threads (one compare-and-set on the
 * bucket's full-again time). So over any interval of {@code t} seconds all loops together spend at most what the
 * shared bucket handed out, {@code burst + rate * t}, plus what the shards held at the start of the interval, at
 * most {@code loops * chunk}; the chunk is a small fraction of the burst ({@link #chunkFor}), so the bound is within
 * the bucket's own burst tolerance. A loop that stops sending keeps at most one chunk, which it gives back when the
 * configuration changes ({@link #close}). What the shards buy: a request in a loop that still holds tokens pays one
 * subtraction, not a contended atomic.
 *
 * <p>Confined to its event loop; allocates nothing.
 */
public final class RateShard
{
    private final RateBudget budget;
    private final long chunk;
    private long tokens;

    /**
     * @param budget the shared budget.
     * @param loops  how many event loops share it (sizes the chunk).
     */
    public RateShard(final RateBudget budget, final int loops)
    {
        this.budget = requireNonNull(budget, "budget");
        this.chunk = chunkFor(budget, loops);
    }

    /**
     * The chunk a shard takes at a time: an eighth of the burst split between the loops, at least one token.
     *
     * @param budget the shared budget.
     * @param loops  the loops sharing it.
     * @return tokens per take.
     */
    static long chunkFor(final RateBudget budget, final int loops)
    {
        return Math.max(1, budget.burst() / (8L * Math.max(1, loops)));
    }

    public RateBudget budget()
    {
        return budget;
    }

    /**
     * Spends {@code n} tokens if the shard, refilled from the shared budget if needed, has them.
     *
     * @param n     tokens (bytes or requests), more than 0.
     * @param nowNs the clock's time now.
     * @return true if spent; false leaves the shard as it was, except for tokens it took meanwhile.
     */
    public boolean tryAcquire(final long n, final long nowNs)
    {
        if (tokens >= n)
        {
            tokens -= n;
            return true;
        }
        final long missing = n - tokens;
        final long taken = budget.take(Math.max(missing, chunk), missing, nowNs);
        if (taken == 0)
        {
            return false;
        }
        tokens += taken - n;
        return true;
    }

    /**
     * @param n     tokens needed.
     * @param nowNs the clock's time now.
     * @return how long until {@link #tryAcquire} of {@code n} can succeed, 0 if it can now.
     */
    public long waitNs(final long n, final long nowNs)
    {
        return tokens >= n ? 0 : budget.waitNs(n - tokens, nowNs);
    }

    /**
     * Gives the tokens still held back to the shared budget (when the shard is dropped).
     *
     * @param nowNs the clock's time now.
     */
    public void close(final long nowNs)
    {
        budget.giveBack(tokens, nowNs);
        tokens = 0;
    }
}
