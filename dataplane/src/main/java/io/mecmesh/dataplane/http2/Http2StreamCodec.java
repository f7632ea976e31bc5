package io.mecmesh.dataplane.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.util.Iterator;
import java.util.Map;

/**
 * An HTTP/2 stream's frames ⇄ the HTTP messages the stages read and write, in one step each way (in place of
 * Netty's {@code Http2StreamFrameToHttpObjectCodec}, which builds a full HTTP/1 request with {@code x-http2-*}
 * fields that the listener then removed and split again).
 *
 * <p>Inbound: the first HEADERS frame becomes an {@link Http2Request} (its fields translated once: pseudo-header
 * fields dropped but {@code :authority} as Host, cookie fields joined with "; " as RFC 9113 §8.2.3 asks; a request
 * with a body and no Content-Length marked chunked for its HTTP/1.1 upstream), followed by
 * {@link LastHttpContent#EMPTY_LAST_CONTENT} when it ends the stream; a DATA frame's content passes on as the
 * {@link HttpContent} (the last when it ends the stream) without a copy, ownership with it; a later HEADERS frame
 * ending the stream is the trailers' {@link LastHttpContent}; one that does not end it is malformed (a
 * {@link DecoderException}: the listener resets the stream). Other frames pass on unchanged.
 *
 * <p>Outbound: an {@link HttpMessage} becomes a HEADERS frame ({@link HttpConversionUtil#toHttp2Headers}: status,
 * connection-specific fields dropped, names in lower case), an {@link HttpContent} a DATA frame over its content,
 * the last part's trailers a HEADERS frame ending the stream (else the DATA frame ends it, an empty one when the
 * last part is). The message's content moves to the frame (the message holder itself is released); a write that
 * becomes two frames writes the first with the void promise and completes the caller's promise with the second.
 * One instance per stream, confined to its event loop.
 */
public final class Http2StreamCodec extends ChannelDuplexHandler
{
    /** The codec has validated the HPACK-decoded fields; the translated ones need no second validation. */
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.HEAD, HttpMethod.OPTIONS,
        HttpMethod.PATCH, HttpMethod.CONNECT, HttpMethod.TRACE,
    };

    private boolean headSeen;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof Http2HeadersFrame frame)
        {
            onHeaders(ctx, frame);
            return;
        }
        if (msg instanceof Http2DataFrame data)
        {
            final ByteBuf content = data.content();
            ctx.fireChannelRead(data.isEndStream() ? new DefaultLastHttpContent(content, TRAILERS)
                : new DefaultHttpContent(content));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void onHeaders(final ChannelHandlerContext ctx, final Http2HeadersFrame frame)
    {
        final Http2Headers fields = frame.headers();
        if (!headSeen)
        {
            headSeen = true;
            final Http2Request request = request(fields, frame.isEndStream());
            if (request == null)
            {
                ctx.fireExceptionCaught(new DecoderException("request head without :method or request-target"));
                return;
            }
            ctx.fireChannelRead(request);
            if (frame.isEndStream())
            {
                ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            return;
        }
        if (!frame.isEndStream())
        {
            ctx.fireExceptionCaught(new DecoderException("HEADERS frame after the request head that does not end "
                + "the stream"));
            return;
        }
        final LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
        translate(fields, trailers.trailingHeaders(), false);
        ctx.fireChannelRead(trailers);
    }

    /**
     * @param fields    the request's HPACK-decoded fields.
     * @param endStream whether they end the stream (no body).
     * @return the request, or {@code null} when it has no method or request-target.
     */
    static Http2Request request(final Http2Headers fields, final boolean endStream)
    {
        final CharSequence methodName = fields.method();
        if (methodName == null)
        {
            return null;
        }
        final HttpMethod method = method(methodName);
        final CharSequence target = HttpMethod.CONNECT.equals(method) ? fields.authority() : fields.path();
        if (target == null || target.length() == 0)
        {
            return null;
        }
        final HttpHeaders headers = HEADERS.newHeaders();
        translate(fields, headers, true);
        if (!endStream && !headers.contains(HttpHeaderNames.CONTENT_LENGTH))
        {
            // The body's length is unknown to the HTTP/1.1 upstream: it goes chunked.
            headers.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return new Http2Request(method, target, headers);
    }

    private static HttpMethod method(final CharSequence name)
    {
        for (final HttpMethod method : METHODS)
        {
            if (method.asciiName().contentEquals(name))
            {
                return method;
            }
        }
        return HttpMethod.valueOf(name.toString());
    }

    private static void translate(final Http2Headers fields, final HttpHeaders out, final boolean request)
    {
        CharSequence cookie = null;
        StringBuilder cookies = null;
        final Iterator<Map.Entry<CharSequence, CharSequence>> entries = fields.iterator();
        while (entries.hasNext())
        {
            final Map.Entry<CharSequence, CharSequence> entry = entries.next();
            final CharSequence name = entry.getKey();
            final CharSequence value = entry.getValue();
            if (Http2Headers.PseudoHeaderName.hasPseudoHeaderFormat(name))
            {
                if (request && Http2Headers.PseudoHeaderName.AUTHORITY.value().contentEquals(name))
                {
                    out.add(HttpHeaderNames.HOST, value);
                }
                continue;
            }
            if (AsciiString.contentEqualsIgnoreCase(HttpHeaderNames.COOKIE, name))
            {
                if (cookie == null)
                {
                    cookie = value;
                }
                else
                {
                    cookies = (cookies == null ? new StringBuilder(cookie) : cookies).append("; ").append(value);
                }
                continue;
            }
            out.add(name, value);
        }
        if (cookie != null)
        {
            out.add(HttpHeaderNames.COOKIE, cookies == null ? cookie : cookies.toString());
        }
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (!(msg instanceof HttpMessage) && !(msg instanceof HttpContent))
        {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpMessage message)
        {
            final Http2Headers headers;
            try
            {
                headers = HttpConversionUtil.toHttp2Headers(message, true);
            }
            catch (final RuntimeException e)
            {
                ReferenceCountUtil.release(msg);
                throw e;
            }
            if (!(msg instanceof HttpContent))
            {
                ctx.write(new DefaultHttp2HeadersFrame(headers, false), promise);
                return;
            }
            final boolean headOnly = msg instanceof FullHttpMessage full && !full.content().isReadable()
                && full.trailingHeaders().isEmpty();
            if (headOnly)
            {
                ReferenceCountUtil.release(msg);
                ctx.write(new DefaultHttp2HeadersFrame(headers, true), promise);
                return;
            }
            ctx.write(new DefaultHttp2HeadersFrame(headers, false), ctx.voidPromise());
        }
        final HttpContent content = (HttpContent)msg;
        final HttpHeaders trailers = msg instanceof LastHttpContent last ? last.trailingHeaders() : null;
        final Http2Headers trailerFields = trailers == null || trailers.isEmpty() ? null
            : HttpConversionUtil.toHttp2Headers(trailers, true);
        final ByteBuf bytes = content.content().retain();
        content.release();
        if (trailers == null)
        {
            ctx.write(new DefaultHttp2DataFrame(bytes, false), promise);
            return;
        }
        if (trailerFields == null)
        {
            ctx.write(new DefaultHttp2DataFrame(bytes, true), promise);
            return;
        }
        if (bytes.isReadable())
        {
            ctx.write(new DefaultHttp2DataFrame(bytes, false), ctx.voidPromise());
        }
        else
        {
            bytes.release();
        }
        ctx.write(new DefaultHttp2HeadersFrame(trailerFields, true), promise);
    }
}
