package io.mecmesh.slicemanager.cluster;

import io.mecmesh.slicemanager.model.CommandRejectedException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

import static io.mecmesh.slicemanager.cluster.ClusterEnvelope.BYTE_ORDER;
import static java.util.Objects.requireNonNull;

/**
 * What the clustered service decided about one request (slice-manager/DESIGN-ha.md 1.3), the body of a
 * {@link ClusterEnvelope#TYPE_REPLY}. Little-endian:
 *
 * <pre>
 *   0      1      2                10               18               26       27          29+f        31+f+r
 *   +------+------+----------------+----------------+----------------+--------+-----------+-------+----+----...
 *   | kind | dup  | sequence       | leadership term| log position   | categ. | flen,field         | rlen,reason
 *   +------+------+----------------+----------------+----------------+--------+-----------+-------+----+----...
 * </pre>
 *
 * @param kind             accepted, rejected or conflict.
 * @param duplicate        whether this answers a retried request id with its original outcome (nothing changed).
 * @param sequence         ACCEPTED: the command's sequence (READ_BARRIER: the sequence applied); CONFLICT: the
 *                         current sequence; REJECTED: the sequence of the state that refused it.
 * @param leadershipTermId the term in which the request was applied.
 * @param logPosition      the log position of the request.
 * @param category         REJECTED only: why (else {@code null}).
 * @param field            REJECTED only: the field (else empty).
 * @param reason           REJECTED only: the rule broken (else empty).
 */
