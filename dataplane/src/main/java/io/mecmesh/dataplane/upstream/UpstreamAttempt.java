package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.balance.Balancer;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.cluster.PoolKey;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.HopByHopHeaders;
import io.mecmesh.dataplane.http.NettyHeaderFields;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;

/**
 * One attempt of the forward stage's request on one upstream connection: gets the connection (a pooled one, else a
 * new one while holding a slot of the cluster's pending breaker), sends the request head and the body parts kept
 * for replay, relays the rest of the body with back-pressure (the next part is read downstream only while the
 * upstream is writable), bounds the attempt by the route's per-try timeout, and relays the response back: the head
 * to {@link ForwardHandler#onResponseHead} (which may retry instead), the parts to the downstream channel (the
 * upstream stops reading while the downstream is not writable or the admit stage paces it). At the response's end
 * the connection goes back to the pool when the request was complete and the upstream keeps it alive, else it is
 * closed. A connection that fails or closes is reported to the {@link ForwardHandler}, which decides about retries.
 *
 * <p>Ownership: every request part given to {@link #forward} and every response part from the upstream is written
 * to the other side (which then owns it) or released here. One per downstream channel, reused by each attempt,
 * confined to its event loop.
 */
final class UpstreamAttempt implements UpstreamOwner
{
    /** Times a request whose stream an upstream GOAWAY refused is sent again on a new connection. */
    private static final int MAX_GOAWAY_RESENDS = 3;

    private final ForwardHandler owner;
    private final UpstreamPool pool;
    private final DataPlaneCounters counters;
    private final Balancer balancer;
    private final Exchange exchange;
    private final Deadline tryDeadline = new Deadline()
    {
        @Override
        void onExpired()
        {
            onTryTimeout();
        }
    };
    private ChannelHandlerContext ctx;
    private HttpRequest request;
    private ReplayBuffer replay;
    /** Views the headers of heads that are not the codec's (HTTP/2 streams). */
    private final NettyHeaderFields nettyFields = new NettyHeaderFields();
    private boolean bodyless;
    private Channel channel;
    private PoolKey poolKey;
    private int number;
    private int tryNumber;
    private long perTryTimeoutMs;
    private boolean reused;
    private boolean readWanted;
    private boolean sentWhole;
    private boolean informational;
    private boolean keepAlive;
    private int goAwayResends;
    private boolean staleRetried;

    UpstreamAttempt(final ForwardHandler owner, final UpstreamPool pool, final DataPlaneCounters counters,
        final Exchange exchange)
    {
        this.owner = owner;
        this.pool = pool;
        this.counters = counters;
        this.exchange = exchange;
        this.balancer = exchange.balancer();
    }

