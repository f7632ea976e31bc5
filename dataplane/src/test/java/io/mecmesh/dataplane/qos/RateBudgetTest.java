package io.mecmesh.dataplane.qos;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

class RateBudgetTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldGrantTheBurstAtOnceThenTheRateOverTime()
    {
        final RateBudget budget = new RateBudget(1_000, 100, 0);

        assertThat(budget.take(100, 100, 0)).isEqualTo(100);
        assertThat(budget.take(1, 1, 0)).isZero();
        assertThat(budget.take(50, 1, 10 * MS)).isEqualTo(10);
        assertThat(budget.take(1, 1, 10 * MS)).isZero();
        assertThat(budget.take(1_000, 1, 1_000 * MS)).isEqualTo(100);
    }

    @Test
    void shouldBeFullForACallerThatReadTheClockBeforeTheBudgetWasCreated()
    {
        final RateBudget budget = new RateBudget(1_000_000_000L, 1_000, 10_000 * MS);

        assertThat(budget.take(1_000, 1_000, 9_000 * MS)).isEqualTo(1_000);
        assertThat(budget.take(1, 1, 9_000 * MS)).isZero();
    }

    @Test
    void shouldSayHowLongUntilTokensAreThere()
    {
        final RateBudget budget = new RateBudget(1_000, 100, 0);
        budget.take(100, 100, 0);

        assertThat(budget.waitNs(20, 0)).isEqualTo(20 * MS);
        assertThat(budget.waitNs(20, 20 * MS)).isZero();
        assertThat(budget.take(20, 20, 20 * MS)).isEqualTo(20);
    }

    @Test
    void shouldGrantOneMessageLargerThanTheBurstOnlyWhenTheBucketIsFull()
    {
        final RateBudget budget = new RateBudget(1_000, 100, 0);
        budget.take(10, 10, 0);

        assertThat(budget.take(500, 500, 0)).isZero();
        assertThat(budget.take(500, 500, 10 * MS)).isEqualTo(500);
        assertThat(budget.take(1, 1, 10 * MS)).isZero();
        // The debt (500 tokens at 1,000/s) is paid before anything else goes: the bucket is full again at 510 ms.
        assertThat(budget.take(1, 1, 400 * MS)).isZero();
        assertThat(budget.take(1, 1, 411 * MS)).isEqualTo(1);
    }

    @Test
    void shouldTakeBackWhatAShardReturns()
    {
        final RateBudget budget = new RateBudget(1_000, 100, 0);
        budget.take(100, 100, 0);
        budget.giveBack(40, 0);

        assertThat(budget.take(100, 1, 0)).isEqualTo(40);
    }

    @Test
    void shouldSpendFromTheShardWithoutTakingFromTheBudgetUntilItRunsDry()
    {
        final RateBudget budget = new RateBudget(8_000, 800, 0);
        final RateShard shard = new RateShard(budget, 1);

        assertThat(shard.tryAcquire(1, 0)).isTrue();
        // The shard took a chunk (an eighth of the burst): the budget has the rest.
        assertThat(budget.take(800, 1, 0)).isEqualTo(700);
        for (int i = 0; i < 99; i++)
        {
            assertThat(shard.tryAcquire(1, 0)).isTrue();
        }
        assertThat(shard.tryAcquire(1, 0)).isFalse();
        assertThat(shard.waitNs(1, 0)).isPositive();
        assertThat(shard.tryAcquire(1, shard.waitNs(1, 0))).isTrue();
    }

    @Test
    void shouldHoldTheAggregateRateWhenTwoLoopsSpendFromTheirOwnShards() throws Exception
    {
        final long rate = 1_000_000;
        final long burst = 100_000;
        final long message = 1_000;
        final int loops = 2;
        final int steps = 200;
        final AtomicLong clock = new AtomicLong();
        final RateBudget budget = new RateBudget(rate, burst, 0);
        final AtomicLongArray spent = new AtomicLongArray(loops);
        final AtomicLongArray starvedAt = new AtomicLongArray(loops);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread[] threads = new Thread[loops];
        for (int i = 0; i < loops; i++)
        {
            final int loop = i;
            starvedAt.set(loop, -1);
            threads[i] = new Thread(() ->
            {
                final RateShard shard = new RateShard(budget, loops);
                while (!stop.get())
                {
                    final long now = clock.get();
                    if (shard.tryAcquire(message, now))
                    {
                        spent.addAndGet(loop, message);
                    }
                    else
                    {
                        starvedAt.set(loop, now);
                    }
                }
            }, "loop-" + i);
            threads[i].start();
        }
        try
        {
            for (int step = 1; step <= steps; step++)
            {
                final long now = clock.get();
                awaitStarved(starvedAt, now);
                clock.set(step * MS);
            }
            awaitStarved(starvedAt, clock.get());
        }
        finally
        {
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }

        final long total = spent.get(0) + spent.get(1);
        final long elapsedTokens = rate * steps / 1_000;
        final long chunk = RateShard.chunkFor(budget, loops);
        // Never more than the bucket allows: burst + rate * t, plus what the shards may hold, one message each.
        assertThat(total).isLessThanOrEqualTo(burst + elapsedTokens + loops * (chunk + message));
        // And the loops were not held below the rate: both starved at every step.
        assertThat(total).isGreaterThanOrEqualTo(burst + elapsedTokens - loops * (chunk + message));
        assertThat(spent.get(0)).isPositive();
        assertThat(spent.get(1)).isPositive();
    }

    private static void awaitStarved(final AtomicLongArray starvedAt, final long now)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < starvedAt.length(); i++)
        {
            while (starvedAt.get(i) != now)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("loop " + i + " did not run dry at " + now);
                }
                Thread.onSpinWait();
            }
        }
    }
}
