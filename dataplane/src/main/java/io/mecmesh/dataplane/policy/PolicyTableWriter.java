package io.mecmesh.dataplane.policy;

import io.mecmesh.dataplane.error.DataPlaneException;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.collections.Hashing;
import org.agrona.concurrent.UnsafeBuffer;

import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.ALIGNMENT;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.AUTHORIZATION_SET_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.BURST_BYTES_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.DOWNLINK_RATE_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.DSCP_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.MAGIC;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.MAGIC_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.MAX_RETRIES_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.PRIORITY_LEVEL_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.RECORD_COUNT_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.REQUEST_TIMEOUT_NS_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.RETRY_BUDGET_PERCENT_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.ROUTE_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.SLICE_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.SLOT_COUNT_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.STATE_EMPTY;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.STATE_OCCUPIED;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.STATE_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.UPLINK_RATE_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.VERSION_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.recordOffset;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.tableLength;
import static java.util.Objects.requireNonNull;

/**
 * Builds one {@link PolicyTable} in a fresh cache-line-aligned direct buffer. The index keeps at least half its slots
 * empty (slot count is the next power of two of twice the capacity), so probes stay short and always end. Used by one
 * thread (the node agent applying a configuration); a writer builds one table and is then done.
 */
public final class PolicyTableWriter
{
    /** Most records one table may hold. */
    public static final int MAX_CAPACITY = 1 << 20;

    private final int capacity;
    private final int mask;
    private final UnsafeBuffer buffer;
    private int recordCount;
    private boolean built;

    /**
     * A writer for a table of at most {@code capacity} records.
     *
     * @param capacity the number of records the table must take, 1 to {@link #MAX_CAPACITY}.
     */
    public PolicyTableWriter(final int capacity)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity: expected 1 to " + MAX_CAPACITY + ", got " + capacity);
        }
        this.capacity = capacity;
        final int slotCount = BitUtil.findNextPositivePowerOfTwo(capacity * 2);
        this.mask = slotCount - 1;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(tableLength(slotCount), ALIGNMENT));
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putInt(SLOT_COUNT_OFFSET, slotCount);
    }

    /**
     * Adds a record.
     *
     * @param policy the record.
     * @return this writer.
     * @throws DataPlaneException (CONFIG) if the table is full or already has a record for the same key.
     */
    public PolicyTableWriter add(final SlicePolicy policy)
    {
        requireNonNull(policy, "policy");
        if (built)
        {
            throw new IllegalStateException("this writer's table is already built");
        }
        if (recordCount == capacity)
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG, "policy table is full: capacity "
                + capacity + " records, cannot add slice " + sliceText(policy.sliceId()) + " route "
                + policy.routeId() + " (build the table with a larger capacity)");
        }
        int slot = Hashing.hash(policy.key(), mask);
        while (buffer.getInt(recordOffset(slot) + STATE_OFFSET) != STATE_EMPTY)
        {
            final int offset = recordOffset(slot);
            if (buffer.getInt(offset + SLICE_ID_OFFSET) == policy.sliceId()
                && buffer.getInt(offset + ROUTE_ID_OFFSET) == policy.routeId())
            {
                throw new DataPlaneException(DataPlaneException.Category.CONFIG, "policy table already has a record"
                    + " for slice " + sliceText(policy.sliceId()) + " route " + policy.routeId());
            }
            slot = (slot + 1) & mask;
        }
        final int offset = recordOffset(slot);
        buffer.putInt(offset + SLICE_ID_OFFSET, policy.sliceId());
        buffer.putInt(offset + ROUTE_ID_OFFSET, policy.routeId());
        buffer.putShort(offset + PRIORITY_LEVEL_OFFSET, (short)policy.priorityLevel());
        buffer.putByte(offset + DSCP_OFFSET, (byte)policy.dscp());
        buffer.putLong(offset + UPLINK_RATE_OFFSET, policy.uplinkRateBytesPerSecond());
        buffer.putLong(offset + DOWNLINK_RATE_OFFSET, policy.downlinkRateBytesPerSecond());
        buffer.putLong(offset + BURST_BYTES_OFFSET, policy.burstBytes());
        buffer.putLong(offset + REQUEST_TIMEOUT_NS_OFFSET, policy.requestTimeoutNs());
        buffer.putInt(offset + MAX_RETRIES_OFFSET, policy.maxRetries());
        buffer.putInt(offset + RETRY_BUDGET_PERCENT_OFFSET, policy.retryBudgetPercent());
        buffer.putInt(offset + AUTHORIZATION_SET_ID_OFFSET, policy.authorizationSetId());
        buffer.putInt(offset + STATE_OFFSET, STATE_OCCUPIED);
        recordCount++;
        return this;
    }

    /**
     * Finishes the table. The writer cannot be used afterwards. The table becomes visible to other threads only
     * through {@link PolicyTables#publish(PolicyTable)}, whose release store orders every write above before it.
     *
     * @param version the version of the compiled configuration the records come from.
     * @return the table.
     */
    public PolicyTable build(final long version)
    {
        if (built)
        {
            throw new IllegalStateException("this writer's table is already built");
        }
        if (version < 0)
        {
            throw new IllegalArgumentException("version: expected 0 or more, got " + version);
        }
        built = true;
        buffer.putLong(VERSION_OFFSET, version);
        buffer.putInt(RECORD_COUNT_OFFSET, recordCount);
        return new PolicyTable(buffer);
    }

    private static String sliceText(final int sliceId)
    {
        final int sst = sliceId >>> 24;
        final int sd = sliceId & 0xFF_FFFF;
        return sd == 0xFF_FFFF ? Integer.toString(sst) : String.format("%d-%06x", sst, sd);
    }
}
