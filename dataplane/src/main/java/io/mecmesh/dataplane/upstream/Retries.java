package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.ExchangeLog;
import io.mecmesh.dataplane.balance.Balancer;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.Route;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long and how often the forward stage tries one request: the request's deadline (its timeout, until the
 * response head), and the retry decisions: a failed attempt is tried again while the request has
 * retries left ({@code maxRetries}, the route's or its slice policy's), is replayable, the cluster's retry breaker
 * has a slot (held from the first retry to the exchange's end, by the {@link Balancer}) and the route's retry budget
 * grants one; the next attempt starts after a jittered exponential backoff ({@code backoffBaseMs << (attempt - 1)},
 * at most {@code backoffMaxMs}), a {@link Deadline} on the loop's wheel. Each refusal is counted by reason. One per
 * downstream channel, reused per request, confined to its event loop; allocates nothing.
 */
final class Retries
{
    private final ForwardHandler owner;
    private final DataPlaneCounters counters;
    private final Balancer balancer;
    private final DeadlineWheel deadlines;
    private final Deadline backoff = new Deadline()
    {
        @Override
        void onExpired()
        {
            owner.onBackoffOver(backoffAttempt);
        }
    };
    private final Deadline requestDeadline = new Deadline()
    {
        @Override
        void onExpired()
        {
            if (balancer.expireWait())
            {
                owner.onWaitOver(false); // still waiting for an active-request slot: it never reached the cluster
            }
            else
            {
                owner.onRequestTimeout();
            }
        }
    };
    private Route route;
    private RetryPolicy policy;
    private int maxRetries;
    private int backoffAttempt;

    Retries(final ForwardHandler owner, final DataPlaneCounters counters, final Balancer balancer,
        final DeadlineWheel deadlines)
    {
        this.owner = owner;
        this.counters = counters;
        this.balancer = balancer;
        this.deadlines = deadlines;
    }

    /**
     * @param route      the request's route (its statuses retried and retry budget).
     * @param policy     the route's retry policy (backoff).
     * @param maxRetries    retries allowed for this request.
     * @param budgetPercent the share of requests the route's retry budget grants, -1 for its own ratio; the
     *                      request is counted in the budget.
     */
    void begin(final Route route, final RetryPolicy policy, final int maxRetries, final int budgetPercent)
    {
        this.route = route;
        this.policy = policy;
        this.maxRetries = maxRetries;
        if (budgetPercent < 0)
        {
            route.retryBudget().onRequest();
        }
        else
        {
            route.retryBudget().onRequest(budgetPercent);
        }
    }

    /**
     * Arms the request's deadline: when it passes before the response head, {@link ForwardHandler#onRequestTimeout()}.
     *
     * @param timeoutMs the request's timeout, 0 for none.
     */
    void armDeadline(final long timeoutMs)
    {
        if (timeoutMs > 0)
        {
            deadlines.arm(requestDeadline, timeoutMs);
        }
    }

    /** The response head arrived: the request's deadline no longer applies. */
    void disarmDeadline()
    {
        deadlines.disarm(requestDeadline);
    }

    int maxRetries()
    {
        return maxRetries;
    }

    /**
     * @param attempt    the attempt that failed (1 for the first).
     * @param replayable whether everything of the request sent so far can be sent again.
     * @return true when another attempt may be made (a retry slot is then held).
     */
    boolean mayRetry(final int attempt, final boolean replayable)
    {
        if (attempt > maxRetries || !replayable)
        {
            return false;
        }
        final boolean firstRetry = !balancer.holdsRetry();
        if (!balancer.holdRetry())
        {
            counters.increment(DataPlaneCounter.UPSTREAM_CIRCUIT_OPEN);
            return false;
        }
        if (!route.retryBudget().tryRetry())
        {
            balancer.cancelRetry(firstRetry);
            counters.increment(DataPlaneCounter.UPSTREAM_RETRY_BUDGET_EXHAUSTED);
            return false;
        }
        return true;
    }

    /** Counts the retry of {@code attempt} and starts the next attempt after the backoff. */
    void retryAfterBackoff(final int attempt, final ExchangeLog log)
    {
        counters.increment(DataPlaneCounter.UPSTREAM_RETRIES);
        route.stats().onRetry();
        log.flag(AccessLogDescriptor.FLAG_RETRIED);
        final long ceilingMs = Math.min(policy.backoffMaxMs(), policy.backoffBaseMs() << Math.min(attempt - 1, 20));
        backoffAttempt = attempt;
        deadlines.arm(backoff, ThreadLocalRandom.current().nextLong(ceilingMs + 1));
    }

    /** The exchange is over: no deadline, no pending retry. */
    void cancel()
    {
        deadlines.disarm(requestDeadline);
        deadlines.disarm(backoff);
    }
}
