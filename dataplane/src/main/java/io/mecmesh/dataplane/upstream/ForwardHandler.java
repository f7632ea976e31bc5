package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.ExchangeLog;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.HopByHopHeaders;
import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyHeaderFields;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.mecmesh.dataplane.lifecycle.DrainEvent;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.transport.DscpMarking;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.Objects.requireNonNull;

/**
 * The upstream stage, last on a downstream HTTP/1.1 connection: forwards each request to an endpoint of its
 * route's cluster over a keep-alive connection from this event loop's {@link UpstreamPool}, and the response back.
 *
 * <p>Streaming and ownership: request and response bodies pass through part by part as the codecs decode them
 * (slices of the read buffers, never copied or aggregated). Each part is written to the other side, which then
 * owns it; a part that cannot be forwarded is released here. Back-pressure both ways: the downstream connection
 * reads on demand ({@code AUTO_READ} off, one message per {@code read()} through the flow-control handler) and
 * this stage asks for the next request part only while the upstream connection is writable; the upstream
 * connection stops reading while the downstream one is not writable.
 *
 * <p>Attempts: the cluster's balancer picks an endpoint per attempt. An attempt fails on a connect failure, a reset
 * before the response head, a per-try timeout, or a status the route's retry policy retries; it is tried again
 * (on another endpoint when there is one, after a jittered backoff) while the policy, the route's retry budget and
 * the request's replayability allow: a bodiless request always, one with a body only if every part sent so far is
 * kept in a replay buffer within the policy's limit (retained duplicates, released when the response starts or
 * the exchange ends). The route's timeout, shortened by a gRPC client's {@code grpc-timeout}, bounds the whole
 * exchange until the response head (504). Every attempt's outcome is reported to the cluster for outlier ejection
 * and least-request balancing.
 *
 * <p>Slice policy: the request's limits come from its {@link Exchange}, decided once by the admit stage from the
 * policy record the exchange wrapped (the (slice, route) record of the snapshot's table, else the slice's default
 * record (slice, 0)): the request timeout (the record's {@code requestTimeoutNs}, rounded up to milliseconds, less
 * any time queued in admit; a {@code grpc-timeout} may only shorten it), the retries per request, the share of
 * requests the route's retry budget grants and the DSCP; without a record the route's own timeout, retry policy and
 * budget ratio apply. The per-try timeout, the statuses retried, the backoff and the replay limit are always the
 * route's. Each forwarded request is counted in the slice's {@code SliceStats} as a policy hit or miss. Allocates
 * nothing.
 *
 * <p>Timers: the request timeout, the per-try timeout and the retry backoff are {@link Deadline}s this handler
 * owns, armed on the event loop's {@link DeadlineWheel}: a forwarded request schedules no task of its own.
 *
 * <p>Circuit breakers: the exchange holds a slot of its cluster's request breaker from routing to its end, of the
 * pending breaker while it waits for a new connection, and of the retry breaker from its first retry; over a limit
 * it is answered 503 with {@code x-mecmesh-overflow} (a retry over the limit is not made).
 *
 * <p>Mirroring: when the route mirrors this request ({@link Route#pickMirror()}), a {@link MirrorExchange} copies
 * it to the mirror cluster, at once for a request without a body, else once its whole body is in the replay
 * buffer; the copy never affects this exchange.
 *
 * <p>HTTP/2 upstream GOAWAY: a stream the upstream refused unprocessed (above the GOAWAY's last stream id) is sent
 * again on a new connection, up to {@value #MAX_GOAWAY_RESENDS} times, without counting as a retry. A request
 * without a body goes to an HTTP/2 upstream as one HEADERS frame that ends the stream.
 *
 * <p>Drain ({@link DrainEvent}): an idle connection closes at once; a request in flight is answered with
 * {@code Connection: close} (when its response has not started) and the connection closes after it.
 *
 * <p>One exchange at a time per connection: the next request is read only after the response is complete, so
 * pipelined requests are answered in order. An upstream connection goes back to the pool only when both the
 * request and the response were complete and the upstream kept it alive.
 *
 * <p>One instance per downstream connection, confined to its event loop, as are the upstream connections it
 * leases and its timers.
 */
