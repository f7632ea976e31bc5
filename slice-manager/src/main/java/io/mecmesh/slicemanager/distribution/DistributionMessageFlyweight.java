package io.mecmesh.slicemanager.distribution;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.BODY_LENGTH_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.BYTE_ORDER;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.HEADER_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.LAYOUT_VERSION;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.LAYOUT_VERSION_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAC_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAGIC;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAGIC_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.MAX_NODE_ID_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.NODE_ID_LENGTH_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.NODE_ID_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.REASON_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.SHA256_LENGTH;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.SHA256_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.STATUS_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_CATCH_UP;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_CONFIG;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_HEARTBEAT;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_OFFSET;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.VERSION_OFFSET;
import static java.util.Objects.requireNonNull;

/**
 * A reusable read view over one message laid out as in {@link DistributionMessageDescriptor}. Check
 * {@link #isWellFormed()} before any other accessor, then {@link #verifyMac(MessageAuthenticator)} before trusting
 * a field. Valid only while the wrapped buffer is (inside the fragment handler that received it).
 */
public final class DistributionMessageFlyweight
{
    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * @param buffer the message's buffer.
     * @param offset where the message starts.
     * @param length the message's length.
     * @return this.
     */
    public DistributionMessageFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = requireNonNull(buffer, "buffer");
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * @return whether the bytes have this layout's magic, version, a known type and consistent lengths.
     */
    public boolean isWellFormed()
    {
        if (length < HEADER_LENGTH + MAC_LENGTH
            || buffer.getShort(offset + MAGIC_OFFSET, BYTE_ORDER) != MAGIC
            || (buffer.getByte(offset + LAYOUT_VERSION_OFFSET) & 0xFF) != LAYOUT_VERSION)
        {
            return false;
        }
        final int type = type();
        final int nodeIdLength = nodeIdLength();
        final int bodyLength = bodyLength();
        return type >= TYPE_CONFIG && type <= TYPE_HEARTBEAT
            && nodeIdLength >= 1 && nodeIdLength <= MAX_NODE_ID_LENGTH
            && bodyLength >= 0
            && (long)HEADER_LENGTH + nodeIdLength + bodyLength + MAC_LENGTH == length;
    }

    /**
     * @param authenticator the shared key.
     * @return whether the trailing MAC is the HMAC of everything before it.
     */
    public boolean verifyMac(final MessageAuthenticator authenticator)
    {
        return authenticator.verify(buffer, offset, length - MAC_LENGTH);
    }

    /**
     * @return {@link DistributionMessageDescriptor#TYPE_CONFIG}, {@code TYPE_ACK}, {@code TYPE_CATCH_UP} or {@code TYPE_HEARTBEAT}.
     */
    public int type()
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * @return the ACK status (0 for other types).
     */
    public int status()
    {
        return buffer.getByte(offset + STATUS_OFFSET) & 0xFF;
    }

    /**
     * @return the ACK reason code.
     */
    public int reasonCode()
    {
        return buffer.getByte(offset + REASON_OFFSET) & 0xFF;
    }

    /**
     * @return the configuration version.
     */
    public long version()
    {
        return buffer.getLong(offset + VERSION_OFFSET, BYTE_ORDER);
    }

    /**
     * @return a copy of the payload SHA-256.
     */
    public byte[] sha256()
    {
        final byte[] sha256 = new byte[SHA256_LENGTH];
        buffer.getBytes(offset + SHA256_OFFSET, sha256);
        return sha256;
    }

    /**
     * @return the node id.
     */
    public String nodeId()
    {
        return buffer.getStringWithoutLengthUtf8(offset + NODE_ID_OFFSET, nodeIdLength());
    }

    /**
     * @param nodeIdUtf8 a node id in UTF-8.
     * @return whether this message names that node (without allocating).
     */
    public boolean isFor(final byte[] nodeIdUtf8)
    {
        if (nodeIdLength() != nodeIdUtf8.length)
        {
            return false;
        }
        for (int i = 0; i < nodeIdUtf8.length; i++)
        {
            if (buffer.getByte(offset + NODE_ID_OFFSET + i) != nodeIdUtf8[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return offset of the body in the buffer.
     */
    public int bodyOffset()
    {
        return offset + NODE_ID_OFFSET + nodeIdLength();
    }

    /**
     * @return length of the body.
     */
    public int bodyLength()
    {
        return buffer.getInt(offset + BODY_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * @return a copy of the body.
     */
    public byte[] body()
    {
        final byte[] body = new byte[bodyLength()];
        buffer.getBytes(bodyOffset(), body);
        return body;
    }

    /**
     * @return the body as UTF-8 text (the ACK reason).
     */
    public String bodyText()
    {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /**
     * @return the buffer wrapped.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    private int nodeIdLength()
    {
        return buffer.getShort(offset + NODE_ID_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
    }
}