    void bind(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * A new request: what each attempt sends; it may be resent after a GOAWAY or a stale pooled connection again.
     *
     * Resets the replay buffer for it, and makes the head the one sent upstream: hop-by-hop headers removed,
     * HTTP/1.1.
     *
     * @param request        the head, kept until the exchange ends (every attempt sends it).
     * @param replay         the body parts kept for replay.
     * @param maxReplayBytes the route's replay buffer limit.
     * @return whether the request has no body.
     */
    boolean begin(final HttpRequest request, final ReplayBuffer replay, final int maxReplayBytes)
    {
        this.request = request;
        this.replay = replay;
        this.bodyless = !HttpUtil.isTransferEncodingChunked(request)
            && Math.max(0L, HeaderFields.of(request.headers(), nettyFields).contentLength()) == 0L;
        replay.reset(bodyless, maxReplayBytes);
        HopByHopHeaders.remove(request.headers());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        goAwayResends = 0;
        staleRetried = false;
        return bodyless;
    }

    /**
     * Starts an attempt on the endpoint the balancer picked: on a pooled connection at once, else once a new one
     * is connected.
     */
    void start(final int number, final EndpointState endpoint, final int dscp, final long perTryTimeoutMs)
    {
        this.number = number;
        this.poolKey = endpoint.poolKey(dscp);
        this.perTryTimeoutMs = perTryTimeoutMs;
        final Channel pooled = pool.acquire(poolKey);
        reused = pooled != null;
        if (reused)
        {
            balancer.releasePending();
            attach(pooled);
            send();
        }
        else if (!balancer.holdPending())
        {
            balancer.abandon();
            owner.overflow(Overflow.PENDING);
        }
        else
        {
            pool.open(endpoint, balancer.cluster(), poolKey)
                .addListener((FutureListener<Channel>)future -> onConnectComplete(future, number));
        }
    }

    private void onConnectComplete(final Future<Channel> future, final int forAttempt)
    {
        if (!owner.active() || forAttempt != number || !ctx.channel().isActive())
        {
            if (future.isSuccess())
            {
                future.getNow().close();
            }
            return;
        }
        balancer.releasePending();
        if (future.cause() == UpstreamPool.CONNECTIONS_OVERFLOW)
        {
            balancer.abandon();
            owner.overflow(Overflow.CONNECTIONS);
        }
        else if (!future.isSuccess())
        {
            counters.increment(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES);
            balancer.cluster().stats().onConnectFailure();
            owner.onAttemptFailed(HttpResponseStatus.BAD_GATEWAY, "upstream connect failed: " + balancer.endpoint());
        }
        else
        {
            attach(future.getNow());
            send();
        }
    }

    /**
     * Writes the request head and everything of the body read so far (kept for replay) on the attempt's connection,
     * and arms the per-try timeout.
     */
    private void send()
    {
        final boolean done = owner.requestDone();
        if (perTryTimeoutMs > 0)
        {
            tryNumber = number;
            pool.deadlines().arm(tryDeadline, perTryTimeoutMs);
        }
        sentWhole = bodyless && channel instanceof Http2StreamChannel && !(request instanceof FullHttpRequest);
        if (sentWhole)
        {
            // One HEADERS frame with END_STREAM; the request's empty last part is dropped when it arrives.
            channel.writeAndFlush(new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE),
                channel.voidPromise());
        }
        else
        {
            channel.write(request, channel.voidPromise());
            if (!replay.writeTo(channel) && done)
            {
                channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
            }
            channel.flush();
        }
        if (!done)
        {
            readWhenWritable();
        }
    }

    /**
     * @return true when the request part can be written on now; false between attempts (backoff, connecting) or
     * when the request went whole: the caller keeps or releases it.
     */
    boolean accepts()
    {
        return channel != null && !sentWhole;
    }

    /** Writes a request body part on (ownership passes) and reads the next one when the upstream can take it. */
    void forward(final HttpContent content, final boolean last)
    {
        channel.writeAndFlush(content, channel.voidPromise());
        if (!last)
        {
            readWhenWritable();
        }
    }

    boolean connected()
    {
        return channel != null;
    }

    /** The attempt is over before its response head: no per-try timeout any more. */
    void endTry()
    {
        pool.deadlines().disarm(tryDeadline);
    }

    /** Closes the attempt's connection, if it has one; nothing more of it is relayed. */
    void close()
    {
        if (channel != null)
        {
            detach().close();
        }
    }

    /** The downstream channel became writable: the upstream reads the response again unless it is paced. */
    void onDownstreamWritable()
    {
        if (channel != null && ctx.channel().isWritable() && !exchange.responsePaced())
        {
            channel.config().setAutoRead(true);
        }
    }

    private void readWhenWritable()
    {
        readWanted = !channel.isWritable();
        if (!readWanted)
        {
            ctx.read();
        }
    }

