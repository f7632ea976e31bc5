package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
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
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The listener stage of one HTTP/2 stream, after its frames became HTTP messages ({@code Http2StreamCodec}). The
 * HTTP/2 codec has already enforced the connection's limits (header list size, concurrent streams, reset and
 * control-frame floods); this stage counts requests and responses, refuses what could not be made into a valid
 * request (400, or RST_STREAM PROTOCOL_ERROR for a malformed stream), and a body over the listener's limit (413,
 * the stream is reset), and removes any {@code x-http2-*} header a client sent so that none is forwarded. Forwards
 * everything else unchanged (ownership passes on).
 *
 * <p>Body timeout: while the request body is open, a part must arrive at least every
 * {@link ListenerConfig#requestBodyTimeoutMs()} (unless 0); else the stream is answered 408 when no response
 * started, and closed (RST_STREAM CANCEL when the client's side is still open). One timer task per stream,
 * re-armed when it fires, not per part. One instance per stream, confined to its event loop.
 */
public final class Http2StreamListenerHandler extends ChannelDuplexHandler
{
    /** {@code values()} copies its array at every call. */
    private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSION_HEADERS =
        HttpConversionUtil.ExtensionHeaderNames.values();

    private final DataPlaneCounters counters;
    private final long maxRequestBodyBytes;
    private final long requestBodyTimeoutNs;
    private long bodyBytes;
    private boolean rejected;
    private boolean bodyOpen;
    private boolean timedOut;
    private boolean responseStarted;
    private long lastBodyProgressNs;
    private ScheduledFuture<?> bodyTimer;

    public Http2StreamListenerHandler(final ListenerConfig config, final DataPlaneCounters counters)
    {
        this.maxRequestBodyBytes = requireNonNull(config, "config").maxRequestBodyBytes();
        this.requestBodyTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.requestBodyTimeoutMs());
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        bodyOpen = false;
        if (bodyTimer != null)
        {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
        ctx.fireChannelInactive();
    }

    private void onBodyProgress(final ChannelHandlerContext ctx, final boolean last)
    {
        bodyOpen = !last;
        if (bodyOpen && requestBodyTimeoutNs > 0)
        {
            lastBodyProgressNs = ctx.executor().ticker().nanoTime();
            if (bodyTimer == null)
            {
                scheduleBodyTimer(ctx, requestBodyTimeoutNs);
            }
        }
    }

    private void scheduleBodyTimer(final ChannelHandlerContext ctx, final long delayNs)
    {
        bodyTimer = ctx.executor().schedule(() -> onBodyTimer(ctx), delayNs, TimeUnit.NANOSECONDS);
    }

    private void onBodyTimer(final ChannelHandlerContext ctx)
    {
        bodyTimer = null;
        if (!bodyOpen || rejected || !ctx.channel().isActive())
        {
            return;
        }
        final long remainingNs = requestBodyTimeoutNs - (ctx.executor().ticker().nanoTime() - lastBodyProgressNs);
        if (remainingNs > 0)
        {
            scheduleBodyTimer(ctx, remainingNs);
            return;
        }
        rejected = true;
        timedOut = true;
        bodyOpen = false;
        counters.increment(DataPlaneCounter.REQUEST_BODY_TIMEOUTS);
        if (responseStarted)
        {
            ctx.close();
            return;
        }
        counters.increment(DataPlaneCounter.RESPONSES_4XX);
        DirectResponse.send(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "request refused: request body not received "
            + "in time", false);
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
            // Netty's conversion names (x-http2-stream-id, ...): a client's own are never forwarded either.
            final HttpHeaders headers = request.headers();
            for (final HttpConversionUtil.ExtensionHeaderNames name : EXTENSION_HEADERS)
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
        if (msg instanceof HttpRequest || msg instanceof HttpContent)
        {
            onBodyProgress(ctx, msg instanceof LastHttpContent);
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
        if (timedOut && msg instanceof HttpObject)
        {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        if (msg instanceof HttpResponse response)
        {
            responseStarted |= response.status().code() >= 200;
            counters.increment(DataPlaneCounter.responseClass(response.status().code()));
        }
        ctx.write(msg, promise);
    }
}
