package io.mecmesh.dataplane.route;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBudgetTest
{
    private final AtomicLong nowNs = new AtomicLong();

    private static int retriesAllowed(final RetryBudget budget, final int attempts)
    {
        int allowed = 0;
        for (int i = 0; i < attempts; i++)
        {
            if (budget.tryRetry())
            {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void shouldAllowRetriesUpToTheRatioOfRequests()
    {
        final RetryBudget budget = new RetryBudget(0.2, 0, nowNs::get);
        for (int i = 0; i < 100; i++)
        {
            budget.onRequest();
        }

        assertThat(retriesAllowed(budget, 100)).isEqualTo(20);
    }

    @Test
    void shouldGrantTheMinimumPerSecondWithoutTraffic()
    {
        final RetryBudget budget = new RetryBudget(0.2, 10, nowNs::get);

        assertThat(retriesAllowed(budget, 100)).as("the initial second's minimum").isEqualTo(10);
        nowNs.addAndGet(1_000_000_000L);
        assertThat(retriesAllowed(budget, 100)).as("one more second").isEqualTo(10);
    }

    @Test
    void shouldNotSaveUpMoreThanTenSecondsOfBudget()
    {
        final RetryBudget budget = new RetryBudget(0, 10, nowNs::get);
        retriesAllowed(budget, 100);

        nowNs.addAndGet(3_600_000_000_000L);

        assertThat(retriesAllowed(budget, 1000)).isLessThanOrEqualTo(100);
    }

    @Test
    void shouldFundRetriesAtTheSlicePolicysPercentInsteadOfTheRoutesRatio()
    {
        final RetryBudget budget = new RetryBudget(0.2, 0, nowNs::get);
        for (int i = 0; i < 100; i++)
        {
            budget.onRequest(50);
        }
        assertThat(retriesAllowed(budget, 100)).as("50%% of 100 requests, not the route's 20%%").isEqualTo(50);

        for (int i = 0; i < 100; i++)
        {
            budget.onRequest(0);
        }
        assertThat(retriesAllowed(budget, 100)).as("a slice policy of 0%% grants no retry").isZero();
    }
}
