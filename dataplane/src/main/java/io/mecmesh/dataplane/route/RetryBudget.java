package io.mecmesh.dataplane.route;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Retries allowed for a route, as Linkerd and Finagle bound them: every request deposits {@code ratio} of a token,
 * every retry withdraws one, and {@code minPerSecond} tokens are granted per second whatever the traffic. Tokens
 * are capped at ten seconds' worth so a quiet period does not save up a retry storm. Thread-safe, lock-free.
 */
public final class RetryBudget
{
    private static final long SCALE = 1000;
    private static final long WINDOW_NS = 10_000_000_000L;

    private final long depositPerRequest;
    private final long minPerSecond;
    private final LongSupplier nanoClock;
    private final AtomicLong milliTokens = new AtomicLong();
    private final AtomicLong lastGrantNs;

    RetryBudget(final double ratio, final int minPerSecond)
    {
        this(ratio, minPerSecond, System::nanoTime);
    }

    RetryBudget(final double ratio, final int minPerSecond, final LongSupplier nanoClock)
    {
        this.depositPerRequest = Math.round(ratio * SCALE);
        this.minPerSecond = minPerSecond;
        this.nanoClock = nanoClock;
        this.lastGrantNs = new AtomicLong(nanoClock.getAsLong());
        milliTokens.set(minPerSecond * SCALE);
    }

    /**
     * Records a request (not a retry).
     */
    public void onRequest()
    {
        add(depositPerRequest, cap(depositPerRequest));
    }

    /**
     * Records a request (not a retry) whose slice policy sets the budget: it deposits {@code percent}% of a token
     * instead of the route's own ratio. The tokens are the route's: a slice policy changes how fast they accrue.
     *
     * @param percent retries allowed as a percentage of requests, 0 to 100.
     */
    public void onRequest(final int percent)
    {
        final long deposit = percent * SCALE / 100;
        add(deposit, cap(Math.max(deposit, depositPerRequest)));
    }

    /**
     * Takes one retry from the budget.
     *
     * @return true when the retry may go ahead.
     */
    public boolean tryRetry()
    {
        grantMinimum();
        while (true)
        {
            final long current = milliTokens.get();
            if (current < SCALE)
            {
                return false;
            }
            if (milliTokens.compareAndSet(current, current - SCALE))
            {
                return true;
            }
        }
    }

    private void grantMinimum()
    {
        if (minPerSecond == 0)
        {
            return;
        }
        final long now = nanoClock.getAsLong();
        final long last = lastGrantNs.get();
        final long elapsed = now - last;
        if (elapsed >= 100_000_000L && lastGrantNs.compareAndSet(last, now))
        {
            add(Math.min(elapsed, WINDOW_NS) * minPerSecond * SCALE / 1_000_000_000L, cap(depositPerRequest));
        }
    }

    private long cap(final long deposit)
    {
        return Math.max(1, (deposit * 1000 + minPerSecond * SCALE) * 10);
    }

    private void add(final long amount, final long cap)
    {
        while (true)
        {
            final long current = milliTokens.get();
            if (milliTokens.compareAndSet(current, Math.min(cap, current + amount)))
            {
                return;
            }
        }
    }
}
