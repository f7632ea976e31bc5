package io.mecmesh.dataplane.route;

import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * When and how often a request is tried again on another connection (and, with several endpoints, usually another
 * endpoint). Retries are bounded twice: per request by {@code maxRetries}, and per cluster by a budget (at most
 * {@code budgetRatio} retries per request on average, plus {@code minRetriesPerSecond}), so that a failing backend
 * does not see its load multiplied. A request whose body was partly sent is retried only if the whole body fitted
 * in {@code maxBufferedBodyBytes}.
 *
 * @param maxRetries           retries per request (0 turns retries off).
 * @param retryOnStatuses      response statuses that are retried (for example 503); connect failures, resets
 *                             before the response and per-try timeouts are always retried.
 * @param backoffBaseMs        first backoff; doubles per retry, with full jitter.
 * @param backoffMaxMs         longest backoff.
 * @param budgetRatio          retries allowed per request over the budget window (0.2 = 20%).
 * @param minRetriesPerSecond  retries always allowed per second, whatever the ratio.
 * @param maxBufferedBodyBytes largest request body kept for a replay.
 */
public record RetryPolicy(
    int maxRetries,
    Set<Integer> retryOnStatuses,
    long backoffBaseMs,
    long backoffMaxMs,
    double budgetRatio,
    int minRetriesPerSecond,
    int maxBufferedBodyBytes)
{
    /** No retries. */
    public static final RetryPolicy NONE = new RetryPolicy(0, Set.of(), 25, 250, 0.2, 10, 0);
    /** The default of a forwarding route: 2 retries on connect failure, reset, timeout or 503, 20% budget. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(2, Set.of(503), 25, 250, 0.2, 10, 64 * 1024);

    public RetryPolicy
    {
        retryOnStatuses = Set.copyOf(requireNonNull(retryOnStatuses, "retryOnStatuses"));
        if (maxRetries < 0 || maxRetries > 10)
        {
            throw new IllegalArgumentException("maxRetries: expected 0 to 10, got " + maxRetries);
        }
        for (final int status : retryOnStatuses)
        {
            if (status < 400 || status > 599)
            {
                throw new IllegalArgumentException("retryOn: expected statuses from 400 to 599, got " + status);
            }
        }
        if (backoffBaseMs < 1 || backoffMaxMs < backoffBaseMs)
        {
            throw new IllegalArgumentException("backoffBaseMs: expected 1 or more and at most backoffMaxMs ("
                + backoffMaxMs + "), got " + backoffBaseMs);
        }
        if (budgetRatio < 0 || budgetRatio > 10)
        {
            throw new IllegalArgumentException("budgetRatio: expected 0 to 10, got " + budgetRatio);
        }
        if (minRetriesPerSecond < 0)
        {
            throw new IllegalArgumentException("minRetriesPerSecond: expected 0 or more, got " + minRetriesPerSecond);
        }
        if (maxBufferedBodyBytes < 0 || maxBufferedBodyBytes > 16 * 1024 * 1024)
        {
            throw new IllegalArgumentException("maxBufferedBodyBytes: expected 0 to 16777216, got "
                + maxBufferedBodyBytes);
        }
    }
}
