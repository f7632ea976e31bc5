package io.mecmesh.slicemanager.model;

/**
 * A service's timeouts. {@link #derivedFrom(int)} gives the defaults from the slice's packet delay budget (PDB):
 *
 * <ul>
 *   <li>connect: the PDB, clamped to 10 ms .. 1 s: a connection that takes longer than the whole one-way budget to
 *       open has already lost the request's budget; the floor leaves room for a TLS handshake on a busy host.</li>
 *   <li>request: 20 PDBs, clamped to 100 ms .. 30 s: a request/response exchange spans two one-way budgets plus the
 *       service's own work, which for the table's services is about an order of magnitude more.</li>
 *   <li>per try: the request timeout shared by the first try and the retries the retry policy allows.</li>
 * </ul>
 *
 * @param connectTimeoutMs  1 to 60 000 ms.
 * @param requestTimeoutMs  1 to 3 600 000 ms.
 * @param perTryTimeoutMs   1 ms up to the request timeout.
 */
public record Timeouts(int connectTimeoutMs, int requestTimeoutMs, int perTryTimeoutMs)
{
    public Timeouts
    {
        Checks.requireRange("connectTimeoutMs", connectTimeoutMs, 1, 60_000);
        Checks.requireRange("requestTimeoutMs", requestTimeoutMs, 1, 3_600_000);
        Checks.requireRange("perTryTimeoutMs", perTryTimeoutMs, 1, requestTimeoutMs);
    }

    /**
     * The default timeouts for a slice's packet delay budget.
     *
     * @param packetDelayBudgetMs the slice's PDB.
     * @return the timeouts.
     */
    public static Timeouts derivedFrom(final int packetDelayBudgetMs)
    {
        Checks.requireRange("packetDelayBudgetMs", packetDelayBudgetMs, 1, 10_000);
        final int connect = Math.max(10, Math.min(1000, packetDelayBudgetMs));
        final int request = Math.max(100, Math.min(30_000, packetDelayBudgetMs * 20));
        final int tries = 1 + RetryPolicy.derivedFrom(packetDelayBudgetMs).maxRetries();
        return new Timeouts(connect, request, request / tries);
    }
}