public record Outcome(Kind kind, boolean duplicate, long sequence, long leadershipTermId, long logPosition,
    CommandRejectedException.Category category, String field, String reason)
{
    private static final int KIND_OFFSET = 0;
    private static final int DUPLICATE_OFFSET = 1;
    private static final int SEQUENCE_OFFSET = 2;
    private static final int TERM_OFFSET = 10;
    private static final int POSITION_OFFSET = 18;
    private static final int CATEGORY_OFFSET = 26;
    private static final int FIELD_OFFSET = 27;
    private static final int MIN_LENGTH = FIELD_OFFSET + 4;
    private static final int MAX_TEXT_BYTES = 0xFFFF;

    /** What happened to the request. */
    public enum Kind
    {
        /** Applied (or, for a read barrier, reached). */
        ACCEPTED,
        /** Refused by the state (the API's 422/404/409 as for a single process); nothing changed. */
        REJECTED,
        /** Its based-on sequence is not the current one; nothing changed. */
        CONFLICT
    }

    public Outcome
    {
        requireNonNull(kind, "kind");
        requireNonNull(field, "field");
        requireNonNull(reason, "reason");
        if (kind == Kind.REJECTED)
        {
            requireNonNull(category, "category");
        }
    }

    /**
     * @param sequence         the command's sequence.
     * @param leadershipTermId the term.
     * @param logPosition      the log position.
     * @return an ACCEPTED outcome.
     */
    public static Outcome accepted(final long sequence, final long leadershipTermId, final long logPosition)
    {
        return new Outcome(Kind.ACCEPTED, false, sequence, leadershipTermId, logPosition, null, "", "");
    }

    /**
     * @param rejection        why the state refused it.
     * @param sequence         the state's sequence.
     * @param leadershipTermId the term.
     * @param logPosition      the log position.
     * @return a REJECTED outcome.
     */
    public static Outcome rejected(final CommandRejectedException rejection, final long sequence,
        final long leadershipTermId, final long logPosition)
    {
        return new Outcome(Kind.REJECTED, false, sequence, leadershipTermId, logPosition, rejection.category(),
            rejection.field(), rejection.reason());
    }

    /**
     * @param currentSequence  the state's sequence, which the request was not based on.
     * @param leadershipTermId the term.
     * @param logPosition      the log position.
     * @return a CONFLICT outcome.
     */
    public static Outcome conflict(final long currentSequence, final long leadershipTermId, final long logPosition)
    {
        return new Outcome(Kind.CONFLICT, false, currentSequence, leadershipTermId, logPosition, null, "", "");
    }

    /**
     * @return this outcome, marked as the answer to a retried request id.
     */
    public Outcome asDuplicate()
    {
        return new Outcome(kind, true, sequence, leadershipTermId, logPosition, category, field, reason);
    }

    /**
     * @return the rejection as the exception the single-process path throws (REJECTED only).
     */
    public CommandRejectedException toRejection()
    {
        if (kind != Kind.REJECTED)
        {
            throw new IllegalStateException("not a rejection: " + kind);
        }
        return new CommandRejectedException(category, field, reason);
    }

    /**
     * @return the encoded body.
     */
    public byte[] encode()
    {
        final byte[] fieldBytes = cut(field.getBytes(StandardCharsets.UTF_8));
        final byte[] reasonBytes = cut(reason.getBytes(StandardCharsets.UTF_8));
        final byte[] bytes = new byte[MIN_LENGTH + fieldBytes.length + reasonBytes.length];
        final UnsafeBuffer out = new UnsafeBuffer(bytes);
        out.putByte(KIND_OFFSET, (byte)kind.ordinal());
        out.putByte(DUPLICATE_OFFSET, (byte)(duplicate ? 1 : 0));
        out.putLong(SEQUENCE_OFFSET, sequence, BYTE_ORDER);
        out.putLong(TERM_OFFSET, leadershipTermId, BYTE_ORDER);
        out.putLong(POSITION_OFFSET, logPosition, BYTE_ORDER);
        out.putByte(CATEGORY_OFFSET, (byte)(category == null ? 0 : category.ordinal() + 1));
        int at = FIELD_OFFSET;
        out.putShort(at, (short)fieldBytes.length, BYTE_ORDER);
        out.putBytes(at + 2, fieldBytes);
        at += 2 + fieldBytes.length;
        out.putShort(at, (short)reasonBytes.length, BYTE_ORDER);
        out.putBytes(at + 2, reasonBytes);
        return bytes;
    }

    /** A length fits the layout's u16: longer texts are cut (rejection reasons are one line). */
    private static byte[] cut(final byte[] text)
    {
        return text.length <= MAX_TEXT_BYTES ? text : java.util.Arrays.copyOf(text, MAX_TEXT_BYTES);
    }

    /**
     * @param buffer the body's buffer.
     * @param offset where it starts.
     * @param length its length.
     * @return the outcome.
     * @throws IllegalArgumentException if the bytes are not an outcome.
     */
    public static Outcome decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MIN_LENGTH)
        {
            throw new IllegalArgumentException("outcome: " + length + " bytes, at least " + MIN_LENGTH + " expected");
        }
        final int kindCode = buffer.getByte(offset + KIND_OFFSET) & 0xFF;
        final int categoryCode = buffer.getByte(offset + CATEGORY_OFFSET) & 0xFF;
        if (kindCode >= Kind.values().length || categoryCode > CommandRejectedException.Category.values().length)
        {
            throw new IllegalArgumentException("outcome: unknown kind " + kindCode + " or category " + categoryCode);
        }
        int at = offset + FIELD_OFFSET;
        final int fieldLength = buffer.getShort(at, BYTE_ORDER) & 0xFFFF;
        if (at + 2 + fieldLength + 2 > offset + length)
        {
            throw new IllegalArgumentException("outcome: field longer than the body");
        }
        final String field = buffer.getStringWithoutLengthUtf8(at + 2, fieldLength);
        at += 2 + fieldLength;
        final int reasonLength = buffer.getShort(at, BYTE_ORDER) & 0xFFFF;
        if (at + 2 + reasonLength != offset + length)
        {
            throw new IllegalArgumentException("outcome: reason length does not match the body");
        }
        final String reason = buffer.getStringWithoutLengthUtf8(at + 2, reasonLength);
        return new Outcome(Kind.values()[kindCode], buffer.getByte(offset + DUPLICATE_OFFSET) != 0,
            buffer.getLong(offset + SEQUENCE_OFFSET, BYTE_ORDER), buffer.getLong(offset + TERM_OFFSET, BYTE_ORDER),
            buffer.getLong(offset + POSITION_OFFSET, BYTE_ORDER),
            categoryCode == 0 ? null : CommandRejectedException.Category.values()[categoryCode - 1], field, reason);
    }
}
