package io.mecmesh.dataplane.policy;

import org.agrona.DirectBuffer;
import org.agrona.collections.Hashing;
import org.agrona.concurrent.UnsafeBuffer;

import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.RECORD_COUNT_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.ROUTE_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.SLICE_ID_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.SLOT_COUNT_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.STATE_EMPTY;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.STATE_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.VERSION_OFFSET;
import static io.mecmesh.dataplane.policy.PolicyTableDescriptor.recordOffset;

/**
 * An immutable per-slice policy table in an off-heap buffer (layout in {@link PolicyTableDescriptor}). Built once by
 * a {@link PolicyTableWriter}, never written again, and published to the event loops through {@link PolicyTables};
 * so a reader can never observe a record half-written. Lookups allocate nothing and are safe from any thread.
 */
public final class PolicyTable
{
    /** What {@link #find(int, int)} returns for a key that is not in the table. */
    public static final int NOT_FOUND = -1;

    private static final PolicyTable EMPTY = new PolicyTableWriter(1).build(0);

    private final UnsafeBuffer buffer;
    private final int mask;

    PolicyTable(final UnsafeBuffer buffer)
    {
        this.buffer = buffer;
        this.mask = buffer.getInt(SLOT_COUNT_OFFSET) - 1;
    }

    /**
     * A table without records, version 0: what a node runs before its first configuration.
     *
     * @return the empty table.
     */
    public static PolicyTable empty()
    {
        return EMPTY;
    }

    /**
     * The key of a (slice, route) pair.
     *
     * @param sliceId the packed S-NSSAI.
     * @param routeId the route id, 0 for the slice default.
     * @return slice id in the high 32 bits, route id in the low 32 bits.
     */
    public static long key(final int sliceId, final int routeId)
    {
        return ((long)sliceId << 32) | (routeId & 0xFFFF_FFFFL);
    }

    /**
     * Finds the record of a (slice, route) pair. Allocates nothing.
     *
     * @param sliceId the packed S-NSSAI.
     * @param routeId the route id, 0 for the slice default.
     * @return the record's offset in {@link #buffer()}, or {@link #NOT_FOUND}.
     */
    public int find(final int sliceId, final int routeId)
    {
        int slot = Hashing.hash(key(sliceId, routeId), mask);
        while (true)
        {
            final int offset = recordOffset(slot);
            if (buffer.getInt(offset + STATE_OFFSET) == STATE_EMPTY)
            {
                return NOT_FOUND;
            }
            if (buffer.getInt(offset + SLICE_ID_OFFSET) == sliceId && buffer.getInt(offset + ROUTE_ID_OFFSET) == routeId)
            {
                return offset;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Points the flyweight at the record of a (slice, route) pair, else at the slice's default record. Allocates
     * nothing.
     *
     * @param sliceId    the packed S-NSSAI.
     * @param routeId    the route id.
     * @param flyweight  the reader's own flyweight, left untouched when nothing is found.
     * @return true if a record (the route's or the slice default) was found.
     */
    public boolean lookup(final int sliceId, final int routeId, final PolicyFlyweight flyweight)
    {
        int offset = find(sliceId, routeId);
        if (offset == NOT_FOUND && routeId != SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
        {
            offset = find(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID);
        }
        if (offset == NOT_FOUND)
        {
            return false;
        }
        flyweight.wrap(buffer, offset);
        return true;
    }

    /**
     * The version of the compiled configuration this table comes from.
     *
     * @return the version.
     */
    public long version()
    {
        return buffer.getLong(VERSION_OFFSET);
    }

    /**
     * How many records the table holds.
     *
     * @return the record count.
     */
    public int recordCount()
    {
        return buffer.getInt(RECORD_COUNT_OFFSET);
    }

    /**
     * How many slots the index has (a power of two, at least twice the record capacity).
     *
     * @return the slot count.
     */
    public int slotCount()
    {
        return mask + 1;
    }

    /**
     * Every record, ordered by slice then route id: for diagnostics ({@code proxy-config slices}); allocates, not
     * for the request path.
     *
     * @return the records.
     */
    public java.util.List<SlicePolicy> records()
    {
        final java.util.List<SlicePolicy> records = new java.util.ArrayList<>(recordCount());
        final PolicyFlyweight view = new PolicyFlyweight();
        for (int slot = 0; slot <= mask; slot++)
        {
            final int offset = PolicyTableDescriptor.recordOffset(slot);
            if (buffer.getInt(offset + STATE_OFFSET) != STATE_EMPTY)
            {
                records.add(view.wrap(buffer, offset).toPolicy());
            }
        }
        records.sort(java.util.Comparator.comparingLong(SlicePolicy::key));
        return records;
    }

    /**
     * The table's bytes, read-only by contract.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }
}