public final class ForwardHandler extends ChannelInboundHandlerAdapter implements UpstreamOwner
{
    private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    /** Times a request whose stream an upstream GOAWAY refused is sent again on a new connection. */
    private static final int MAX_GOAWAY_RESENDS = 3;

    private final UpstreamPool pool;
    private final DataPlaneCounters counters;
    private final Exchange exchange;
    private final ExchangeLog log;
    private final TextFlyweight headerView = new TextFlyweight();
    /** Views the headers of heads that are not the codec's (HTTP/2 streams). */
    private final NettyHeaderFields nettyFields = new NettyHeaderFields();

    private ChannelHandlerContext ctx;

    private HttpRequest request;
    private Route route;
    private Cluster cluster;
    private RetryPolicy retry;
    private int maxRetries;
    /** The DSCP of the request's slice (its policy record's), 0 without one: marks the upstream connection. */
    private int dscp;
    private long perTryTimeoutMs;
    private EndpointState endpoint;
    private EndpointState failedEndpoint;
    private Channel upstream;
    private int attempt;
    private long attemptStartNs;
    private boolean attemptOpen;
    private boolean exchangeActive;
    private boolean reusedConnection;
    private boolean staleRetried;
    private boolean requestBodyless;
    private boolean requestDone;
    private boolean droppingRequestBody;
    private boolean keepAlive;
    /** An HTTP/1.0 client that asked for keep-alive: its response says {@code Connection: keep-alive}. */
    private boolean keepAliveAnnounced;
    private boolean headRequest;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean readWanted;
    private boolean draining;
    private List<HttpContent> replay;
    private int replayBytes;
    private boolean replayable;
    private boolean holdsRequest;
    private boolean holdsPending;
    private boolean holdsRetry;
    private Cluster mirrorCluster;
    private int goAwayResends;
    private boolean sentWhole;
    private long mirrorTimeoutMs;
    private int tryAttempt;
    private int backoffAttempt;
    private ChannelFuture lastWritten;
    private final DeadlineWheel deadlines;
    private final Deadline requestDeadline = new Deadline()
    {
        @Override
        void onExpired()
        {
            onRequestTimeout();
        }
    };
    private final Deadline tryDeadline = new Deadline()
    {
        @Override
        void onExpired()
        {
            onTryTimeout(tryAttempt);
        }
    };
    private final Deadline backoffDeadline = new Deadline()
    {
        @Override
        void onExpired()
        {
            if (exchangeActive && backoffAttempt == attempt && ctx.channel().isActive())
            {
                startAttempt();
            }
        }
    };

