package io.mecmesh.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * HTTP/1.1 heads and body parts to bytes, shared by the response encoder of {@link Http1ServerCodec} and the
 * request encoder of {@link Http1ClientCodec}. A head is written into one pooled buffer straight from its
 * {@link FlyweightHeaders} (name bytes and value bytes) or, for Netty's own headers, from their entries; a body
 * part's buffer is passed on as it is (a small one is merged into the head's buffer), framed as chunks when the
 * head says {@code Transfer-Encoding: chunked}; a body that must be empty (a response to HEAD, 1xx, 204, 304) is
 * dropped. Takes ownership of every message written (pooled holders go back to their pools here).
 * One instance per connection, confined to its event loop.
 */
abstract class Http1Encoder extends ChannelOutboundHandlerAdapter
{
    /** Body parts up to this size are copied into the head's buffer rather than written separately. */
    static final int MERGE_THRESHOLD = 2048;

    private static final int MODE_NONE = 0;
    private static final int MODE_RAW = 1;
    private static final int MODE_CHUNKED = 2;
    private static final int MODE_EMPTY = 3;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private int mode = MODE_NONE;

    /**
     * Writes the start line (ended by CRLF).
     */
    abstract void encodeStartLine(ByteBuf out, HttpMessage message);

    /**
     * @return whether the body of this message must be empty whatever its headers say.
     */
    abstract boolean bodyAlwaysEmpty(HttpMessage message);

    /**
     * Called once the head is encoded and nothing reads the message any more.
     */
    abstract void afterHead(HttpMessage message);

    @Override
    public final void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpMessage message)
        {
            final HttpHeaders headers = message.headers();
            final ByteBuf head = ctx.alloc().buffer(estimate(headers) + 64);
            try
            {
                encodeStartLine(head, message);
                encodeHeaders(head, headers);
                head.writeByte('\r').writeByte('\n');
                mode = bodyAlwaysEmpty(message) ? MODE_EMPTY
                    : HttpUtil.isTransferEncodingChunked(message) ? MODE_CHUNKED : MODE_RAW;
            }
            catch (final RuntimeException e)
            {
                head.release();
                ReferenceCountUtil.release(msg);
                promise.tryFailure(e);
                return;
            }
            afterHead(message);
            if (msg instanceof HttpContent content)
            {
                writeContent(ctx, content, head, promise);
            }
            else
            {
                ctx.write(head, promise);
            }
            return;
        }
        if (msg instanceof HttpContent content)
        {
            writeContent(ctx, content, null, promise);
            return;
        }
        ctx.write(msg, promise);
    }

    private void writeContent(
        final ChannelHandlerContext ctx, final HttpContent content, final ByteBuf head, final ChannelPromise promise)
    {
        final boolean last = content instanceof LastHttpContent;
        final HttpHeaders trailers = last ? ((LastHttpContent)content).trailingHeaders() : null;
        final ByteBuf data = take(content);
        final int size = data.readableBytes();
        switch (mode)
        {
            case MODE_CHUNKED -> writeChunk(ctx, data, head, last, trailers, promise);
            case MODE_EMPTY ->
            {
                data.release();
                ctx.write(head != null ? head : Unpooled.EMPTY_BUFFER, promise);
            }
            default ->
            {
                if (head == null)
                {
                    ctx.write(data, promise);
                }
                else if (size <= MERGE_THRESHOLD)
                {
                    copy(data, head);
                    data.release();
                    ctx.write(head, promise);
                }
                else
                {
                    ctx.write(head, ctx.voidPromise());
                    ctx.write(data, promise);
                }
            }
        }
        if (last)
        {
            mode = MODE_NONE;
        }
    }

    private void writeChunk(
        final ChannelHandlerContext ctx, final ByteBuf data, final ByteBuf head, final boolean last,
        final HttpHeaders trailers, final ChannelPromise promise)
    {
        final int size = data.readableBytes();
        final ByteBuf prefix = head != null ? head : ctx.alloc().buffer(16 + (size <= MERGE_THRESHOLD ? size : 0)
            + (last ? 8 + estimate(trailers) : 0));
        if (size > 0)
        {
            writeHex(prefix, size);
            prefix.writeByte('\r').writeByte('\n');
        }
        if (size == 0 || size <= MERGE_THRESHOLD)
        {
            copy(data, prefix);
            data.release();
            if (size > 0)
            {
                prefix.writeByte('\r').writeByte('\n');
            }
            if (last)
            {
                writeLastChunk(prefix, trailers);
            }
            ctx.write(prefix, promise);
            return;
        }
        ctx.write(prefix, ctx.voidPromise());
        ctx.write(data, ctx.voidPromise());
        final ByteBuf suffix = ctx.alloc().buffer(8 + (last ? estimate(trailers) + 8 : 0));
        suffix.writeByte('\r').writeByte('\n');
        if (last)
        {
            writeLastChunk(suffix, trailers);
        }
        ctx.write(suffix, promise);
    }

    /**
     * Appends {@code data} to {@code out}. Copies through the source's {@code getBytes} (a memory copy between
     * direct buffers) rather than {@code out.writeBytes(data)}, which for Netty's adaptive buffers goes through a
     * new NIO view of the source.
     */
    private static void copy(final ByteBuf data, final ByteBuf out)
    {
        final int size = data.readableBytes();
        out.ensureWritable(size);
        data.getBytes(data.readerIndex(), out, out.writerIndex(), size);
        out.writerIndex(out.writerIndex() + size);
    }

    private static void writeLastChunk(final ByteBuf out, final HttpHeaders trailers)
    {
        out.writeByte('0').writeByte('\r').writeByte('\n');
        if (trailers != null && !trailers.isEmpty())
        {
            encodeHeaders(out, trailers);
        }
        out.writeByte('\r').writeByte('\n');
    }

    private static void writeHex(final ByteBuf out, final int value)
    {
        int shift = 28;
        while (shift > 0 && (value >>> shift & 0xf) == 0)
        {
            shift -= 4;
        }
        for (; shift >= 0; shift -= 4)
        {
            out.writeByte(HEX[value >>> shift & 0xf]);
        }
    }

    private ByteBuf take(final HttpContent content)
    {
        if (content instanceof PooledContent<?> pooled)
        {
            return pooled.takeContent();
        }
        final ByteBuf data = content.content().retain();
        content.release();
        return data;
    }

    static int estimate(final HttpHeaders headers)
    {
        if (headers instanceof FlyweightHeaders flyweight)
        {
            return flyweight.encodedLengthEstimate();
        }
        return headers == null ? 0 : headers.size() * 64;
    }

    static void encodeHeaders(final ByteBuf out, final HttpHeaders headers)
    {
        if (headers instanceof FlyweightHeaders flyweight)
        {
            flyweight.encode(out);
            return;
        }
        final Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
        while (entries.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> entry = entries.next();
            FlyweightHeaders.writeText(out, entry.getKey());
            out.writeByte(':').writeByte(' ');
            FlyweightHeaders.writeText(out, entry.getValue());
            out.writeByte('\r').writeByte('\n');
        }
    }
}
