package io.mecmesh.slicemanager.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * A reusable view over one message of the control-plane cluster (slice-manager/DESIGN-ha.md 1.2): a request sent
 * through the cluster ingress and committed in the log, or the service's reply on the egress. Little-endian:
 *
 * <pre>
 *   0       2       3       4                               20              28      30            30+n
 *   +-------+-------+-------+-------------------------------+---------------+-------+-------------+------...
 *   | "MC"  | ver 1 | type  | request id (UUID, msb, lsb)   | based-on seq  | plen  | principal   | body ...
 *   +-------+-------+-------+-------------------------------+---------------+-------+-------------+------...
 * </pre>
 *
 * Bodies: {@link #TYPE_COMMAND} a {@code JournalCodec} command document (UTF-8 JSON); {@link #TYPE_READ_BARRIER}
 * none; {@link #TYPE_SEED} a {@code JournalCodec} state document; {@link #TYPE_REPLY} an {@link Outcome}. Check
 * {@link #isWellFormed()} before any other accessor. Valid only while the wrapped buffer is.
 */
public final class ClusterEnvelope
{
    /** "MC" read as a little-endian short. */
    public static final short MAGIC = (short)('M' | ('C' << 8));
    public static final int LAYOUT_VERSION = 1;
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final int MAGIC_OFFSET = 0;
    public static final int LAYOUT_VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int REQUEST_ID_MSB_OFFSET = 4;
    public static final int REQUEST_ID_LSB_OFFSET = 12;
    public static final int BASED_ON_SEQUENCE_OFFSET = 20;
    public static final int PRINCIPAL_LENGTH_OFFSET = 28;
    public static final int PRINCIPAL_OFFSET = 30;
    public static final int HEADER_LENGTH = PRINCIPAL_OFFSET;
    public static final int MAX_PRINCIPAL_LENGTH = 1024;

    /** One {@code Command} (an apply is one {@code Command.Batch}). */
    public static final int TYPE_COMMAND = 1;
    /** No body; applied as a no-op; its reply carries the sequence the member had applied. */
    public static final int TYPE_READ_BARRIER = 2;
    /** The whole state of a pre-cluster data directory; applied only to an empty state. */
    public static final int TYPE_SEED = 3;
    /** The service's answer to a request (egress only). */
    public static final int TYPE_REPLY = 64;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * @param buffer the message's buffer.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public ClusterEnvelope wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = requireNonNull(buffer, "buffer");
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * @return whether the bytes have this layout's magic, version, a known type and a principal that fits.
     */
    public boolean isWellFormed()
    {
        if (length < HEADER_LENGTH
            || buffer.getShort(offset + MAGIC_OFFSET, BYTE_ORDER) != MAGIC
            || (buffer.getByte(offset + LAYOUT_VERSION_OFFSET) & 0xFF) != LAYOUT_VERSION)
        {
            return false;
        }
        final int type = type();
        final int principalLength = principalLength();
        return (type == TYPE_COMMAND || type == TYPE_READ_BARRIER || type == TYPE_SEED || type == TYPE_REPLY)
            && principalLength <= MAX_PRINCIPAL_LENGTH && HEADER_LENGTH + principalLength <= length;
    }

    public int type()
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public UUID requestId()
    {
        return new UUID(buffer.getLong(offset + REQUEST_ID_MSB_OFFSET, BYTE_ORDER),
            buffer.getLong(offset + REQUEST_ID_LSB_OFFSET, BYTE_ORDER));
    }

    /**
     * @return 0 for an unconditional request, else the state sequence the caller read (compare-and-set).
     */
    public long basedOnSequence()
    {
        return buffer.getLong(offset + BASED_ON_SEQUENCE_OFFSET, BYTE_ORDER);
    }

    public int principalLength()
    {
        return buffer.getShort(offset + PRINCIPAL_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public String principal()
    {
        return buffer.getStringWithoutLengthUtf8(offset + PRINCIPAL_OFFSET, principalLength());
    }

    public int bodyOffset()
    {
        return offset + HEADER_LENGTH + principalLength();
    }

    public int bodyLength()
    {
        return length - HEADER_LENGTH - principalLength();
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
     * Lays out a whole message.
     *
     * @param type            the type.
     * @param requestId       the caller's request id.
     * @param basedOnSequence 0, or the sequence the caller read.
     * @param principal       who asks (for the journal and audit).
     * @param body            the type's body.
     * @return the message's bytes.
     * @throws IllegalArgumentException if the principal is longer than {@link #MAX_PRINCIPAL_LENGTH} bytes.
     */
    public static byte[] encode(final int type, final UUID requestId, final long basedOnSequence,
        final String principal, final byte[] body)
    {
        requireNonNull(requestId, "requestId");
        requireNonNull(principal, "principal");
        requireNonNull(body, "body");
        final byte[] principalBytes = principal.getBytes(StandardCharsets.UTF_8);
        if (principalBytes.length > MAX_PRINCIPAL_LENGTH)
        {
            throw new IllegalArgumentException("principal: longer than " + MAX_PRINCIPAL_LENGTH + " bytes");
        }
        final byte[] message = new byte[HEADER_LENGTH + principalBytes.length + body.length];
        final MutableDirectBuffer out = new UnsafeBuffer(message);
        out.putShort(MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        out.putByte(LAYOUT_VERSION_OFFSET, (byte)LAYOUT_VERSION);
        out.putByte(TYPE_OFFSET, (byte)type);
        out.putLong(REQUEST_ID_MSB_OFFSET, requestId.getMostSignificantBits(), BYTE_ORDER);
        out.putLong(REQUEST_ID_LSB_OFFSET, requestId.getLeastSignificantBits(), BYTE_ORDER);
        out.putLong(BASED_ON_SEQUENCE_OFFSET, basedOnSequence, BYTE_ORDER);
        out.putShort(PRINCIPAL_LENGTH_OFFSET, (short)principalBytes.length, BYTE_ORDER);
        out.putBytes(PRINCIPAL_OFFSET, principalBytes);
        out.putBytes(PRINCIPAL_OFFSET + principalBytes.length, body);
        return message;
    }
}
