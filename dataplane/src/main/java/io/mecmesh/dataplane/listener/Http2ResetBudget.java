package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The process-wide budget of RST_STREAM frames received from HTTP/2 clients (Rapid Reset, CVE-2023-44487), on top
 * of the HTTP/2 codec's limit per connection: many connections each resetting below that limit still cost CPU and
 * memory together. Time is cut into fixed windows; when the resets of all connections in the current window go
 * over {@link Limit#maxResetsPerWindow()}, the connections that reset most in that window are closed first (GOAWAY
 * ENHANCE_YOUR_CALM, counted {@link DataPlaneCounter#HTTP2_RESET_BUDGET_CLOSES}) until the window's count is back
 * to half the budget.
 * <p>
 * Thread-safe: every connection's event loop calls {@link #onReset(Share)}; the loop whose reset goes over the
 * budget chooses whom to close (one at a time), and each close runs on its own connection's loop. The counts are
 * approximate across a window's edge (a reset racing the roll may count in either window).
 */
public final class Http2ResetBudget
{
    /**
     * @param maxResetsPerWindow resets received from all HTTP/2 clients together within one window.
     * @param windowNs           the window's length.
     */
    public record Limit(int maxResetsPerWindow, long windowNs)
    {
        /** 5,000 resets per 10 s (500/s) across the process; each connection is also held to 200 per 30 s. */
        public static final Limit DEFAULT = new Limit(5_000, 10_000_000_000L);

        public Limit
        {
            if (maxResetsPerWindow < 2)
            {
                throw new IllegalArgumentException("maxResetsPerWindow: expected at least 2, got "
                    + maxResetsPerWindow);
            }
            if (windowNs <= 0)
            {
                throw new IllegalArgumentException("windowNs: expected more than 0, got " + windowNs);
            }
        }
    }

    /**
     * One connection's resets in the current window. Written on its connection's event loop, read by the loop that
     * enforces the budget.
     */
    public static final class Share
    {
        private final Runnable close;
        private final AtomicInteger resets = new AtomicInteger();
        private volatile long window = -1;
        private volatile boolean closed;

        private Share(final Runnable close)
        {
            this.close = close;
        }
    }

    private final Limit limit;
    private final LongSupplier nanoClock;
    private final DataPlaneCounters counters;
    private final long originNs;
    private final AtomicLong window = new AtomicLong();
    private final AtomicInteger windowResets = new AtomicInteger();
    private final Set<Share> offenders = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean enforcing = new AtomicBoolean();

    /**
     * @param limit     the budget.
     * @param nanoClock the time (tests advance it by hand).
     * @param counters  where closes are counted.
     */
    public Http2ResetBudget(final Limit limit, final LongSupplier nanoClock, final DataPlaneCounters counters)
    {
        this.limit = requireNonNull(limit, "limit");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.counters = requireNonNull(counters, "counters");
        this.originNs = nanoClock.getAsLong();
    }

    /**
     * @param close closes the connection with GOAWAY ENHANCE_YOUR_CALM; called from any thread, once.
     * @return the share of a new connection.
     */
    public Share newShare(final Runnable close)
    {
        return new Share(requireNonNull(close, "close"));
    }

    /**
     * A connection received an RST_STREAM frame.
     *
     * @param share the connection's share.
     */
    public void onReset(final Share share)
    {
        if (share.closed)
        {
            return;
        }
        final long now = (nanoClock.getAsLong() - originNs) / limit.windowNs();
        final long current = window.get();
        if (now != current && window.compareAndSet(current, now))
        {
            windowResets.set(0);
            offenders.clear();
        }
        if (share.window != now)
        {
            share.window = now;
            share.resets.set(0);
        }
        share.resets.incrementAndGet();
        offenders.add(share);
        final int total = windowResets.incrementAndGet();
        if (total > limit.maxResetsPerWindow() && enforcing.compareAndSet(false, true))
        {
            try
            {
                closeWorstOffenders(now);
            }
            finally
            {
                enforcing.set(false);
            }
        }
    }

    /**
     * @return connections with resets in the current window (for tests and metrics).
     */
    int offenders()
    {
        return offenders.size();
    }

    private void closeWorstOffenders(final long now)
    {
        final List<Share> ranked = new ArrayList<>();
        for (final Share share : offenders)
        {
            if (share.window == now && !share.closed)
            {
                ranked.add(share);
            }
        }
        ranked.sort(Comparator.comparingInt((Share share) -> share.resets.get()).reversed());
        final int target = limit.maxResetsPerWindow() / 2;
        for (final Share share : ranked)
        {
            if (windowResets.get() <= target)
            {
                return;
            }
            share.closed = true;
            offenders.remove(share);
            windowResets.addAndGet(-share.resets.get());
            counters.increment(DataPlaneCounter.HTTP2_RESET_BUDGET_CLOSES);
            share.close.run();
        }
    }
}
