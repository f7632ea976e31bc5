package io.mecmesh.slicemanager.distribution;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.BODY_LENGTH_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.BYTE_ORDER;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.LAYOUT_VERSION;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.LAYOUT_VERSION_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAGIC;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAGIC_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAX_NODE_ID_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAX_REASON_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.NODE_ID_LENGTH_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.NODE_ID_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.REASON_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.RESERVED_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.SHA256_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.SHA256_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.STATUS_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_ACK;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_CATCH_UP;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_CONFIG;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.VERSION_OFFSET;
import static java.util.Objects.requireNonNull;

/**
 * Writes messages laid out as in {@link DistributionMessageDescriptor} into its own growing buffer, MAC included.
 * Each encode overwrites the previous message. Confined to one thread.
 */
public final class DistributionMessageEncoder
{
    private final MessageAuthenticator authenticator;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);

    /**
     * @param authenticator the shared key (also confined to the encoder's thread).
     */
    public DistributionMessageEncoder(final MessageAuthenticator authenticator)
    {
        this.authenticator = requireNonNull(authenticator, "authenticator");
    }

    /**
     * @return the buffer the last message was encoded at offset 0 of.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Encodes a CONFIG.
     *
     * @param nodeId  the node.
     * @param version the configuration version.
     * @param sha256  SHA-256 of the payload (32 bytes).
     * @param payload the encoded configuration.
     * @return the message length.
     */
    public int encodeConfig(final String nodeId, final long version, final byte[] sha256, final byte[] payload)
    {
        requireNonNull(sha256, "sha256");
        requireNonNull(payload, "payload");
        if (sha256.length != SHA256_LENGTH)
        {
            throw new IllegalArgumentException("sha256: expected 32 bytes, got " + sha256.length);
        }
        final int bodyOffset = header(TYPE_CONFIG, nodeId, version, 0, 0, payload.length);
        buffer.putBytes(SHA256_OFFSET, sha256);
        buffer.putBytes(bodyOffset, payload);
        return seal(bodyOffset + payload.length);
    }

    /**
     * Encodes an ACK.
     *
     * @param nodeId  the node.
     * @param version the version applied or rejected.
     * @param reason  {@link RejectReason#NONE} for applied, else why it was rejected.
     * @param detail  human-readable detail (cut to {@link DistributionMessageDescriptor#MAX_REASON_LENGTH} bytes).
     * @return the message length.
     */
    public int encodeAck(final String nodeId, final long version, final RejectReason reason, final String detail)
    {
        requireNonNull(reason, "reason");
        final byte[] full = requireNonNull(detail, "detail").getBytes(StandardCharsets.UTF_8);
        final byte[] text = full.length > MAX_REASON_LENGTH ? Arrays.copyOf(full, MAX_REASON_LENGTH) : full;
        final int status = reason == RejectReason.NONE
            ? DistributionMessageDescriptor.STATUS_ACCEPTED : DistributionMessageDescriptor.STATUS_REJECTED;
        final int bodyOffset = header(TYPE_ACK, nodeId, version, status, reason.code(), text.length);
        buffer.putBytes(bodyOffset, text);
        return seal(bodyOffset + text.length);
    }

    /**
     * Encodes a CATCH_UP request.
     *
     * @param nodeId         the node.
     * @param currentVersion the version the node runs, {@link DistributionMessageDescriptor#NO_VERSION} for none.
     * @return the message length.
     */
    public int encodeCatchUp(final String nodeId, final long currentVersion)
    {
        final int bodyOffset = header(TYPE_CATCH_UP, nodeId, currentVersion, 0, 0, 0);
        return seal(bodyOffset);
    }

    /**
     * Encodes a HEARTBEAT.
     *
     * @param nodeId         the node.
     * @param currentVersion the version the node runs, {@link DistributionMessageDescriptor#NO_VERSION} for none.
     * @return the message length.
     */
    public int encodeHeartbeat(final String nodeId, final long currentVersion)
    {
        final int bodyOffset = header(DistributionMessageDescriptor.TYPE_HEARTBEAT, nodeId, currentVersion, 0, 0, 0);
        return seal(bodyOffset);
    }

    private int header(
        final int type, final String nodeId, final long version, final int status, final int reason,
        final int bodyLength)
    {
        final byte[] id = requireNonNull(nodeId, "nodeId").getBytes(StandardCharsets.UTF_8);
        if (id.length < 1 || id.length > MAX_NODE_ID_LENGTH)
        {
            throw new IllegalArgumentException("nodeId: expected 1 to " + MAX_NODE_ID_LENGTH + " UTF-8 bytes, got "
                + id.length);
        }
        buffer.setMemory(0, NODE_ID_OFFSET, (byte)0);
        buffer.putShort(MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        buffer.putByte(LAYOUT_VERSION_OFFSET, (byte)LAYOUT_VERSION);
        buffer.putByte(TYPE_OFFSET, (byte)type);
        buffer.putByte(STATUS_OFFSET, (byte)status);
        buffer.putByte(REASON_OFFSET, (byte)reason);
        buffer.putShort(NODE_ID_LENGTH_OFFSET, (short)id.length, BYTE_ORDER);
        buffer.putLong(VERSION_OFFSET, version, BYTE_ORDER);
        buffer.putInt(BODY_LENGTH_OFFSET, bodyLength, BYTE_ORDER);
        buffer.putInt(RESERVED_OFFSET, 0, BYTE_ORDER);
        buffer.putBytes(NODE_ID_OFFSET, id);
        return NODE_ID_OFFSET + id.length;
    }

    private int seal(final int contentLength)
    {
        final byte[] mac = new byte[DistributionMessageDescriptor.MAC_LENGTH];
        authenticator.mac((DirectBuffer)buffer, 0, contentLength, mac, 0);
        buffer.putBytes(contentLength, mac);
        return contentLength + mac.length;
    }
}
