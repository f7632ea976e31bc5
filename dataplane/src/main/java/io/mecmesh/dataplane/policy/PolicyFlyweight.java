package io.mecmesh.dataplane.policy;

import org.agrona.DirectBuffer;

import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.AUTHORIZATION_SET_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.BURST_BYTES_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.DOWNLINK_RATE_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.DSCP_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.MAX_RETRIES_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.PRIORITY_LEVEL_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.REQUEST_TIMEOUT_NS_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.RETRY_BUDGET_PERCENT_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.ROUTE_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.SLICE_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.UPLINK_RATE_OFFSET;

/**
 * A reusable view of one policy record (layout in {@link PolicyTableDescriptor}). One per event loop: not
 * thread-safe, allocates nothing. Valid while the table it was wrapped over is referenced; tables are immutable, so a
 * flyweight over a table that has since been replaced still reads that table's consistent values.
 */
public final class PolicyFlyweight
{
    private DirectBuffer buffer;
    private int offset;

    /**
     * Points this view at a record.
     *
     * @param buffer the table buffer.
     * @param offset the record's offset, as {@link PolicyTable#find(int, int)} returns it.
     * @return this flyweight.
     */
    public PolicyFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int sliceId()
    {
        return buffer.getInt(offset + SLICE_ID_OFFSET);
    }

    public int routeId()
    {
        return buffer.getInt(offset + ROUTE_ID_OFFSET);
    }

    public int priorityLevel()
    {
        return buffer.getShort(offset + PRIORITY_LEVEL_OFFSET);
    }

    public int dscp()
    {
        return buffer.getByte(offset + DSCP_OFFSET);
    }

    public long uplinkRateBytesPerSecond()
    {
        return buffer.getLong(offset + UPLINK_RATE_OFFSET);
    }

    public long downlinkRateBytesPerSecond()
    {
        return buffer.getLong(offset + DOWNLINK_RATE_OFFSET);
    }

    public long burstBytes()
    {
        return buffer.getLong(offset + BURST_BYTES_OFFSET);
    }

    public long requestTimeoutNs()
    {
        return buffer.getLong(offset + REQUEST_TIMEOUT_NS_OFFSET);
    }

    public int maxRetries()
    {
        return buffer.getInt(offset + MAX_RETRIES_OFFSET);
    }

    public int retryBudgetPercent()
    {
        return buffer.getInt(offset + RETRY_BUDGET_PERCENT_OFFSET);
    }

    public int authorizationSetId()
    {
        return buffer.getInt(offset + AUTHORIZATION_SET_ID_OFFSET);
    }

    /**
     * Copies the record into a value, for tests and diagnostics (allocates; not for the request path).
     *
     * @return the record as a {@link SlicePolicy}.
     */
    public SlicePolicy toPolicy()
    {
        return new SlicePolicy(sliceId(), routeId(), priorityLevel(), dscp(), uplinkRateBytesPerSecond(),
            downlinkRateBytesPerSecond(), burstBytes(), requestTimeoutNs(), maxRetries(), retryBudgetPercent(),
            authorizationSetId());
    }
}
