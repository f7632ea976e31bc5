package io.mecmesh.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;

/**
 * How a request's body is framed (RFC 9112 §6), or why its head is refused: the one home of the
 * Content-Length / Transfer-Encoding rules, used by the HTTP/1.1 codec (which must frame the body) and by the
 * validate stage (for heads another codec built).
 */
public enum Framing
{
    /** No body. */
    NONE(null),
    /** A body of exactly Content-Length bytes. */
    FIXED(null),
    /** A chunked body. */
    CHUNKED(null),
    /** A Content-Length over the limit given to {@link #check}. */
    TOO_LARGE(null),
    /** Both Content-Length and Transfer-Encoding. */
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING(HeadViolation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING),
    /** Transfer-Encoding other than exactly one {@code chunked}, or on a version other than HTTP/1.1. */
    INVALID_TRANSFER_ENCODING(HeadViolation.INVALID_TRANSFER_ENCODING),
    /** Content-Length repeated or not 1 to 18 digits. */
    INVALID_CONTENT_LENGTH(HeadViolation.INVALID_CONTENT_LENGTH);

    private final HeadViolation violation;

    Framing(final HeadViolation violation)
    {
        this.violation = violation;
    }

    /**
     * @return the head's violation, or {@code null} for a framing (and for {@link #TOO_LARGE}, a limit).
     */
    public HeadViolation violation()
    {
        return violation;
    }

    /**
     * @return whether the body can be read ({@link #NONE}, {@link #FIXED} or {@link #CHUNKED}).
     */
    public boolean isFramed()
    {
        return ordinal() <= CHUNKED.ordinal();
    }

    /**
     * Checks a request head's framing fields and normalizes them: {@code Transfer-Encoding: chunked} in lower case,
     * a Content-Length without leading zeros (allocates only then).
     *
     * @param head         the head.
     * @param maxBodyBytes the largest Content-Length accepted ({@link Long#MAX_VALUE} for none).
     * @return how its body is framed, or why it is refused.
     */
    public static Framing check(final RequestHead head, final long maxBodyBytes)
    {
        final HeaderFields fields = head.headerFields();
        final int transferEncodings = fields.count(HttpHeaderNames.TRANSFER_ENCODING);
        if (transferEncodings > 0)
        {
            if (!HttpVersion.HTTP_1_1.equals(head.version()))
            {
                return INVALID_TRANSFER_ENCODING;
            }
            if (fields.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0) >= 0)
            {
                return CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
            }
            final int index = fields.indexOf(HttpHeaderNames.TRANSFER_ENCODING, 0);
            if (transferEncodings != 1 || !fields.valueEquals(index, HttpHeaderValues.CHUNKED, true))
            {
                return INVALID_TRANSFER_ENCODING;
            }
            if (!fields.valueEquals(index, HttpHeaderValues.CHUNKED, false))
            {
                fields.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            return CHUNKED;
        }
        final long length = fields.contentLength();
        if (length == -1)
        {
            return NONE;
        }
        if (length < 0)
        {
            return INVALID_CONTENT_LENGTH;
        }
        if (length > maxBodyBytes)
        {
            return TOO_LARGE;
        }
        final int index = fields.indexOf(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (fields.valueLength(index) > 1 && fields.valueCharAt(index, 0) == '0')
        {
            fields.headers().set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
        }
        return FIXED;
    }
}
