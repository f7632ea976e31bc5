package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.ExchangeLog;
import io.mecmesh.dataplane.balance.Balancer;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.transport.DscpMarking;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

import static java.util.Objects.requireNonNull;

/**
 * The forward stage, last on a downstream connection (or HTTP/2 stream): forwards each request to an endpoint of
 * its route's cluster and the response back, in {@link UpstreamAttempt}s on connections of this event loop's
 * {@link UpstreamPool}, and decides about retries. The exchange's {@link Balancer} picks the endpoint of each attempt
 * and holds the circuit-breaker slots (over a limit: 503 with {@code x-mecmesh-overflow}; over the cluster's
 * active-request limit the request waits by priority, its parts kept, until a slot frees or its deadline: 504). An
 * attempt fails on a connect failure, a reset before the response head, a per-try timeout or a status the route
 * retries; it is tried again as {@link Retries} allows, with the body parts its {@link ReplayBuffer} kept. GOAWAY
 * and stale pooled connections: resent, not retried ({@link UpstreamAttempt}). The exchange's timeout bounds it
 * until the response head (504). Timeout, retries and DSCP: the exchange's ({@link Exchange#decideLimits}).
 * Mirroring: {@link MirrorTap}. Response heads, local answers, keep-alive, drain and the body of an answered
 * request: the respond stage ({@link Exchange#responder()}). One exchange at a time; one instance per downstream
 * channel, confined to its event loop; allocates nothing per request on a pooled connection.
 */
public final class ForwardHandler extends ChannelInboundHandlerAdapter
{

    private final DataPlaneCounters counters;
    private final Exchange exchange;
    private final ExchangeLog log;
    private final Balancer balancer;
    private final UpstreamAttempt attempts;
    private final Retries retries;
    private final MirrorTap mirror;
    private final ReplayBuffer replay = new ReplayBuffer();
    private final TextFlyweight headerView = new TextFlyweight();
    /** Views the headers of heads that are not the codec's (HTTP/2 streams). */
    private final NettyRequestHead nettyHead = new NettyRequestHead();
    private ChannelHandlerContext ctx;
    private HttpRequest request;
    private Route route;
    private int attempt;
    private boolean exchangeActive;
    private boolean requestBodyless;
    private boolean requestDone;
    private boolean responseStarted;

