package io.mecmesh.dataplane.policy;

/**
 * The policy of one (slice, route) pair, as the control plane compiles it and the {@link PolicyTableWriter} lays it
 * out. Route id 0 ({@link #SLICE_DEFAULT_ROUTE_ID}) is the slice's default, applied to routes without a record.
 *
 * @param sliceId                   the S-NSSAI packed as {@code sst << 24 | sd} ({@code sd = 0xFFFFFF} for none).
 * @param routeId                   0 for the slice default, else the route's id (its position in the compiled
 *                                  routes, from 1).
 * @param priorityLevel             5QI priority level, 1 (highest) to 127.
 * @param dscp                      the DSCP to mark, 0 to 63.
 * @param uplinkRateBytesPerSecond  maximum rate towards the service, 0 for not limited.
 * @param downlinkRateBytesPerSecond maximum rate back to the caller, 0 for not limited.
 * @param burstBytes                token-bucket depth, 0 when neither rate is limited.
 * @param requestTimeoutNs          whole-request timeout, more than 0.
 * @param maxRetries                retries per request, 0 to 10.
 * @param retryBudgetPercent        retries allowed as a percentage of requests, 0 to 100.
 * @param authorizationSetId        reference to the set of callers allowed, 0 for "any authenticated caller".
 */
public record SlicePolicy(
    int sliceId,
    int routeId,
    int priorityLevel,
    int dscp,
    long uplinkRateBytesPerSecond,
    long downlinkRateBytesPerSecond,
    long burstBytes,
    long requestTimeoutNs,
    int maxRetries,
    int retryBudgetPercent,
    int authorizationSetId)
{
    /** The route id of a slice's default record. */
    public static final int SLICE_DEFAULT_ROUTE_ID = 0;

    public SlicePolicy
    {
        if (routeId < 0)
        {
            throw new IllegalArgumentException("routeId: expected 0 (slice default) or more, got " + routeId);
        }
        if (priorityLevel < 1 || priorityLevel > 127)
        {
            throw new IllegalArgumentException("priorityLevel: expected 1 to 127, got " + priorityLevel);
        }
        if (dscp < 0 || dscp > 63)
        {
            throw new IllegalArgumentException("dscp: expected 0 to 63, got " + dscp);
        }
        if (uplinkRateBytesPerSecond < 0)
        {
            throw new IllegalArgumentException(
                "uplinkRateBytesPerSecond: expected 0 (not limited) or more, got " + uplinkRateBytesPerSecond);
        }
        if (downlinkRateBytesPerSecond < 0)
        {
            throw new IllegalArgumentException(
                "downlinkRateBytesPerSecond: expected 0 (not limited) or more, got " + downlinkRateBytesPerSecond);
        }
        if (burstBytes < 0)
        {
            throw new IllegalArgumentException("burstBytes: expected 0 or more, got " + burstBytes);
        }
        if (requestTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("requestTimeoutNs: expected more than 0, got " + requestTimeoutNs);
        }
        if (maxRetries < 0 || maxRetries > 10)
        {
            throw new IllegalArgumentException("maxRetries: expected 0 to 10, got " + maxRetries);
        }
        if (retryBudgetPercent < 0 || retryBudgetPercent > 100)
        {
            throw new IllegalArgumentException("retryBudgetPercent: expected 0 to 100, got " + retryBudgetPercent);
        }
        if (authorizationSetId < 0)
        {
            throw new IllegalArgumentException("authorizationSetId: expected 0 or more, got " + authorizationSetId);
        }
    }

    /**
     * The key this record is indexed by.
     *
     * @return slice id in the high 32 bits, route id in the low 32 bits.
     */
    public long key()
    {
        return PolicyTable.key(sliceId, routeId);
    }
}
