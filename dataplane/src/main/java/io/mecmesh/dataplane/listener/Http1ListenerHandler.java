package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The listener stage, right after the HTTP/1.1 codec (and its flow-control handler): the gate between what a
 * client sent and what the proxy forwards. It refuses what could be read two ways (request smuggling), enforces the
 * listener's limits and timeouts, normalizes the heads it passes, and counts every outcome.
 *
 * <ul>
 *   <li>Inbound heads: a head the codec failed to decode, or that {@link RequestHeadValidator} refuses, is released
 *   and answered here ({@link Rejection}: 400, 413, 414, 431, 501 or 505) with {@code Connection: close}; nothing
 *   after it on the connection is read. An accepted head is normalized in place and forwarded (ownership passes
 *   on).</li>
 *   <li>Inbound body parts: forwarded unchanged while the body stays within
 *   {@link ListenerConfig#maxRequestBodyBytes()}. A part the codec failed to decode (a malformed chunk or trailer),
 *   or that takes the body over the limit, is released and the connection closed, after a 400 or 413 when no
 *   response to the request has started yet: the head and earlier parts may already be upstream, and the stage
 *   that forwarded them closes its upstream connection when this one closes.</li>
 *   <li>Outbound: counts response heads by class; puts {@code Connection: close} on the response to the last
 *   request a connection may carry ({@link ListenerConfig#maxRequestsPerConnection()}) and closes after it; once
 *   this stage has answered a request itself, releases whatever a later stage still writes. Everything else is
 *   forwarded unchanged.</li>
 *   <li>Timeouts, on the channel's event loop: a connection waiting for a request with no byte of it received is
 *   closed after {@link ListenerConfig#idleTimeoutMs()}; a head whose first byte arrived (reported by the
 *   {@link ConnectionGuard}) must be complete within {@link ListenerConfig#requestHeaderTimeoutMs()}, else 408
 *   and close; a request body must make progress (a byte) at least every
 *   {@link ListenerConfig#requestBodyTimeoutMs()} (unless 0), else 408 and close, or only the close when a response
 *   already started (a route that answered without reading the body). One timer task per connection, re-armed
 *   when it fires rather than per request. Bytes of a
 *   pipelined head that arrived during the previous exchange are not seen as a started head: such a head, if it
 *   never completes, is closed as idle rather than answered 408.</li>
 *   <li>Pooled request heads ({@code Http1Request}, from {@code Http1ServerCodec}): this stage is the one place
 *   that gives them back to their pool. A head must stay valid for its whole exchange (the upstream stage sends it
 *   again on a retry), so it is recycled only when the next request head arrives after the response to it was
 *   complete, or at once when this stage refuses it; a head whose exchange did not complete, or the last head of
 *   a connection, is left to the garbage collector (a missed recycle costs garbage; a recycle too early would
 *   corrupt a head in use).</li>
 *   <li>Read demand: the connection reads on demand ({@code AUTO_READ} off) through the flow-control handler
 *   before this one, which forgets a {@code read()} that a read cycle ended without satisfying. This stage
 *   remembers that a later stage asked for a message and asks again when a read cycle completes without one,
 *   so a request that arrives in a later packet is never left unread.</li>
 * </ul>
 * One instance per connection, confined to its event loop.
 */
public final class Http1ListenerHandler extends ChannelDuplexHandler
{
    private static final int WAITING_IDLE = 0;
    private static final int WAITING_HEAD = 1;
    private static final int EXCHANGE = 2;

    private final DataPlaneCounters counters;
    private final int maxHeaderCount;
    private final long maxRequestBodyBytes;
    private final int maxRequestsPerConnection;
    private final long idleTimeoutNs;
    private final long requestHeaderTimeoutNs;
    private final long requestBodyTimeoutNs;
    private final long timerTickNs;
    private final Runnable onTimer = this::onTimer;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private int phase = WAITING_IDLE;
    private long phaseStartNs;
    private boolean closing;
    private boolean readWanted;
    private int requestCount;
    private boolean requestInProgress;
    private boolean finalResponseStarted;
    private boolean responseComplete = true;
    private boolean informational;
    private boolean closeAfterResponse;
    private long bodyBytes;
    private RequestHead previousHead;
    /** Views heads that are not the codec's (from Netty's codec in tests); never pooled. */
    private final NettyRequestHead nettyHead = new NettyRequestHead();
    private final TextFlyweight hostView = new TextFlyweight();
    private final TextFlyweight targetView = new TextFlyweight();

    /**
     * @param config   the listener's limits.
     * @param counters where outcomes are counted.
     */
    public Http1ListenerHandler(final ListenerConfig config, final DataPlaneCounters counters)
    {
        requireNonNull(config, "config");
        this.counters = requireNonNull(counters, "counters");
        this.maxHeaderCount = config.maxHeaderCount();
        this.maxRequestBodyBytes = config.maxRequestBodyBytes();
        this.maxRequestsPerConnection = config.maxRequestsPerConnection();
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        this.requestHeaderTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.requestHeaderTimeoutMs());
        this.requestBodyTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.requestBodyTimeoutMs());
        this.timerTickNs = requestBodyTimeoutNs == 0
            ? Math.min(idleTimeoutNs, requestHeaderTimeoutNs)
            : Math.min(Math.min(idleTimeoutNs, requestHeaderTimeoutNs), requestBodyTimeoutNs);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        enterWaiting(WAITING_IDLE);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void read(final ChannelHandlerContext ctx)
    {
        readWanted = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.fireChannelReadComplete();
        if (readWanted && !closing)
        {
            ctx.read();
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        readWanted = false;
        if (closing)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest)
        {
            onRequestHead(ctx, (HttpRequest)msg);
        }
        else if (msg instanceof HttpContent)
        {
            onRequestContent(ctx, (HttpContent)msg);
        }
        else
        {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Called by the {@link ConnectionGuard} before the codec sees the bytes of a read: a request head has started
     * when the connection was waiting for one.
     */
    public void onBytesReceived()
    {
        if (phase == WAITING_IDLE && ctx != null)
        {
            phase = WAITING_HEAD;
            phaseStartNs = nanoTime();
        }
    }

    private void onRequestHead(final ChannelHandlerContext ctx, final HttpRequest request)
    {
        recyclePreviousHead();
        counters.increment(DataPlaneCounter.REQUESTS);
        phase = EXCHANGE;
        finalResponseStarted = false;
        responseComplete = false;
        informational = false;
        bodyBytes = 0;
        final DecoderResult result = request.decoderResult();
        final Rejection rejection = result.isFailure()
            ? Rejection.ofDecoderFailure(result.cause(), true)
            : RequestHeadValidator.check(request, maxHeaderCount, maxRequestBodyBytes, hostView, targetView,
                nettyHead);
        final RequestHead head = RequestHead.of(request, nettyHead);
        if (rejection != null)
        {
            ReferenceCountUtil.release(request);
            head.recycle();
            reject(ctx, rejection);
            return;
        }
        previousHead = head;
        requestCount++;
        if (maxRequestsPerConnection > 0 && requestCount >= maxRequestsPerConnection)
        {
            closeAfterResponse = true;
            RequestHeadValidator.requestClose(request.headers());
        }
        final boolean last = request instanceof LastHttpContent;
        requestInProgress = !last;
        if (!last)
        {
            onBodyProgress();
        }
        ctx.fireChannelRead(request);
        if (last)
        {
            onExchangeMaybeComplete();
        }
    }

    /**
     * Gives the previous request head back to its pool when its exchange is over: the response to it complete (so
     * no stage can send it again) and its body read.
     */
    private void recyclePreviousHead()
    {
        final RequestHead head = previousHead;
        previousHead = null;
        if (head != null && responseComplete && !requestInProgress)
        {
            head.recycle();
        }
    }

    private void onRequestContent(final ChannelHandlerContext ctx, final HttpContent content)
    {
        final DecoderResult result = content.decoderResult();
        if (result.isFailure())
        {
            content.release();
            reject(ctx, Rejection.ofDecoderFailure(result.cause(), false));
            return;
        }
        bodyBytes += content.content().readableBytes();
        if (bodyBytes > maxRequestBodyBytes)
        {
            content.release();
            reject(ctx, Rejection.BODY_TOO_LARGE);
            return;
        }
        final boolean last = content instanceof LastHttpContent;
        if (last)
        {
            requestInProgress = false;
        }
        else
        {
            onBodyProgress();
        }
        ctx.fireChannelRead(content);
        if (last)
        {
            onExchangeMaybeComplete();
        }
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (closing && msg instanceof HttpObject)
        {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        ChannelPromise written = promise;
        if (msg instanceof HttpResponse)
        {
            onResponseHead((HttpResponse)msg);
        }
        if (msg instanceof LastHttpContent)
        {
            if (informational)
            {
                informational = false;
            }
            else if (finalResponseStarted && !responseComplete)
            {
                responseComplete = true;
                if (closeAfterResponse)
                {
                    counters.increment(DataPlaneCounter.MAX_REQUESTS_CLOSES);
                    closing = true;
                    written = promise.unvoid();
                    written.addListener(ChannelFutureListener.CLOSE);
                }
                else
                {
                    onExchangeMaybeComplete();
                }
            }
        }
        ctx.write(msg, written);
    }

    private void onResponseHead(final HttpResponse response)
    {
        final int status = response.status().code();
        counters.increment(DataPlaneCounter.responseClass(status));
        if (status < 200)
        {
            informational = true;
            return;
        }
        finalResponseStarted = true;
        if (closeAfterResponse)
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    /**
     * Answers a request this stage refuses and closes the connection; when a response to it already started, only
     * closes. Nothing more is read, and whatever a later stage still writes is released.
     */
    private void reject(final ChannelHandlerContext ctx, final Rejection rejection)
    {
        closing = true;
        cancelTimer();
        counters.increment(rejection.counter());
        if (rejection.isBadRequest())
        {
            counters.increment(DataPlaneCounter.BAD_REQUESTS);
        }
        if (phase == EXCHANGE && finalResponseStarted)
        {
            ctx.close();
            return;
        }
        counters.increment(DataPlaneCounter.responseClass(rejection.status().code()));
        DirectResponse.send(ctx, rejection.status(), rejection.reason(), false);
    }

    /** A request head with a body, or a part of that body, arrived: the body timeout starts again. */
    private void onBodyProgress()
    {
        if (requestBodyTimeoutNs > 0)
        {
            phaseStartNs = nanoTime();
            if (timer == null)
            {
                schedule(timerTickNs);
            }
        }
    }

    private void onExchangeMaybeComplete()
    {
        if (!requestInProgress && responseComplete && !closing)
        {
            enterWaiting(WAITING_IDLE);
        }
    }

    private void enterWaiting(final int waitingPhase)
    {
        phase = waitingPhase;
        phaseStartNs = nanoTime();
        if (timer == null)
        {
            schedule(timerTickNs);
        }
    }

    private void onTimer()
    {
        timer = null;
        if (closing || !ctx.channel().isActive())
        {
            return;
        }
        if (phase == EXCHANGE)
        {
            onBodyTimer();
            return;
        }
        final long elapsedNs = nanoTime() - phaseStartNs;
        final long remainingNs = (phase == WAITING_IDLE ? idleTimeoutNs : requestHeaderTimeoutNs) - elapsedNs;
        if (remainingNs > 0)
        {
            schedule(Math.min(remainingNs, timerTickNs));
        }
        else if (phase == WAITING_IDLE)
        {
            closing = true;
            counters.increment(DataPlaneCounter.IDLE_TIMEOUTS);
            ctx.close();
        }
        else
        {
            reject(ctx, Rejection.HEADER_TIMEOUT);
        }
    }

    /**
     * While a request body is being received (since its head or last part): 408 and close when it stalled for the
     * body timeout; nothing to do once the body is complete (the timer stops until the connection waits again).
     */
    private void onBodyTimer()
    {
        if (!requestInProgress || requestBodyTimeoutNs == 0)
        {
            return;
        }
        final long remainingNs = requestBodyTimeoutNs - (nanoTime() - phaseStartNs);
        if (remainingNs > 0)
        {
            schedule(Math.min(remainingNs, timerTickNs));
        }
        else
        {
            reject(ctx, Rejection.BODY_TIMEOUT);
        }
    }

    private void schedule(final long delayNs)
    {
        timer = ctx.executor().schedule(onTimer, delayNs, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer()
    {
        if (timer != null)
        {
            timer.cancel(false);
            timer = null;
        }
    }

    private long nanoTime()
    {
        return ctx.executor().ticker().nanoTime();
    }
}
