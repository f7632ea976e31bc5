package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.HeadViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;

/**
 * Bytes to HTTP/1.1 heads and body parts, shared by the request decoder of {@link Http1ServerCodec} and the
 * response decoder of {@link Http1ClientCodec}.
 *
 * <ul>
 *   <li>A head is decoded once it is complete: the decoder scans the bytes for its end (enforcing the start-line
 *   and header-section limits as the bytes arrive, and, when strict, CRLF line ends), then copies the head once
 *   into a pooled message's {@link FlyweightHeaders} and parses it there. Names must be tokens, values free of
 *   control characters, an obs-fold line is joined to the previous value with one space.</li>
 *   <li>Bodies stream as retained slices of the read buffer (never copies) of at most {@code maxChunkSize}
 *   bytes, in pooled {@link Http1Content} / {@link Http1LastContent} holders: by Content-Length, chunked (chunk
 *   extensions checked, trailer fields in the last part), or until the connection closes (responses).</li>
 *   <li>A failure emits one failed message (a head, or a last part with {@link DecoderResult#failure}) carrying an
 *   {@link Http1DecoderException}, after which everything read is discarded.</li>
 * </ul>
 * One instance per connection, confined to its event loop.
 */
abstract class Http1Decoder extends ByteToMessageDecoder
{
    static final int NONE = 0;
    static final int FIXED = 1;
    static final int CHUNKED = 2;
    static final int UNTIL_CLOSE = 3;

    private static final int ST_HEAD = 0;
    private static final int ST_FIXED = 1;
    private static final int ST_CHUNK_SIZE = 2;
    private static final int ST_CHUNK_DATA = 3;
    private static final int ST_CHUNK_END = 4;
    private static final int ST_TRAILERS = 5;
    private static final int ST_UNTIL_CLOSE = 6;
    private static final int ST_BAD = 7;

    private static final int MAX_CHUNK_SIZE_DIGITS = 8;
    private static final boolean[] TCHAR = new boolean[256];

    static
    {
        for (char c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray())
        {
            TCHAR[c] = true;
        }
    }

    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final int maxChunkSize;
    private final boolean strict;
    private final FlyweightHeaders trailerScratch = new FlyweightHeaders(256);

    private int state = ST_HEAD;
    private int scanned;
    private int lineStart;
    private boolean sawStartLine;
    private int sectionBytes;
    private long remaining;
    /** Set by {@link #framing} for {@link #FIXED} bodies. */
    long contentLength;

    /**
     * @param maxInitialLineLength longest start line (and chunk-size line).
     * @param maxHeaderSize        largest header (and trailer) section.
     * @param maxChunkSize         largest body part emitted.
     * @param strict               whether a bare LF fails the message (else it ends a line).
     */
    Http1Decoder(final int maxInitialLineLength, final int maxHeaderSize, final int maxChunkSize, final boolean strict)
    {
        this.maxInitialLineLength = maxInitialLineLength;
        this.maxHeaderSize = maxHeaderSize;
        this.maxChunkSize = maxChunkSize;
        this.strict = strict;
    }

    /**
     * @return an empty head of this decoder's kind, from its pool.
     */
    abstract Object newHead();

    /**
     * Parses the start line of a head copied into its headers' bytes.
     *
     * @return {@code null}, or why the line is invalid.
     */
    abstract Http1DecoderException startLine(Object message, byte[] bytes, int lineEnd);

    /**
     * @return the head's headers, to be filled.
     */
    abstract FlyweightHeaders headersOf(Object message);

    /**
     * Decides how the body of a parsed head is framed.
     *
     * @return {@link #NONE}, {@link #FIXED} (with {@link #contentLength}), {@link #CHUNKED} or
     * {@link #UNTIL_CLOSE}; -1 after {@link #fail}.
     */
    abstract int framing(Object message, List<Object> out);

    /**
     * @return a head of this decoder's kind that failed with {@code cause}.
     */
    abstract Object failedHead(Http1DecoderException cause);

