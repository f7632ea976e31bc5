package io.mecmesh.slicemanager.distribution;

import java.nio.ByteOrder;

/**
 * The binary layout of every message exchanged between the slice manager and the node agents, layout version 1.
 * Little-endian. One Aeron message each (fragmented and reassembled by Aeron when larger than the MTU).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+---------------+---------------+
 * |        magic 0x4D4D ("MM")    | layout version|     type      |  0
 * +---------------+---------------+---------------+---------------+
 * |    status     |    reason     |      node id length (uint16)  |  4
 * +---------------+---------------+-------------------------------+
 * |                    config version (int64)                     |  8
 * |                                                               |
 * +---------------------------------------------------------------+
 * |             payload SHA-256 (32 bytes, CONFIG only)           | 16
 * |                              ...                              |
 * +---------------------------------------------------------------+
 * |                      body length (int32)                      | 48
 * +---------------------------------------------------------------+
 * |                      reserved (int32, 0)                      | 52
 * +---------------------------------------------------------------+
 * |                  node id (UTF-8, node id length)             ...  56
 * +---------------------------------------------------------------+
 * |  body: CONFIG payload | ACK reason text (UTF-8) | CATCH_UP -  ...
 * +---------------------------------------------------------------+
 * |           HMAC-SHA256 over every byte above (32 bytes)       ...
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>CONFIG (slice manager to nodes): the node's configuration {@code version}, the SHA-256 of the payload and
 *       the payload ({@link MeshConfigCodec}); status and reason 0.</li>
 *   <li>ACK (node to slice manager): the version the node applied (status {@link #STATUS_ACCEPTED}) or rejected
 *       (status {@link #STATUS_REJECTED}, reason a {@link RejectReason} code, body a human-readable reason).</li>
 *   <li>CATCH_UP (node to slice manager): "send me my latest configuration"; version is the one the node runs, -1 for
 *       none.</li>
 *   <li>HEARTBEAT (node to slice manager, every second or so): the version the node runs; it only refreshes the
 *       node's last contact and applied version in {@code mecmesh status}.</li>
 * </ul>
 * The MAC covers the header, node id and body, so no field can be changed or spliced without the shared key.
 */
public final class DistributionMessageDescriptor
{
    /** Byte order of every field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    /** "MM". */
    public static final short MAGIC = 0x4D4D;
    /** The layout described here. */
    public static final int LAYOUT_VERSION = 1;

    /** Slice manager to node: a configuration. */
    public static final int TYPE_CONFIG = 1;
    /** Node to slice manager: the outcome of a configuration. */
    public static final int TYPE_ACK = 2;
    /** Node to slice manager: a request for the node's latest configuration. */
    public static final int TYPE_CATCH_UP = 3;
    /** Node to slice manager: "I am here, running this version" (contact only; nothing is resent because of it). */
    public static final int TYPE_HEARTBEAT = 4;

    /** ACK status: the version is applied. */
    public static final int STATUS_ACCEPTED = 1;
    /** ACK status: the version was rejected; the node keeps its current configuration. */
    public static final int STATUS_REJECTED = 2;

    /** Version carried by a catch-up request from a node that runs no configuration. */
    public static final long NO_VERSION = -1;

    public static final int MAGIC_OFFSET = 0;
    public static final int LAYOUT_VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int STATUS_OFFSET = 4;
    public static final int REASON_OFFSET = 5;
    public static final int NODE_ID_LENGTH_OFFSET = 6;
    public static final int VERSION_OFFSET = 8;
    public static final int SHA256_OFFSET = 16;
    public static final int SHA256_LENGTH = 32;
    public static final int BODY_LENGTH_OFFSET = 48;
    public static final int RESERVED_OFFSET = 52;
    /** Where the node id starts; also the length of the fixed header. */
    public static final int NODE_ID_OFFSET = 56;
    public static final int HEADER_LENGTH = NODE_ID_OFFSET;
    /** Length of the trailing HMAC-SHA256. */
    public static final int MAC_LENGTH = 32;
    /** Longest node id, in UTF-8 bytes. */
    public static final int MAX_NODE_ID_LENGTH = 255;
    /** Longest ACK reason text, in UTF-8 bytes (longer texts are cut). */
    public static final int MAX_REASON_LENGTH = 1024;

    private DistributionMessageDescriptor()
    {
    }

    /**
     * @param nodeIdLength node id bytes.
     * @param bodyLength   body bytes.
     * @return the whole message's length.
     */
    public static int messageLength(final int nodeIdLength, final int bodyLength)
    {
        return HEADER_LENGTH + nodeIdLength + bodyLength + MAC_LENGTH;
    }
}
