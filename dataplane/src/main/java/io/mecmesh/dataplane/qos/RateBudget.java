package io.mecmesh.dataplane.qos;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared, node-wide token budget of one rate (bytes/s or requests/s) of one slice or service: a token bucket of
 * {@code rate} tokens per second and {@code burst} tokens deep, kept as a single theoretical arrival time (GCRA,
 * the generic cell-rate algorithm of ITU-T I.371): taking {@code n} tokens moves the time at which the bucket is
 * full again forward by {@code n / rate}; a take is allowed while that time is at most {@code burst / rate} ahead
 * of now. One {@link AtomicLong} holds the whole state, so a take is one compare-and-set and the budget is exact
 * whatever the number of threads: the tokens handed out over any interval of {@code t} seconds never exceed
 * {@code burst + rate * t}.
 *
 * <p>The event loops do not take from it per request: each takes chunks into its own {@link RateShard} (see there
 * why the aggregate rate still holds). Thread-safe; allocates nothing.
 */
public final class RateBudget
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /**
     * How long before its creation the bucket counts as full already: a caller may have read the clock before it
     * was created (the first request of a slice on a loop creates it, class loading included).
     */
    private static final long EARLIER_READS_NS = 3_600L * NANOS_PER_SECOND;

    private final long ratePerSecond;
    private final long burst;
    private final long burstNs;
    /** When the bucket is full again (the theoretical arrival time); before now: full. */
    private final AtomicLong fullAtNs;

    /**
     * @param ratePerSecond tokens added per second, more than 0.
     * @param burst         the bucket's depth, at least 1.
     * @param nowNs         the clock's time now: the bucket is full from then on, and for an hour before (for
     *                      callers that read the clock before creating it).
     */
    public RateBudget(final long ratePerSecond, final long burst, final long nowNs)
    {
        if (ratePerSecond <= 0)
        {
            throw new IllegalArgumentException("ratePerSecond: expected more than 0, got " + ratePerSecond);
        }
        if (burst < 1)
        {
            throw new IllegalArgumentException("burst: expected 1 or more, got " + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.burstNs = nanosFor(burst);
        this.fullAtNs = new AtomicLong(nowNs - burstNs - EARLIER_READS_NS);
    }

    public long ratePerSecond()
    {
        return ratePerSecond;
    }

    public long burst()
    {
        return burst;
    }

    /**
     * Takes up to {@code wanted} tokens, at least {@code minimum} or none. A {@code minimum} larger than the burst
     * is granted when the bucket is full (so that one large message is not refused for ever; the debt is paid by
     * the next takes).
     *
     * @param wanted  tokens wanted, at least {@code minimum}.
     * @param minimum the fewest tokens that are of use, more than 0.
     * @param nowNs   the clock's time now.
     * @return the tokens taken: 0, or between {@code minimum} and {@code wanted}.
     */
    public long take(final long wanted, final long minimum, final long nowNs)
    {
        while (true)
        {
            final long fullAt = fullAtNs.get();
            final long base = fullAt - nowNs > 0 ? fullAt : nowNs;
            final long headroomNs = burstNs - (base - nowNs);
            long granted;
            if (headroomNs >= nanosFor(minimum) || base == nowNs)
            {
                granted = Math.min(wanted, Math.max(minimum, tokensIn(headroomNs)));
            }
            else
            {
                return 0;
            }
            if (granted <= 0)
            {
                return 0;
            }
            if (fullAtNs.compareAndSet(fullAt, base + nanosFor(granted)))
            {
                return granted;
            }
        }
    }

    /**
     * Gives back tokens taken but not used (a shard's chunk when the configuration changes).
     *
     * @param tokens tokens to return, 0 or more.
     * @param nowNs  the clock's time now.
     */
    public void giveBack(final long tokens, final long nowNs)
    {
        if (tokens <= 0)
        {
            return;
        }
        final long ns = nanosFor(tokens);
        while (true)
        {
            final long fullAt = fullAtNs.get();
            final long next = Math.max(nowNs, fullAt - ns);
            if (fullAtNs.compareAndSet(fullAt, next))
            {
                return;
            }
        }
    }

    /**
     * @param tokens tokens needed.
     * @param nowNs  the clock's time now.
     * @return how long until {@code tokens} (at most the burst) can be taken, 0 if now.
     */
    public long waitNs(final long tokens, final long nowNs)
    {
        final long fullAt = fullAtNs.get();
        final long aheadNs = fullAt - nowNs;
        final long needNs = nanosFor(Math.min(tokens, burst));
        final long waitNs = aheadNs - (burstNs - needNs);
        return Math.max(0, waitNs);
    }

    private long nanosFor(final long tokens)
    {
        // tokens * 1e9 / rate without overflow for the sizes used here (tokens up to ~9.2e9).
        return Math.multiplyHigh(tokens, NANOS_PER_SECOND) == 0 && tokens * NANOS_PER_SECOND >= 0
            ? (tokens * NANOS_PER_SECOND + ratePerSecond - 1) / ratePerSecond
            : (long)Math.ceil((double)tokens * NANOS_PER_SECOND / ratePerSecond);
    }

    private long tokensIn(final long ns)
    {
        if (ns <= 0)
        {
            return 0;
        }
        return Math.multiplyHigh(ns, ratePerSecond) == 0 && ns * ratePerSecond >= 0
            ? ns * ratePerSecond / NANOS_PER_SECOND
            : (long)((double)ns * ratePerSecond / NANOS_PER_SECOND);
    }
}