    @Override
    protected final void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        switch (state)
        {
            case ST_HEAD -> decodeHead(in, out);
            case ST_FIXED -> decodeFixed(in, out);
            case ST_CHUNK_SIZE -> decodeChunkSize(in, out);
            case ST_CHUNK_DATA -> decodeChunkData(in, out);
            case ST_CHUNK_END -> decodeChunkEnd(in, out);
            case ST_TRAILERS -> decodeTrailers(in, out);
            case ST_UNTIL_CLOSE -> decodeUntilClose(in, out);
            default -> in.skipBytes(in.readableBytes());
        }
    }

    @Override
    protected final void decodeLast(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        throws Exception
    {
        super.decodeLast(ctx, in, out);
        if (state == ST_UNTIL_CLOSE)
        {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            resetToHead();
        }
    }

    private void decodeHead(final ByteBuf in, final List<Object> out)
    {
        if (scanned == 0)
        {
            skipLeadingLineEnds(in);
            if (!in.isReadable())
            {
                return;
            }
        }
        final int start = in.readerIndex();
        final int end = in.writerIndex();
        final int headEnd = scanSection(in, start, end, true, out);
        if (headEnd == -2)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (headEnd < 0)
        {
            return;
        }
        final int headLength = headEnd - start;
        resetScan();
        final Object message = parseHead(in, start, headLength, out);
        in.skipBytes(headLength);
        if (message == null)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        final int framing = framing(message, out);
        if (framing < 0)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        out.add(message);
        switch (framing)
        {
            case FIXED ->
            {
                if (contentLength == 0)
                {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                }
                else
                {
                    remaining = contentLength;
                    state = ST_FIXED;
                }
            }
            case CHUNKED -> state = ST_CHUNK_SIZE;
            case UNTIL_CLOSE -> state = ST_UNTIL_CLOSE;
            default -> out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private static void skipLeadingLineEnds(final ByteBuf in)
    {
        while (in.isReadable())
        {
            final byte b = in.getByte(in.readerIndex());
            if (b != '\r' && b != '\n')
            {
                return;
            }
            in.skipBytes(1);
        }
    }

    /**
     * Scans the lines of a head (or trailer section) for the empty line that ends it, from where the last call
     * stopped; enforces the limits and line ends as it goes.
     *
     * @return the index just after the empty line; -1 when not complete yet; -2 after {@link #fail}.
     */
    private int scanSection(final ByteBuf in, final int start, final int end, final boolean head,
        final List<Object> out)
    {
        int from = start + scanned;
        while (true)
        {
            final int lf = in.indexOf(from, end, (byte)'\n');
            if (lf < 0)
            {
                final int pending = end - (start + lineStart);
                if (head && !sawStartLine && pending > maxInitialLineLength + 1)
                {
                    return failScan(HeadViolation.LINE_TOO_LONG, "An HTTP line is larger than "
                        + maxInitialLineLength + " bytes.", head, out);
                }
                if ((sawStartLine || !head) && sectionBytes + pending > maxHeaderSize + 1)
                {
                    return failScan(HeadViolation.HEADERS_TOO_LARGE, "HTTP header is larger than " + maxHeaderSize
                        + " bytes.", head, out);
                }
                scanned = end - start;
                return -1;
            }
            final int lineFrom = start + lineStart;
            final boolean cr = lf > lineFrom && in.getByte(lf - 1) == '\r';
            if (!cr && strict)
            {
                return failScan(HeadViolation.BARE_LF, "Line Feed must be preceded by Carriage Return", head, out);
            }
            final int lineLength = lf - lineFrom - (cr ? 1 : 0);
            if (head && !sawStartLine)
            {
                if (lineLength > maxInitialLineLength)
                {
                    return failScan(HeadViolation.LINE_TOO_LONG, "An HTTP line is larger than "
                        + maxInitialLineLength + " bytes.", head, out);
                }
                sawStartLine = true;
            }
            else
            {
                if (lineLength == 0)
                {
                    return lf + 1;
                }
                sectionBytes += lineLength;
                if (sectionBytes > maxHeaderSize)
                {
                    return failScan(HeadViolation.HEADERS_TOO_LARGE, "HTTP header is larger than " + maxHeaderSize
                        + " bytes.", head, out);
                }
            }
            lineStart = lf + 1 - start;
            from = lf + 1;
        }
    }

    private int failScan(final HeadViolation violation, final String message, final boolean head,
        final List<Object> out)
    {
        fail(new Http1DecoderException(head || violation == HeadViolation.BARE_LF ? violation
            : HeadViolation.INVALID_CHUNK, message), out, head);
        return -2;
    }

    private void resetScan()
    {
        scanned = 0;
        lineStart = 0;
        sawStartLine = false;
        sectionBytes = 0;
    }

    private void resetToHead()
    {
        resetScan();
        state = ST_HEAD;
    }

    private Object parseHead(final ByteBuf in, final int start, final int length, final List<Object> out)
    {
        final Object message = newHead();
        final FlyweightHeaders headers = headersOf(message);
        headers.wrap(in, start, length);
        final byte[] bytes = headers.bytes();
        final int lf = indexOf(bytes, 0, length, '\n');
        final int lineEnd = lf > 0 && bytes[lf - 1] == '\r' ? lf - 1 : lf;
        Http1DecoderException failure = startLine(message, bytes, lineEnd);
        if (failure == null)
        {
            failure = parseFields(headers, lf + 1, length);
        }
        if (failure != null)
        {
            recycleFailed(message);
            fail(failure, out, true);
            return null;
        }
        return message;
    }

    /**
     * Gives back a head that failed after it was taken from its pool.
     */
    abstract void recycleFailed(Object message);

    /**
     * Parses the field lines of a section copied into {@code headers}, from {@code pos} to the empty line.
     *
     * @return {@code null}, or why a field is invalid.
     */
    private Http1DecoderException parseFields(final FlyweightHeaders headers, final int from, final int length)
    {
        final byte[] bytes = headers.bytes();
        int pos = from;
        while (pos < length)
        {
            final int lf = indexOf(bytes, pos, length, '\n');
            final int lineEnd = lf > pos && bytes[lf - 1] == '\r' ? lf - 1 : lf;
            if (lineEnd == pos)
            {
                return null;
            }
            final int first = bytes[pos] & 0xff;
            if (first == ' ' || first == '\t')
            {
                final int previousEnd = headers.lastValueEnd();
                if (previousEnd < 0)
                {
                    return new Http1DecoderException(HeadViolation.INVALID_HEADER,
                        "a folded line without a header field before it");
                }
                int s = pos;
                int e = lineEnd;
                while (s < e && isOws(bytes[s]))
                {
                    s++;
                }
                while (e > s && isOws(bytes[e - 1]))
                {
                    e--;
                }
                if (!validValue(bytes, s, e))
                {
                    return new Http1DecoderException(HeadViolation.INVALID_HEADER, "invalid header value");
                }
                if (e > s)
                {
                    final int valueLength = headers.valueLength(headers.lastIndex());
                    bytes[previousEnd] = ' ';
                    System.arraycopy(bytes, s, bytes, previousEnd + 1, e - s);
                    headers.extendLastValue(valueLength + 1 + e - s);
                }
                pos = lf + 1;
                continue;
            }
            int colon = pos;
            while (colon < lineEnd && bytes[colon] != ':')
            {
                if (!TCHAR[bytes[colon] & 0xff])
                {
                    return new Http1DecoderException(HeadViolation.INVALID_HEADER,
                        "a header name can only contain \"token\" characters");
                }
                colon++;
            }
            if (colon == lineEnd || colon == pos)
            {
                return new Http1DecoderException(HeadViolation.INVALID_HEADER, "No colon found, or empty name");
            }
            int s = colon + 1;
            int e = lineEnd;
            while (s < e && isOws(bytes[s]))
            {
                s++;
            }
            while (e > s && isOws(bytes[e - 1]))
            {
                e--;
            }
            if (!validValue(bytes, s, e))
            {
                return new Http1DecoderException(HeadViolation.INVALID_HEADER, "invalid header value");
            }
            headers.addBytes(pos, colon - pos, s, e - s);
            pos = lf + 1;
        }
        return null;
    }

    private static boolean validValue(final byte[] bytes, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final int c = bytes[i] & 0xff;
            if (c < 0x20 && c != '\t' || c == 0x7f)
            {
                return false;
            }
        }
        return true;
    }

    static boolean isToken(final byte[] bytes, final int from, final int to)
    {
        if (from >= to)
        {
            return false;
        }
        for (int i = from; i < to; i++)
        {
            if (!TCHAR[bytes[i] & 0xff])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isOws(final byte b)
    {
        return b == ' ' || b == '\t';
    }

    static int indexOf(final byte[] bytes, final int from, final int to, final char c)
    {
        for (int i = from; i < to; i++)
        {
            if (bytes[i] == c)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Parses {@code HTTP/x.y}.
     *
     * @return the version (a constant for 1.0 and 1.1), or {@code null} when it is not one.
     */
    static HttpVersion version(final byte[] bytes, final int from, final int to)
    {
        if (to - from != 8 || bytes[from] != 'H' || bytes[from + 1] != 'T' || bytes[from + 2] != 'T'
            || bytes[from + 3] != 'P' || bytes[from + 4] != '/' || bytes[from + 6] != '.')
        {
            return null;
        }
        final int major = bytes[from + 5] - '0';
        final int minor = bytes[from + 7] - '0';
        if (major < 0 || major > 9 || minor < 0 || minor > 9)
        {
            return null;
        }
        if (major == 1)
        {
            if (minor == 1)
            {
                return HttpVersion.HTTP_1_1;
            }
            if (minor == 0)
            {
                return HttpVersion.HTTP_1_0;
            }
        }
        return new HttpVersion("HTTP", major, minor, true);
    }

    /** After a head that {@link #framing} refused: everything read from here on is discarded. */
    final void failed()
    {
        state = ST_BAD;
    }

    /**
     * Emits the failure as a failed message and discards everything after it.
     *
     * @param inHead whether the failure is in a head (else in a body part).
     */
    final void fail(final Http1DecoderException cause, final List<Object> out, final boolean inHead)
    {
        state = ST_BAD;
        if (inHead)
        {
            out.add(failedHead(cause));
        }
        else
        {
            final LastHttpContent failed = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            failed.setDecoderResult(DecoderResult.failure(cause));
            out.add(failed);
        }
    }

    private void decodeFixed(final ByteBuf in, final List<Object> out)
    {
        final int count = (int)Math.min(Math.min(remaining, in.readableBytes()), maxChunkSize);
        if (count == 0)
        {
            return;
        }
        final ByteBuf slice = in.readRetainedSlice(count);
        remaining -= count;
        if (remaining == 0)
        {
            out.add(Http1LastContent.newInstance(slice));
            resetToHead();
        }
        else
        {
            out.add(Http1Content.newInstance(slice));
        }
    }

    private void decodeUntilClose(final ByteBuf in, final List<Object> out)
    {
        final int count = Math.min(in.readableBytes(), maxChunkSize);
        if (count > 0)
        {
            out.add(Http1Content.newInstance(in.readRetainedSlice(count)));
        }
    }

    private void decodeChunkSize(final ByteBuf in, final List<Object> out)
    {
        final int start = in.readerIndex();
        final int lf = in.indexOf(start, in.writerIndex(), (byte)'\n');
        if (lf < 0)
        {
            if (in.readableBytes() > maxInitialLineLength)
            {
                fail(new Http1DecoderException(HeadViolation.INVALID_CHUNK, "chunk-size line too long"), out, false);
                in.skipBytes(in.readableBytes());
            }
            return;
        }
        final boolean cr = lf > start && in.getByte(lf - 1) == '\r';
        if (!cr && strict)
        {
            failBody(HeadViolation.BARE_LF, "Line Feed must be preceded by Carriage Return", in, out);
            return;
        }
        final int lineEnd = cr ? lf - 1 : lf;
        long size = 0;
        int i = start;
        while (i < lineEnd)
        {
            final int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0)
            {
                break;
            }
            size = size * 16 + digit;
            i++;
        }
        final int digits = i - start;
        if (digits == 0 || digits > MAX_CHUNK_SIZE_DIGITS || size > Integer.MAX_VALUE)
        {
            failBody(HeadViolation.INVALID_CHUNK, "invalid chunk size", in, out);
            return;
        }
        while (i < lineEnd && isOws(in.getByte(i)))
        {
            i++;
        }
        if (i < lineEnd || i > start + digits)
        {
            // RFC 9112 §7.1.1: whitespace after the size only before a chunk extension (BWS ";"), never before CRLF
            if (i == lineEnd || in.getByte(i) != ';')
            {
                failBody(HeadViolation.INVALID_CHUNK, "invalid chunk size", in, out);
                return;
            }
            for (int j = i + 1; j < lineEnd; j++)
            {
                final int c = in.getByte(j) & 0xff;
                if (c < 0x20 && c != '\t' || c == 0x7f)
                {
                    failBody(HeadViolation.INVALID_CHUNK, "invalid chunk extension", in, out);
                    return;
                }
            }
        }
        in.readerIndex(lf + 1);
        if (size == 0)
        {
            state = ST_TRAILERS;
            resetScan();
        }
        else
        {
            remaining = size;
            state = ST_CHUNK_DATA;
        }
    }

    private void decodeChunkData(final ByteBuf in, final List<Object> out)
    {
        final int count = (int)Math.min(Math.min(remaining, in.readableBytes()), maxChunkSize);
        if (count == 0)
        {
            return;
        }
        out.add(Http1Content.newInstance(in.readRetainedSlice(count)));
        remaining -= count;
        if (remaining == 0)
        {
            state = ST_CHUNK_END;
        }
    }

    private void decodeChunkEnd(final ByteBuf in, final List<Object> out)
    {
        final int start = in.readerIndex();
        final byte first = in.getByte(start);
        if (first == '\n')
        {
            failBody(strict ? HeadViolation.BARE_LF : HeadViolation.INVALID_CHUNK, "chunk not ended by CRLF", in,
                out);
            return;
        }
        if (first != '\r')
        {
            failBody(HeadViolation.INVALID_CHUNK, "chunk data longer than its size", in, out);
            return;
        }
        if (in.readableBytes() < 2)
        {
            return;
        }
        if (in.getByte(start + 1) != '\n')
        {
            failBody(HeadViolation.INVALID_CHUNK, "chunk not ended by CRLF", in, out);
            return;
        }
        in.skipBytes(2);
        state = ST_CHUNK_SIZE;
    }

    private void decodeTrailers(final ByteBuf in, final List<Object> out)
    {
        final int start = in.readerIndex();
        if (scanned == 0 && in.readableBytes() >= 2 && in.getByte(start) == '\r' && in.getByte(start + 1) == '\n')
        {
            in.skipBytes(2);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            resetToHead();
            return;
        }
        final int end = scanSection(in, start, in.writerIndex(), false, out);
        if (end == -2)
        {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (end < 0)
        {
            return;
        }
        final int length = end - start;
        trailerScratch.wrap(in, start, length);
        in.skipBytes(length);
        final Http1DecoderException failure = parseFields(trailerScratch, 0, length);
        if (failure != null)
        {
            fail(new Http1DecoderException(HeadViolation.INVALID_CHUNK, failure.getMessage()), out, false);
            in.skipBytes(in.readableBytes());
            return;
        }
        final HttpHeaders trailers = new DefaultHttpHeaders();
        for (int i = 0; i <= trailerScratch.lastIndex(); i++)
        {
            final String name = trailerScratch.nameString(i);
            if (!HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                && !HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name))
            {
                trailers.add(name, trailerScratch.valueString(i));
            }
        }
        trailerScratch.clear();
        out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
        resetToHead();
    }

    private void failBody(final HeadViolation violation, final String message, final ByteBuf in,
        final List<Object> out)
    {
        fail(new Http1DecoderException(violation, message), out, false);
        in.skipBytes(in.readableBytes());
    }
}