    /**
     * @param pool     this event loop's upstream connections.
     * @param counters where the data plane counts.
     * @param exchange the channel's exchange: route, slice, snapshot (policy table), balancer and respond stage.
     */
    public ForwardHandler(final UpstreamPool pool, final DataPlaneCounters counters, final Exchange exchange)
    {
        this.counters = requireNonNull(counters, "counters");
        this.exchange = requireNonNull(exchange, "exchange");
        this.log = exchange.log();
        this.balancer = exchange.balancer().bind(requireNonNull(pool, "pool").clusterQueues(), this::onWaitOver);
        this.attempts = new UpstreamAttempt(this, pool, counters, exchange);
        this.retries = new Retries(this, counters, balancer, pool.deadlines());
        this.mirror = new MirrorTap(pool, counters);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        attempts.bind(ctx);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            onRequest((HttpRequest)msg);
        }
        if (msg instanceof HttpContent)
        {
            onRequestContent((HttpContent)msg);
        }
        else if (!(msg instanceof HttpRequest))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        attempts.onDownstreamWritable();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (exchangeActive)
        {
            counters.increment(DataPlaneCounter.DOWNSTREAM_RESETS);
            log.flag(AccessLogDescriptor.FLAG_RESET);
        }
        endExchange();
        retries.cancel();
        attempts.endTry();
        balancer.abandon();
        replay.release();
        attempts.close();
        ctx.fireChannelInactive();
    }

    /** Closes a connection whose pipeline failed; an HTTP/2 stream is left to the multiplexer (it resets it with
     * the error code the protocol calls for: closing it here would reset it with CANCEL first). */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!(ctx.channel() instanceof Http2StreamChannel))
        {
            ctx.close();
        }
    }

    private void onRequest(final HttpRequest request)
    {
        final Route route = exchange.route();
        final RouteAction.Forward forward = (RouteAction.Forward)route.action();
        this.request = request;
        this.route = route;
        exchange.sliceStats().onPolicyLookup(exchange.policyHit());
        DscpMarking.markDownstream(ctx.channel(), exchange.dscp(), counters);
        retries.begin(route, forward.retry(), exchange.maxRetries(), exchange.retryBudgetPercent());
        attempt = 0;
        exchangeActive = true;
        requestDone = false;
        responseStarted = false;
        requestBodyless = attempts.begin(request, replay, forward.retry().maxBufferedBodyBytes());
        route.stats().onRequest();
        retries.armDeadline(exchange.timeoutMs()); // first: it also bounds a wait for an active-request slot
        final int begun = balancer.begin(route.pickCluster(), request.headers(), exchange.priorityLevel(),
            exchange.timeoutMs());
        if (begun == Balancer.REFUSED)
        {
            overflow(Overflow.REQUESTS);
        }
        else if (begun == Balancer.BEGUN)
        {
            onWaitOver(true);
        }
    }

    /** The request may go (mirror, first attempt), or its deadline passed while it waited for a slot (504). */
    void onWaitOver(final boolean granted)
    {
        if (granted)
        {
            mirror.onHead(route, request, requestBodyless, exchange.maxRetries() > 0
                && ((RouteAction.Forward)route.action()).retry().maxBufferedBodyBytes() > 0, exchange.timeoutMs());
            startAttempt();
            return;
        }
        failExchange(HttpResponseStatus.GATEWAY_TIMEOUT, "deadline passed while queued for the cluster", null);
    }

    private void startAttempt()
    {
        attempt++;
        final long nowNs = System.nanoTime();
        final CharSequence hashHeader = balancer.hashHeader();
        log.onAttempt(nowNs);
        attempts.start(attempt, balancer.pick(hashHeader == null ? null : headerView(hashHeader), nowNs),
            exchange.dscp(), ((RouteAction.Forward)route.action()).perTryTimeoutMs());
    }

    /** The first value of a request header: a view over a decoded HTTP/1.1 head (valid until the next call). */
    private CharSequence headerView(final CharSequence name)
    {
        return RequestHead.of(request, nettyHead).headerFields().first(name, headerView);
    }

    private void onRequestContent(final HttpContent content)
    {
        final boolean last = content instanceof LastHttpContent;
        if (!exchangeActive)
        {
            // The exchange was cut short (the connection closes); the respond stage drops the body of an answer.
            content.release();
            return;
        }
        log.onRequestBytes(content.content().readableBytes());
        if ((retries.maxRetries() > 0 || balancer.waiting()) && !responseStarted)
        {
            replay.keep(content); // also while waiting for an active-request slot: sent with the first attempt
        }
        if (last)
        {
            requestDone = true;
            mirror.onBodyComplete(request, replay);
        }
        if (attempts.accepts())
        {
            attempts.forward(content, last);
            return;
        }
        // Between attempts (backoff or connecting) the part is in the replay buffer, sent with the next one.
        content.release();
        if (!attempts.connected() && !replay.replayable())
        {
            failExchange(HttpResponseStatus.BAD_GATEWAY, "upstream failed while the request body was sent", null);
        }
    }

    /**
     * A response head from the attempt (the respond stage edits it on its way out).
     *
     * @return false when it is not forwarded (released here; the attempt is retried).
     */
    boolean onResponseHead(final HttpResponse response)
    {
        final int status = response.status().code();
        if (status >= 200)
        {
            if (route.retriesOnStatus(status) && mayRetry())
            {
                ReferenceCountUtil.release(response);
                balancer.fail();
                attempts.close();
                retries.retryAfterBackoff(attempt, log);
                return false;
            }
            balancer.respond(status, System.nanoTime());
            retries.disarmDeadline();
            replay.release();
            route.stats().onResponse(status);
            log.onResponseHead(status, System.nanoTime());
            responseStarted = true;
        }
        ctx.write(response, ctx.voidPromise());
        return true;
    }

    /** The response's last part is written and the connection given back: read the next request, if any. */
    void onResponseComplete()
    {
        endExchange();
        if (requestDone && exchange.responder().keepAlive())
        {
            ctx.read();
        }
    }

    /** The response had started when the attempt's connection broke: cut short, the connection closes. */
    void onResponseCut()
    {
        counters.increment(DataPlaneCounter.UPSTREAM_RESETS);
        log.flag(AccessLogDescriptor.FLAG_RESET);
        endExchange();
        ctx.close();
    }

    /** Sends the request again as the same attempt (the endpoint was not at fault). */
    void resend(final DataPlaneCounter counter)
    {
        counters.increment(counter);
        attempts.endTry();
        balancer.abandon();
        attempt--;
        startAttempt();
    }

    void onBackoffOver(final int forAttempt)
    {
        if (exchangeActive && forAttempt == attempt && ctx.channel().isActive())
        {
            startAttempt();
        }
    }

    void onRequestTimeout()
    {
        if (exchangeActive && !responseStarted)
        {
            counters.increment(DataPlaneCounter.UPSTREAM_TIMEOUTS);
            route.stats().onTimeout();
            balancer.fail();
            attempts.close();
            failExchange(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream request timeout", null);
        }
    }

    /** An attempt failed before its response: retry when allowed, otherwise answer with {@code status}. */
    void onAttemptFailed(final HttpResponseStatus status, final String reason)
    {
        attempts.endTry();
        balancer.fail();
        if (mayRetry())
        {
            retries.retryAfterBackoff(attempt, log);
        }
        else
        {
            failExchange(status, reason, null);
        }
    }

    /** Whether the request can be sent again: no body, or every part of it kept for replay. */
    boolean canReplay()
    {
        return requestBodyless || (replay.replayable() && retries.maxRetries() > 0);
    }

    private boolean mayRetry()
    {
        return exchangeActive && !responseStarted && retries.mayRetry(attempt, replay.replayable());
    }

    /** A circuit breaker of the cluster is open: 503 at once, saying which. */
    void overflow(final Overflow breaker)
    {
        counters.increment(DataPlaneCounter.UPSTREAM_CIRCUIT_OPEN);
        failExchange(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream overflow: " + breaker.label(), breaker);
    }

    /**
     * Answers the request here (through the respond stage) when it cannot be forwarded. The connection stays open
     * only when what is left of the request is known to be empty; an unread body is not drained, the connection
     * is closed.
     */
    private void failExchange(final HttpResponseStatus status, final String reason, final Overflow breaker)
    {
        log.onLocalAnswer(status.code());
        endExchange();
        retries.cancel();
        attempts.endTry();
        replay.release();
        route.stats().onResponse(status.code());
        final FullHttpResponse response = DirectResponse.newResponse(ctx, status, reason + "\n");
        if (breaker != null)
        {
            response.headers().set(DirectResponse.OVERFLOW_HEADER, breaker.label());
        }
        exchange.responder().answer(ctx, response, requestBodyless);
    }

    /** The exchange is over (answered, failed or abandoned): its log record, its circuit-breaker slots given back. */
    private void endExchange()
    {
        if (exchangeActive)
        {
            exchangeActive = false;
            exchange.endLog(ctx.channel(), balancer.endpoint());
        }
        balancer.end();
    }

    boolean active()
    {
        return exchangeActive;
    }

    boolean responseStarted()
    {
        return responseStarted;
    }

    boolean requestDone()
    {
        return requestDone;
    }
}
