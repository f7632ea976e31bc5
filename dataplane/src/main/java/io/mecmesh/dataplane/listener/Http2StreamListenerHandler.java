package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

import static java.util.Objects.requireNonNull;

/**
 * The listener stage of one HTTP/2 stream, after the frame-to-HTTP conversion. The HTTP/2 codec has already
 * enforced the connection's limits (header list size, concurrent streams, reset and control-frame floods); this
 * stage counts requests and responses, splits a request that arrives whole into its head and last part, refuses what the conversion could not make into a valid request (400), and
 * a body over the listener's limit (413, the stream is reset), and removes the conversion's {@code x-http2-*}
 * headers so that they are not forwarded. Forwards everything else unchanged (ownership passes on). One instance
 * per stream, confined to its event loop.
 */
public final class Http2StreamListenerHandler extends ChannelDuplexHandler
{
    private final DataPlaneCounters counters;
    private final long maxRequestBodyBytes;
    private long bodyBytes;
    private boolean rejected;

    public Http2StreamListenerHandler(final ListenerConfig config, final DataPlaneCounters counters)
    {
        this.maxRequestBodyBytes = requireNonNull(config, "config").maxRequestBodyBytes();
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (rejected)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request)
        {
            counters.increment(DataPlaneCounter.REQUESTS);
            final HttpHeaders headers = request.headers();
            for (final HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values())
            {
                headers.remove(name.text());
            }
        }
        if (msg instanceof HttpObject object && object.decoderResult().isFailure())
        {
            reject(ctx, msg, DataPlaneCounter.BAD_REQUESTS, HttpResponseStatus.BAD_REQUEST, "malformed request");
            return;
        }
        if (msg instanceof HttpContent content)
        {
            bodyBytes += content.content().readableBytes();
            if (bodyBytes > maxRequestBodyBytes)
            {
                reject(ctx, msg, DataPlaneCounter.REJECTED_BODY_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body too large");
                return;
            }
        }
        if (msg instanceof FullHttpRequest full)
        {
            // A stream whose headers end it arrives whole: split it into the head and the (empty or trailing)
            // last part that the later stages expect, the content passing on with the last part.
            ctx.fireChannelRead(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                full.headers()));
            ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void reject(final ChannelHandlerContext ctx, final Object msg, final DataPlaneCounter counter,
        final HttpResponseStatus status, final String reason)
    {
        rejected = true;
        counters.increment(counter);
        ReferenceCountUtil.release(msg);
        DirectResponse.send(ctx, status, reason, false);
    }

    /**
     * A stream the conversion could not make into an HTTP request (a mandatory pseudo-header missing, say) is
     * malformed (RFC 9113 §8.1.1): reset it with PROTOCOL_ERROR and count it. Other failures go on.
     */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof DecoderException)
        {
            rejected = true;
            counters.increment(DataPlaneCounter.BAD_REQUESTS);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpResponse response)
        {
            counters.increment(DataPlaneCounter.responseClass(response.status().code()));
        }
        ctx.write(msg, promise);
    }
}