    private void onTryTimeout()
    {
        if (owner.active() && tryNumber == number && !owner.responseStarted() && balancer.attemptOpen())
        {
            counters.increment(DataPlaneCounter.UPSTREAM_PER_TRY_TIMEOUTS);
            close();
            owner.onAttemptFailed(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream per-try timeout");
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
            close();
            onBroken(false, "upstream sent a malformed response");
        }
        else if (msg instanceof HttpResponse response)
        {
            final int status = response.status().code();
            informational = status < 200;
            if (!informational)
            {
                endTry();
                keepAlive = HttpUtil.isKeepAlive(response);
            }
            if (owner.onResponseHead(response) && msg instanceof FullHttpResponse)
            {
                // A response with nothing after its head (HTTP/2 headers that end the stream): written whole.
                informational = false;
                if (status >= 200)
                {
                    complete();
                }
            }
        }
        else if (msg instanceof HttpContent content)
        {
            onResponseContent(content);
        }
        else
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseContent(final HttpContent content)
    {
        final boolean last = content instanceof LastHttpContent;
        if (informational)
        {
            informational = !last;
            ctx.write(content, ctx.voidPromise());
            return;
        }
        exchange.log().onResponseBytes(content.content().readableBytes());
        ctx.write(content, ctx.voidPromise());
        if (last)
        {
            complete();
        }
        else if (!ctx.channel().isWritable() || exchange.responsePaced())
        {
            channel.config().setAutoRead(false);
        }
    }

    /** The response's last part is written: the connection goes back to the pool (or closes), the exchange ends. */
    private void complete()
    {
        ctx.flush();
        final Channel leased = detach();
        if (owner.requestDone() && keepAlive)
        {
            pool.release(poolKey, leased, balancer.cluster().config().maxIdleConnectionsPerLoop());
        }
        else
        {
            leased.close();
        }
        owner.onResponseComplete();
    }

    @Override
    public void onUpstreamReadComplete()
    {
        ctx.flush();
    }

    @Override
    public void onUpstreamInactive(final Channel closed)
    {
        if (closed == channel)
        {
            final UpstreamHandler handler = closed.pipeline().get(UpstreamHandler.class);
            final boolean refused = handler != null && handler.refusedByGoAway();
            detach();
            final String tlsFailure = UpstreamTlsFailure.describe(closed);
            if (refused && !owner.responseStarted() && owner.canReplay() && goAwayResends < MAX_GOAWAY_RESENDS)
            {
                // The upstream's GOAWAY refused the stream unprocessed: send it again on a new connection, not a retry.
                goAwayResends++;
                owner.resend(DataPlaneCounter.UPSTREAM_GOAWAY_RESENDS);
            }
            else if (tlsFailure != null && !owner.responseStarted())
            {
                // a new connection whose handshake failed: the request was never sent; say why (expired certificate, ...)
                counters.increment(DataPlaneCounter.UPSTREAM_TLS_FAILURES);
                owner.onAttemptFailed(HttpResponseStatus.BAD_GATEWAY, tlsFailure);
            }
            else
            {
                onBroken(true, "upstream closed the connection before responding");
            }
        }
    }

    /**
     * The connection closed or sent something that is not HTTP before the response was complete: the response is
     * cut short if it started, else the request is resent (a pooled connection the upstream had just closed, once:
     * not the endpoint's fault) or the attempt failed.
     */
    private void onBroken(final boolean closed, final String reason)
    {
        if (owner.responseStarted())
        {
            owner.onResponseCut();
        }
        else if (closed && reused && !staleRetried && owner.canReplay())
        {
            staleRetried = true;
            owner.resend(DataPlaneCounter.UPSTREAM_REUSE_RETRIES);
        }
        else
        {
            counters.increment(DataPlaneCounter.UPSTREAM_RESETS);
            owner.onAttemptFailed(HttpResponseStatus.BAD_GATEWAY, reason);
        }
    }

    private void attach(final Channel leased)
    {
        channel = leased;
        leased.pipeline().get(UpstreamHandler.class).lease(this);
    }

    private Channel detach()
    {
        final Channel leased = channel;
        channel = null;
        readWanted = false;
        final UpstreamHandler handler = leased.pipeline().get(UpstreamHandler.class);
        if (handler != null)
        {
            handler.unlease();
        }
        return leased;
    }
}