    /**
     * @param pool     this event loop's upstream connections.
     * @param counters where the data plane counts.
     * @param exchange the channel's exchange: the route, the slice and the snapshot whose policy table is read.
     */
    public ForwardHandler(final UpstreamPool pool, final DataPlaneCounters counters, final Exchange exchange)
    {
        this.pool = requireNonNull(pool, "pool");
        this.counters = requireNonNull(counters, "counters");
        this.exchange = requireNonNull(exchange, "exchange");
        this.log = exchange.log();
        this.deadlines = pool.deadlines();
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
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
        if (upstream != null && ctx.channel().isWritable() && !exchange.responsePaced())
        {
            upstream.config().setAutoRead(true);
        }
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
        cancelTimers();
        if (attemptOpen)
        {
            attemptOpen = false;
            cluster.onAbandoned(endpoint);
        }
        releaseReplay();
        if (upstream != null)
        {
            detachUpstream().close();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Closes a connection whose pipeline failed. An HTTP/2 stream is left to the multiplexer, which resets it with
     * the error code the protocol calls for (closing it here would reset it with CANCEL first).
     */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!(ctx.channel() instanceof Http2StreamChannel))
        {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof DrainEvent)
        {
            draining = true;
            if (!exchangeActive)
            {
                ctx.close();
            }
            else if (!responseStarted)
            {
                keepAlive = false;
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onRequest(final HttpRequest request)
    {
        final Route route = exchange.route();
        final RouteAction.Forward forward = (RouteAction.Forward)route.action();
        this.request = request;
        this.route = route;
        this.cluster = route.pickCluster();
        this.retry = forward.retry();
        this.perTryTimeoutMs = forward.perTryTimeoutMs();
        // Decided by the admit stage from the exchange's policy record (a no-op then; here for pipelines without it).
        exchange.decideLimits(headerView(GRPC_TIMEOUT));
        exchange.sliceStats().onPolicyLookup(exchange.policyHit());
        this.maxRetries = exchange.maxRetries();
        final int budgetPercent = exchange.retryBudgetPercent();
        dscp = exchange.dscp();
        DscpMarking.markDownstream(ctx.channel(), dscp, counters);
        failedEndpoint = null;
        attempt = 0;
        goAwayResends = 0;
        mirrorCluster = null;
        exchangeActive = true;
        staleRetried = false;
        requestDone = false;
        droppingRequestBody = false;
        responseStarted = false;
        informational = false;
        keepAlive = HttpUtil.isKeepAlive(request) && !draining;
        // Decided before the hop-by-hop fields (Connection among them) are removed and the version raised to 1.1.
        keepAliveAnnounced = keepAlive && !request.protocolVersion().isKeepAliveDefault();
        headRequest = HttpMethod.HEAD.equals(request.method());
        requestBodyless = !HttpUtil.isTransferEncodingChunked(request) && contentLength(request) == 0L;
        replayable = requestBodyless || retry.maxBufferedBodyBytes() > 0;
        replayBytes = 0;

        HopByHopHeaders.remove(request.headers());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (cluster.config().protocol() == UpstreamProtocol.HTTP2)
        {
            request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
                cluster.sslContext() != null ? "https" : "http");
        }
        if (budgetPercent < 0)
        {
            route.retryBudget().onRequest();
        }
        else
        {
            route.retryBudget().onRequest(budgetPercent);
        }
        route.stats().onRequest();
        if (!cluster.tryAcquire(Overflow.REQUESTS))
        {
            overflow(Overflow.REQUESTS);
            return;
        }
        holdsRequest = true;
        final long timeoutMs = exchange.timeoutMs();
        final Cluster mirror = route.pickMirror();
        if (mirror != null)
        {
            if (requestBodyless)
            {
                MirrorExchange.start(pool, mirror, counters, request, null, timeoutMs);
            }
            else if (maxRetries > 0 && retry.maxBufferedBodyBytes() > 0)
            {
                // Copied once the whole body is in the replay buffer (see onRequestContent).
                mirrorCluster = mirror;
                mirrorTimeoutMs = timeoutMs;
            }
        }
        if (timeoutMs > 0)
        {
            deadlines.arm(requestDeadline, timeoutMs);
        }
        startAttempt();
    }

    private void startAttempt()
    {
        attempt++;
        endpoint = cluster.pick(hashKey(), failedEndpoint);
        cluster.onAttemptStart(endpoint);
        attemptOpen = true;
        attemptStartNs = System.nanoTime();
        log.onAttempt(attemptStartNs);
        final Channel pooled = pool.acquire(endpoint.poolKey(dscp));
        if (pooled != null)
        {
            releasePending();
            reusedConnection = true;
            attachUpstream(pooled);
            sendRequest();
        }
        else
        {
            reusedConnection = false;
            if (!holdsPending)
            {
                if (!cluster.tryAcquire(Overflow.PENDING))
                {
                    attemptOpen = false;
                    cluster.onAbandoned(endpoint);
                    overflow(Overflow.PENDING);
                    return;
                }
                holdsPending = true;
            }
            final int thisAttempt = attempt;
            pool.open(endpoint, cluster, endpoint.poolKey(dscp))
                .addListener((FutureListener<Channel>)future -> onConnectComplete(future, thisAttempt));
        }
    }

    private CharSequence hashKey()
    {
        return cluster.config().lbPolicy() == LbPolicy.RING_HASH ? headerView(cluster.config().hashHeader()) : null;
    }

    /**
     * The first value of a request header: a view over the head's bytes for a decoded HTTP/1.1 head (valid until
     * the next call), else the header's {@code String}.
     */
    private CharSequence headerView(final CharSequence name)
    {
        return HeaderFields.of(request.headers(), nettyFields).first(name, headerView);
    }

    /** The request's Content-Length, 0 when absent or not a number; read as bytes from a decoded head. */
    private long contentLength(final HttpRequest request)
    {
        return Math.max(0L, HeaderFields.of(request.headers(), nettyFields).contentLength());
    }

    private void onConnectComplete(final Future<Channel> future, final int forAttempt)
    {
        if (!exchangeActive || forAttempt != attempt || !ctx.channel().isActive())
        {
            if (future.isSuccess())
            {
                future.getNow().close();
            }
            return;
        }
        releasePending();
        if (future.cause() == UpstreamPool.CONNECTIONS_OVERFLOW)
        {
            attemptOpen = false;
            cluster.onAbandoned(endpoint);
            overflow(Overflow.CONNECTIONS);
            return;
        }
        if (!future.isSuccess())
        {
            counters.increment(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES);
            cluster.stats().onConnectFailure();
            onAttemptFailed(HttpResponseStatus.BAD_GATEWAY, "upstream connect failed: " + endpoint);
            return;
        }
        attachUpstream(future.getNow());
        sendRequest();
    }

    /** Writes the request head and everything of the body read so far (kept for replay) to the new attempt. */
    private void sendRequest()
    {
        if (perTryTimeoutMs > 0)
        {
            tryAttempt = attempt;
            deadlines.arm(tryDeadline, perTryTimeoutMs);
        }
        sentWhole = requestBodyless && upstream instanceof Http2StreamChannel && !(request instanceof FullHttpRequest);
        if (sentWhole)
        {
            // One HEADERS frame with END_STREAM; the request's empty last part is dropped when it arrives.
            upstream.writeAndFlush(new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE),
                upstream.voidPromise());
            if (!requestDone)
            {
                readRequestWhenWritable();
            }
            return;
        }
        upstream.write(request, upstream.voidPromise());
        if (replay != null)
        {
            for (int i = 0; i < replay.size(); i++)
            {
                upstream.write(replay.get(i).retainedDuplicate(), upstream.voidPromise());
            }
        }
        if (requestDone)
        {
            if (replay == null || replay.isEmpty())
            {
                upstream.write(LastHttpContent.EMPTY_LAST_CONTENT, upstream.voidPromise());
            }
            upstream.flush();
            return;
        }
        upstream.flush();
        readRequestWhenWritable();
    }

    private void onRequestContent(final HttpContent content)
    {
        final boolean last = content instanceof LastHttpContent;
        if (droppingRequestBody || !exchangeActive)
        {
            content.release();
            if (last)
            {
                droppingRequestBody = false;
                requestDone = true;
                if (keepAlive && !exchangeActive)
                {
                    ctx.read();
                }
            }
            else
            {
                ctx.read();
            }
            return;
        }
        log.onRequestBytes(content.content().readableBytes());
        keepForReplay(content);
        if (last)
        {
            requestDone = true;
            if (mirrorCluster != null && replayable && replay != null && !replay.isEmpty())
            {
                MirrorExchange.start(pool, mirrorCluster, counters, request, replay, mirrorTimeoutMs);
            }
            mirrorCluster = null;
        }
        if (upstream == null)
        {
            // Between attempts (backoff or connecting): the part is in the replay buffer, sent with the next one.
            if (!replayable)
            {
                content.release();
                failExchange(HttpResponseStatus.BAD_GATEWAY, "upstream failed while the request body was sent");
                return;
            }
            content.release();
            return;
        }
        if (sentWhole)
        {
            content.release();
            return;
        }
        upstream.writeAndFlush(content, upstream.voidPromise());
        if (!last)
        {
            readRequestWhenWritable();
        }
    }

    private void keepForReplay(final HttpContent content)
    {
        if (requestBodyless || !replayable || maxRetries == 0 || responseStarted)
        {
            return;
        }
        replayBytes += content.content().readableBytes();
        if (replayBytes > retry.maxBufferedBodyBytes())
        {
            replayable = false;
            releaseReplay();
            return;
        }
        if (replay == null)
        {
            replay = new ArrayList<>(4);
        }
        replay.add(content.retainedDuplicate());
    }

    private void releaseReplay()
    {
        if (replay != null)
        {
            for (int i = 0; i < replay.size(); i++)
            {
                replay.get(i).release();
            }
            replay.clear();
        }
    }

    private void readRequestWhenWritable()
    {
        if (upstream.isWritable())
        {
            ctx.read();
        }
        else
        {
            readWanted = true;
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(final boolean writable)
    {
        if (writable && readWanted)
        {
            readWanted = false;
            ctx.read();
        }
    }

    @Override
    public void onUpstreamRead(final Object msg)
    {
        if (msg instanceof HttpObject && ((HttpObject)msg).decoderResult().isFailure())
        {
            ReferenceCountUtil.release(msg);
            detachUpstream().close();
            onUpstreamBroken(false, "upstream sent a malformed response");
            return;
        }
        if (msg instanceof FullHttpResponse full && full.status().code() >= 200)
        {
            // A response with nothing after its head (HTTP/2 headers that end the stream): written whole.
            if (onResponseHead(full))
            {
                completeExchange(lastWritten);
            }
            else
            {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpResponse)
        {
            if (!onResponseHead((HttpResponse)msg))
            {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (msg instanceof HttpContent)
        {
            onResponseContent((HttpContent)msg);
        }
        else if (!(msg instanceof HttpResponse))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * @return false when the response is not forwarded (its attempt is retried).
     */
    private boolean onResponseHead(final HttpResponse response)
    {
        final int status = response.status().code();
        if (status < 200)
        {
            informational = true;
            HopByHopHeaders.remove(response.headers());
            ctx.write(response, ctx.voidPromise());
            return true;
        }
        deadlines.disarm(tryDeadline);
        if (route.retriesOnStatus(status) && mayRetry())
        {
            attemptOpen = false;
            cluster.onFailure(endpoint);
            failedEndpoint = endpoint;
            detachUpstream().close();
            retryAfterBackoff();
            return false;
        }
        attemptOpen = false;
        if (status >= 500)
        {
            cluster.onFailure(endpoint);
        }
        else
        {
            cluster.onSuccess(endpoint, System.nanoTime() - attemptStartNs);
        }
        deadlines.disarm(requestDeadline);
        releaseReplay();
        route.stats().onResponse(status);
        log.onResponseHead(status, System.nanoTime());
        responseStarted = true;
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        final HttpHeaders headers = response.headers();
        HopByHopHeaders.remove(headers);
        route.config().responseHeaders().applyTo(headers);
        final boolean bodyless = headRequest || status == 204 || status == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
            && !HttpUtil.isTransferEncodingChunked(response))
        {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (!keepAlive || !requestDone)
        {
            keepAlive = false;
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (keepAliveAnnounced)
        {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        // The write's future is needed only to close after it; otherwise no promise is allocated.
        lastWritten = keepAlive ? ctx.write(response, ctx.voidPromise()) : ctx.write(response);
        return true;
    }

    private void onResponseContent(final HttpContent content)
    {
        if (informational)
        {
            if (content instanceof LastHttpContent)
            {
                informational = false;
            }
            ctx.write(content, ctx.voidPromise());
            return;
        }
        log.onResponseBytes(content.content().readableBytes());
        if (!(content instanceof LastHttpContent))
        {
            ctx.write(content, ctx.voidPromise());
            if (!ctx.channel().isWritable() || exchange.responsePaced())
            {
                upstream.config().setAutoRead(false);
            }
            return;
        }
        completeExchange(keepAlive ? ctx.write(content, ctx.voidPromise()) : ctx.write(content));
    }

    /** The response is complete (its last part written): give the upstream channel back, then read or close. */
    private void completeExchange(final ChannelFuture written)
    {
        ctx.flush();
        final Channel leased = detachUpstream();
        if (requestDone && upstreamKeepAlive)
        {
            pool.release(endpoint.poolKey(dscp), leased, cluster.config().maxIdleConnectionsPerLoop());
        }
        else
        {
            leased.close();
        }
        endExchange();
        if (keepAlive)
        {
            ctx.read();
        }
        else
        {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void onUpstreamReadComplete()
    {
        ctx.flush();
    }

    @Override
    public void onUpstreamInactive(final Channel channel)
    {
        if (channel != upstream)
        {
            return;
        }
        final UpstreamHandler handler = channel.pipeline().get(UpstreamHandler.class);
        final boolean refused = handler != null && handler.refusedByGoAway();
        detachUpstream();
        if (refused && !responseStarted && canReplay() && goAwayResends < MAX_GOAWAY_RESENDS)
        {
            // The upstream's GOAWAY refused the stream unprocessed: send it again on a new connection, not a retry.
            goAwayResends++;
            counters.increment(DataPlaneCounter.UPSTREAM_GOAWAY_RESENDS);
            deadlines.disarm(tryDeadline);
            attemptOpen = false;
            cluster.onAbandoned(endpoint);
            attempt--;
            startAttempt();
            return;
        }
        final String tlsFailure = UpstreamTlsFailure.describe(channel);
        if (tlsFailure != null && !responseStarted)
        {
            // a new connection whose handshake failed: the request was never sent; say why (expired certificate, ...)
            counters.increment(DataPlaneCounter.UPSTREAM_TLS_FAILURES);
            onAttemptFailed(HttpResponseStatus.BAD_GATEWAY, tlsFailure);
            return;
        }
        onUpstreamBroken(true, "upstream closed the connection before responding");
    }

    /**
     * The leased upstream connection closed or sent something that is not HTTP before the response was complete:
     * truncate the response if it started, otherwise treat it as a failed attempt.
     */
    private void onUpstreamBroken(final boolean closed, final String reason)
    {
        if (responseStarted)
        {
            counters.increment(DataPlaneCounter.UPSTREAM_RESETS);
            log.flag(AccessLogDescriptor.FLAG_RESET);
            endExchange();
            ctx.close();
            return;
        }
        if (closed && reusedConnection && !staleRetried && canReplay())
        {
            // A pooled connection the upstream had closed just before reuse: not the endpoint's fault.
            staleRetried = true;
            counters.increment(DataPlaneCounter.UPSTREAM_REUSE_RETRIES);
            deadlines.disarm(tryDeadline);
            attemptOpen = false;
            cluster.onAbandoned(endpoint);
            attempt--;
            startAttempt();
            return;
        }
        counters.increment(DataPlaneCounter.UPSTREAM_RESETS);
        onAttemptFailed(HttpResponseStatus.BAD_GATEWAY, reason);
    }

    private void onTryTimeout(final int forAttempt)
    {
        if (!exchangeActive || forAttempt != attempt || responseStarted || !attemptOpen)
        {
            return;
        }
        counters.increment(DataPlaneCounter.UPSTREAM_PER_TRY_TIMEOUTS);
        if (upstream != null)
        {
            detachUpstream().close();
        }
        onAttemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream per-try timeout");
    }

    private void onRequestTimeout()
    {
        if (!exchangeActive || responseStarted)
        {
            return;
        }
        counters.increment(DataPlaneCounter.UPSTREAM_TIMEOUTS);
        route.stats().onTimeout();
        if (attemptOpen)
        {
            attemptOpen = false;
            cluster.onFailure(endpoint);
        }
        if (upstream != null)
        {
            detachUpstream().close();
        }
        failExchange(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream request timeout");
    }

    /** An attempt failed before its response: retry when allowed, otherwise answer with {@code status}. */
    private void onAttemptFailed(final HttpResponseStatus status, final String reason)
    {
        deadlines.disarm(tryDeadline);
        if (attemptOpen)
        {
            attemptOpen = false;
            cluster.onFailure(endpoint);
        }
        failedEndpoint = endpoint;
        if (mayRetry())
        {
            retryAfterBackoff();
            return;
        }
        failExchange(status, reason);
    }

    /** Whether the request can be sent again: no body, or every part of it kept for replay. */
    private boolean canReplay()
    {
        return requestBodyless || (replayable && maxRetries > 0);
    }

    private boolean mayRetry()
    {
        if (!exchangeActive || responseStarted || attempt > maxRetries || !(requestBodyless || replayable))
        {
            return false;
        }
        final boolean firstRetry = !holdsRetry;
        if (firstRetry)
        {
            if (!cluster.tryAcquire(Overflow.RETRIES))
            {
                counters.increment(DataPlaneCounter.UPSTREAM_CIRCUIT_OPEN);
                return false;
            }
            holdsRetry = true;
        }
        if (!route.retryBudget().tryRetry())
        {
            if (firstRetry)
            {
                holdsRetry = false;
                cluster.release(Overflow.RETRIES);
            }
            counters.increment(DataPlaneCounter.UPSTREAM_RETRY_BUDGET_EXHAUSTED);
            return false;
        }
        return true;
    }

    private void retryAfterBackoff()
    {
        counters.increment(DataPlaneCounter.UPSTREAM_RETRIES);
        route.stats().onRetry();
        log.flag(AccessLogDescriptor.FLAG_RETRIED);
        final long ceilingMs = Math.min(retry.backoffMaxMs(), retry.backoffBaseMs() << Math.min(attempt - 1, 20));
        final long backoffMs = ThreadLocalRandom.current().nextLong(ceilingMs + 1);
        backoffAttempt = attempt;
        deadlines.arm(backoffDeadline, backoffMs);
    }

    /**
     * Answers the request here when it cannot be forwarded. The connection stays open only when what is left of
     * the request is known to be empty; an unread body is not drained, the connection is closed.
     */
    private void failExchange(final HttpResponseStatus status, final String reason)
    {
        failExchange(status, reason, null);
    }

    /** A circuit breaker of the cluster is open: 503 at once, saying which. */
    private void overflow(final Overflow breaker)
    {
        counters.increment(DataPlaneCounter.UPSTREAM_CIRCUIT_OPEN);
        failExchange(HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream overflow: " + breaker.label(), breaker);
    }

    private void failExchange(final HttpResponseStatus status, final String reason, final Overflow breaker)
    {
        log.onLocalAnswer(status.code());
        endExchange();
        cancelTimers();
        releaseReplay();
        route.stats().onResponse(status.code());
        if (!requestDone && !requestBodyless)
        {
            keepAlive = false;
        }
        final FullHttpResponse response = DirectResponse.newResponse(ctx, status, reason + "\n");
        if (breaker != null)
        {
            response.headers().set(DirectResponse.OVERFLOW_HEADER, breaker.label());
        }
        DirectResponse.send(ctx, response, keepAlive);
        if (keepAlive && !requestDone)
        {
            droppingRequestBody = true;
            ctx.read();
        }
        else if (keepAlive)
        {
            ctx.read();
        }
    }

    /** The exchange is over (answered, failed or abandoned): gives back what it held of the circuit breakers. */
    private void endExchange()
    {
        if (exchangeActive)
        {
            exchange.endLog(ctx.channel(), endpoint);
        }
        exchangeActive = false;
        releasePending();
        if (holdsRequest)
        {
            holdsRequest = false;
            cluster.release(Overflow.REQUESTS);
        }
        if (holdsRetry)
        {
            holdsRetry = false;
            cluster.release(Overflow.RETRIES);
        }
    }

    private void releasePending()
    {
        if (holdsPending)
        {
            holdsPending = false;
            cluster.release(Overflow.PENDING);
        }
    }

    private void cancelTimers()
    {
        deadlines.disarm(requestDeadline);
        deadlines.disarm(tryDeadline);
        deadlines.disarm(backoffDeadline);
    }

    private void attachUpstream(final Channel channel)
    {
        upstream = channel;
        channel.pipeline().get(UpstreamHandler.class).lease(this);
    }

    private Channel detachUpstream()
    {
        final Channel channel = upstream;
        upstream = null;
        readWanted = false;
        final UpstreamHandler handler = channel.pipeline().get(UpstreamHandler.class);
        if (handler != null)
        {
            handler.unlease();
        }
        return channel;
    }
}
