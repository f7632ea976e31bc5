package io.mecmesh.perf.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import static java.util.Objects.requireNonNull;

/**
 * The one request a run sends, over and over: a GET, or a POST of {@code bodySize} bytes. Owns the body buffer: each
 * request gets a {@code retainedDuplicate} that the encoder releases, and {@link #release()} drops the template's own
 * reference when the run ends. Confined to one event loop (one template per {@link LoadAgent}).
 */
final class RequestTemplate
{
    private static final AsciiString USER_AGENT = AsciiString.cached("mecmesh-loadgen");
    private static final byte BODY_BYTE = 'x';

    private final TargetUrl target;
    private final String scheme;
    private final HttpMethod method;
    private final ByteBuf body;
    private final HttpHeaders http1Headers;

    RequestTemplate(final TargetUrl target, final boolean tls, final int bodySize, final ByteBufAllocator allocator)
    {
        this.target = requireNonNull(target, "target");
        this.scheme = tls ? "https" : "http";
        this.method = bodySize > 0 ? HttpMethod.POST : HttpMethod.GET;
        if (bodySize > 0)
        {
            final ByteBuf buffer = allocator.directBuffer(bodySize, bodySize);
            buffer.writerIndex(0);
            for (int i = 0; i < bodySize; i++)
            {
                buffer.writeByte(BODY_BYTE);
            }
            this.body = buffer;
        }
        else
        {
            this.body = Unpooled.EMPTY_BUFFER;
        }
        this.http1Headers = new DefaultHttpHeaders()
            .set(HttpHeaderNames.HOST, target.authority())
            .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
            .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_OCTET_STREAM + ", */*")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, bodySize);
        if (bodySize > 0)
        {
            http1Headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        }
    }

    /**
     * @return a new HTTP/1.1 request whose content is a retained duplicate of the body; the caller writes it (the
     *         encoder releases it). The headers are shared between requests and never modified.
     */
    FullHttpRequest newHttp1Request()
    {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, target.path(), body.retainedDuplicate(),
            http1Headers, EmptyHttpHeaders.INSTANCE);
    }

    /**
     * @return new HTTP/2 request headers; the caller writes them in a HEADERS frame.
     */
    Http2Headers newHttp2Headers()
    {
        final Http2Headers headers = new DefaultHttp2Headers()
            .method(method.asciiName())
            .scheme(scheme)
            .authority(target.authority())
            .path(target.path())
            .set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        if (hasBody())
        {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        }
        return headers;
    }

    /**
     * @return true when requests carry a body (POST).
     */
    boolean hasBody()
    {
        return body.isReadable();
    }

    /**
     * @return a retained duplicate of the body; the caller writes or releases it.
     */
    ByteBuf retainedBody()
    {
        return body.retainedDuplicate();
    }

    /**
     * Releases the template's reference to the body; requests still being written hold their own.
     */
    void release()
    {
        body.release();
    }
}
