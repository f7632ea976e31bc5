package io.mecmesh.slicemanager.model;

/**
 * How a service's failed requests are retried. {@link #derivedFrom(int)} gives the defaults from the slice's packet
 * delay budget (PDB): one retry when the PDB is 20 ms or less (delay-critical traffic rarely has time for more),
 * else two; and a budget of 20 % of requests with a floor of 10 retries per second, as linkerd2-proxy's default
 * budget, so that retries cannot multiply the load of a struggling service.
 *
 * @param maxRetries          retries per request, 0 to 10.
 * @param budgetPercent       retries allowed as a percentage of requests, 0 to 100.
 * @param minRetriesPerSecond retries allowed regardless of the budget, 0 to 10 000.
 */
public record RetryPolicy(int maxRetries, int budgetPercent, int minRetriesPerSecond)
{
    /** No retries. */
    public static final RetryPolicy NONE = new RetryPolicy(0, 0, 0);

    public RetryPolicy
    {
        Checks.requireRange("maxRetries", maxRetries, 0, 10);
        Checks.requireRange("budgetPercent", budgetPercent, 0, 100);
        Checks.requireRange("minRetriesPerSecond", minRetriesPerSecond, 0, 10_000);
    }

    /**
     * The default retry policy for a slice's packet delay budget.
     *
     * @param packetDelayBudgetMs the slice's PDB.
     * @return the retry policy.
     */
    public static RetryPolicy derivedFrom(final int packetDelayBudgetMs)
    {
        Checks.requireRange("packetDelayBudgetMs", packetDelayBudgetMs, 1, 10_000);
        return new RetryPolicy(packetDelayBudgetMs <= 20 ? 1 : 2, 20, 10);
    }
}
