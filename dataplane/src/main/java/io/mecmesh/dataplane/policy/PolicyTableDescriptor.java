package io.mecmesh.dataplane.policy;

/**
 * The binary layout of a per-slice policy table: a header followed by a power-of-two number of fixed-size record
 * slots, indexed by open addressing with linear probing on the key (slice id, route id). All values are in the
 * platform's native byte order (the table never leaves the process; the control plane ships {@link SlicePolicy}
 * values and the node builds its table locally).
 *
 * <pre>
 * Table header, HEADER_LENGTH = 64 bytes, at offset 0:
 *
 *   0               4               8                               16              20                  64
 *   +---------------+---------------+-------------------------------+---------------+------ ... -------+
 *   | magic "MPT1"  | slot count    | version (of the compiled cfg) | record count  | reserved         |
 *   +---------------+---------------+-------------------------------+---------------+------ ... -------+
 *
 * Record, RECORD_LENGTH = 64 bytes (one cache line), slot i at HEADER_LENGTH + i * RECORD_LENGTH:
 *
 *   0               4               8               12      14  15  16
 *   +---------------+---------------+---------------+-------+---+---+
 *   | slice id      | route id      | state         |prio lv|dsc|rsv|   key, state, priority level, DSCP
 *   +---------------+---------------+---------------+-------+---+---+
 *   16                              24                              32
 *   | uplink rate bytes/s           | downlink rate bytes/s         |   0 = not limited
 *   +-------------------------------+-------------------------------+
 *   32                              40                              48
 *   | burst bytes                   | request timeout ns            |
 *   +---------------+---------------+---------------+---------------+
 *   48              52              56              60              64
 *   | max retries   | retry budget %| authz set id  | reserved      |
 *   +---------------+---------------+---------------+---------------+
 * </pre>
 *
 * <p>The slice id is the S-NSSAI packed as {@code sst << 24 | sd} (SD {@code 0xFFFFFF} when the slice has none).
 * Route id 0 is the slice's default record, used for requests whose route has no record of its own. A slot whose
 * state is {@link #STATE_EMPTY} ends a probe.
 */
public final class PolicyTableDescriptor
{
    /** "MPT1" in ASCII: identifies a policy table buffer. */
    public static final int MAGIC = 0x3154504D;

    public static final int MAGIC_OFFSET = 0;
    public static final int SLOT_COUNT_OFFSET = 4;
    public static final int VERSION_OFFSET = 8;
    public static final int RECORD_COUNT_OFFSET = 16;
    /** Bytes before the first record slot. */
    public static final int HEADER_LENGTH = 64;

    public static final int SLICE_ID_OFFSET = 0;
    public static final int ROUTE_ID_OFFSET = 4;
    public static final int STATE_OFFSET = 8;
    public static final int PRIORITY_LEVEL_OFFSET = 12;
    public static final int DSCP_OFFSET = 14;
    public static final int UPLINK_RATE_OFFSET = 16;
    public static final int DOWNLINK_RATE_OFFSET = 24;
    public static final int BURST_BYTES_OFFSET = 32;
    public static final int REQUEST_TIMEOUT_NS_OFFSET = 40;
    public static final int MAX_RETRIES_OFFSET = 48;
    public static final int RETRY_BUDGET_PERCENT_OFFSET = 52;
    public static final int AUTHORIZATION_SET_ID_OFFSET = 56;
    /** Bytes per record slot: one cache line, so that a lookup touches one line after the probe. */
    public static final int RECORD_LENGTH = 64;

    /** A slot nobody wrote: ends a probe. */
    public static final int STATE_EMPTY = 0;
    /** A slot holding a record. */
    public static final int STATE_OCCUPIED = 1;

    /** Alignment of the table buffer, so that every record sits on its own cache line. */
    public static final int ALIGNMENT = 64;

    private PolicyTableDescriptor()
    {
    }

    /**
     * The offset of a record slot in the table buffer.
     *
     * @param slot the slot index.
     * @return the offset of its first byte.
     */
    public static int recordOffset(final int slot)
    {
        return HEADER_LENGTH + slot * RECORD_LENGTH;
    }

    /**
     * The buffer length a table with this many slots needs.
     *
     * @param slotCount number of slots, a power of two.
     * @return header plus slots, in bytes.
     */
    public static int tableLength(final int slotCount)
    {
        return HEADER_LENGTH + slotCount * RECORD_LENGTH;
    }
}
