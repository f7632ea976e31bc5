package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Snapshot;
import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteAction;

/**
 * The limits a forwarded request runs with, from its slice policy: the request's slice (from the {@link Exchange},
 * 0 when unclassified) and its route's {@code policyRouteId} are looked up in the policy table of the exchange's
 * snapshot (the one the classify stage read for this request): the (slice, route) record, else the slice's default
 * record (slice, 0). The record found sets the request timeout ({@code requestTimeoutNs}, rounded up to
 * milliseconds), the retries per request ({@code maxRetries}), the share of requests the route's retry budget grants
 * ({@code retryBudgetPercent}) and the DSCP; without a record the route's own timeout and retry policy apply, the
 * budget's own ratio and DSCP 0. Each lookup is counted in the slice's {@code SliceStats} as a policy hit or miss.
 * Allocates nothing. (Issue 13 step 9 moves this lookup into the admit stage, which writes the results into the
 * exchange.)
 */
final class SliceLimits
{
    private final PolicyFlyweight policy = new PolicyFlyweight();
    private long timeoutMs;
    private int retries;
    private int budget;
    private int dscpValue;

    /**
     * Looks the request's record up.
     *
     * @param exchange the request's exchange (slice, snapshot).
     * @param route    its route.
     * @param forward  the route's action.
     */
    void resolve(final Exchange exchange, final Route route, final RouteAction.Forward forward)
    {
        int maxRetries = forward.retry().maxRetries();
        int dscp;
        long routeTimeoutMs = forward.timeoutMs();
        int budgetPercent = -1;
        dscp = 0;
        final Snapshot snapshot = exchange.snapshot();
        if (snapshot != null)
        {
            // The table of the snapshot the request's classifier and route came from: one version.
            final boolean hit = snapshot.policies().lookup(exchange.sliceId(), route.config().policyRouteId(),
                policy);
            exchange.sliceStats().onPolicyLookup(hit);
            if (hit)
            {
                dscp = policy.dscp();
                routeTimeoutMs = (policy.requestTimeoutNs() + 999_999L) / 1_000_000L;
                maxRetries = policy.maxRetries();
                budgetPercent = policy.retryBudgetPercent();
            }
        }
        this.timeoutMs = routeTimeoutMs;
        this.retries = maxRetries;
        this.budget = budgetPercent;
        this.dscpValue = dscp;
    }

    /** @return the request's timeout before any {@code grpc-timeout}, ms, 0 for none. */
    long routeTimeoutMs()
    {
        return timeoutMs;
    }

    /** @return the retries allowed. */
    int maxRetries()
    {
        return retries;
    }

    /** @return the retry budget's percentage for this request, -1 for the route's own ratio. */
    int budgetPercent()
    {
        return budget;
    }

    /** @return the DSCP of the request's upstream connections (and of the downstream one). */
    int dscp()
    {
        return dscpValue;
    }
}
