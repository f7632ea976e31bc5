package io.mecmesh.perf.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.mecmesh.dataplane.http1.FlyweightHeaders;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * The messages the benchmarks send: a GET as a load generator or a workload sends it, and a 1 KiB response.
 * Buffers are allocated per state object (never static) and released by the state's tear-down.
 */
final class BenchMessages
{
    /** 1 KiB, the body size of the side-by-side comparison's main cells. */
    static final int BODY_BYTES = 1024;

    /** A keep-alive GET with the headers a typical HTTP/1.1 client sends (about 250 bytes). */
    static final String REQUEST = "GET /api/v1/orders/4711 HTTP/1.1\r\n"
        + "Host: svc-3.edge-1.mec.example:15001\r\n"
        + "User-Agent: mecmesh-loadgen/0.1\r\n"
        + "Accept: application/json\r\n"
        + "Accept-Encoding: gzip, deflate\r\n"
        + "Connection: keep-alive\r\n"
        + "X-Request-Id: 6f1c2a9e-55a1-4a0e-9d43-1b2c3d4e5f60\r\n"
        + "\r\n";

    private final ByteBufAllocator allocator;

    /**
     * @param allocator where {@link #requestBytes} and {@link #body} allocate.
     */
    BenchMessages(final ByteBufAllocator allocator)
    {
        this.allocator = allocator;
    }

    /**
     * @return the request's bytes in a new direct buffer (the caller releases it).
     */
    ByteBuf requestBytes()
    {
        final byte[] bytes = REQUEST.getBytes(StandardCharsets.US_ASCII);
        return allocator.directBuffer(bytes.length).writeBytes(bytes);
    }

    /**
     * @return a 1 KiB body in a new direct buffer (the caller releases it).
     */
    ByteBuf body()
    {
        final ByteBuf body = allocator.directBuffer(BODY_BYTES);
        for (int i = 0; i < BODY_BYTES; i++)
        {
            body.writeByte('a' + i % 26);
        }
        return body;
    }

    /**
     * @param body the body, owned by the response from here on.
     * @return a 200 response with the headers nginx sends for a static 1 KiB object.
     */
    static FullHttpResponse response(final ByteBuf body)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
            .set(HttpHeaderNames.SERVER, "nginx")
            .set(HttpHeaderNames.DATE, "Thu, 26 Nov 2026 08:00:00 GMT")
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
            .set(HttpHeaderNames.LAST_MODIFIED, "Thu, 26 Nov 2026 07:00:00 GMT")
            .set(HttpHeaderNames.ETAG, "\"6925b4f0-400\"")
            .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        return response;
    }

    /**
     * @return the head of {@link #response} (a 1 KiB body), built once: its headers are
     * {@code AsciiString}s in a {@link FlyweightHeaders}, so encoding it allocates nothing.
     */
    static HttpResponse responseHead()
    {
        final FlyweightHeaders headers = new FlyweightHeaders();
        headers
            .set(HttpHeaderNames.SERVER, AsciiString.cached("nginx"))
            .set(HttpHeaderNames.DATE, AsciiString.cached("Thu, 26 Nov 2026 08:00:00 GMT"))
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
            .set(HttpHeaderNames.CONTENT_LENGTH, AsciiString.cached(Integer.toString(BODY_BYTES)))
            .set(HttpHeaderNames.LAST_MODIFIED, AsciiString.cached("Thu, 26 Nov 2026 07:00:00 GMT"))
            .set(HttpHeaderNames.ETAG, AsciiString.cached("\"6925b4f0-400\""))
            .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers);
    }

    /**
     * Writes bytes into a channel as one read (one read cycle), without {@code writeInbound}'s varargs array.
     *
     * @param channel the channel.
     * @param bytes   the bytes, owned by the channel from here on.
     */
    static void readInbound(final EmbeddedChannel channel, final ByteBuf bytes)
    {
        channel.writeOneInbound(bytes, channel.voidPromise());
        channel.flushInbound();
    }

    /**
     * Reads and releases everything a channel wrote, checking that it is bytes.
     *
     * @param channel the channel.
     * @return bytes drained.
     */
    static int drainOutbound(final EmbeddedChannel channel)
    {
        int bytes = 0;
        Object msg;
        while ((msg = channel.readOutbound()) != null)
        {
            final ByteBuf buf = (ByteBuf)msg;
            bytes += buf.readableBytes();
            buf.release();
        }
        return bytes;
    }

    /**
     * @param buf bytes.
     * @return their first line, for sanity checks at set-up.
     */
    static String firstLine(final ByteBuf buf)
    {
        final String text = buf.toString(StandardCharsets.US_ASCII);
        final int end = text.indexOf('\r');
        return end < 0 ? text : text.substring(0, end);
    }
}
