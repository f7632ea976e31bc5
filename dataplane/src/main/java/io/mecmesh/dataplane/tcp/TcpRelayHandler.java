package io.mecmesh.dataplane.tcp;

import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.mecmesh.dataplane.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The L4 stage of a TCP listener: relays the connection's bytes to an endpoint of its cluster and back, unchanged.
 * One upstream connection per downstream connection, opened on the same event loop when the downstream one is
 * accepted (a connect failure closes the downstream connection and is counted). Each side reads only after what it
 * read last was written to the other (both have {@code AUTO_READ} off), so a slow side slows the other instead of
 * filling memory. Closing either side flushes and closes the other. Buffers pass from one side to the other
 * (ownership moves with the write; nothing is copied).
 *
 * <p>Idle timeout: when no byte moved either way (read from, or written to, either side) for the listener's
 * {@code idleTimeoutMs}, both sides are closed and the close is counted ({@code IDLE_TIMEOUTS}). One timer task per
 * connection, re-armed when it fires rather than per read. One instance per connection, confined to its event loop
 * (the upstream connection runs on the same loop).
 *
 * <p>Authorization: with a policy other than {@link AuthorizationPolicy#ALLOW_ALL} (only on mesh TLS listeners), the
 * upstream connection is opened only once the TLS handshake completed and the peer's SPIFFE id (put on the channel by
 * {@link io.mecmesh.dataplane.tls.TlsIdentityHandler}) passes the policy; a refused peer's connection is closed
 * before a byte is relayed and counted ({@code AUTHZ_DENIED_BY_RULE} / {@code AUTHZ_DENIED_NO_ALLOW_RULE}).
 */
public final class TcpRelayHandler extends ChannelInboundHandlerAdapter
{
    private final Supplier<Cluster> cluster;
    private final Transport transport;
    private final DataPlaneCounters counters;
    private final long idleTimeoutNs;
    private final AuthorizationPolicy authorization;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(2);
    private final Runnable onIdleTimer = this::onIdleTimer;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> idleTimer;
    private long lastActivityNs;
    private Channel upstream;
    private EndpointState endpoint;
    private Cluster target;

    /**
     * @param cluster       the listener's cluster, read once per connection.
     * @param transport     the socket transport of upstream connections.
     * @param counters      where connections, connect failures and idle closes are counted.
     * @param idleTimeoutMs time with no byte either way after which both sides are closed.
     * @param authorization who may connect (checked after the TLS handshake), or
     *                      {@link AuthorizationPolicy#ALLOW_ALL}.
     */
    public TcpRelayHandler(
        final Supplier<Cluster> cluster,
        final Transport transport,
        final DataPlaneCounters counters,
        final long idleTimeoutMs,
        final AuthorizationPolicy authorization)
    {
        this.authorization = requireNonNull(authorization, "authorization");
        if (idleTimeoutMs < 1)
        {
            throw new IllegalArgumentException("idleTimeoutMs: expected at least 1, got " + idleTimeoutMs);
        }
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.cluster = requireNonNull(cluster, "cluster");
        this.transport = requireNonNull(transport, "transport");
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        final Channel downstream = ctx.channel();
        this.ctx = ctx;
        onActivity();
        idleTimer = ctx.executor().schedule(onIdleTimer, idleTimeoutNs, TimeUnit.NANOSECONDS);
        if (authorization == AuthorizationPolicy.ALLOW_ALL)
        {
            connect(downstream);
        }
        else
        {
            // Reads drive the TLS handshake (AUTO_READ is off); the relay reads on once the upstream is connected.
            ctx.read();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()
            && authorization != AuthorizationPolicy.ALLOW_ALL)
        {
            final AuthorizationPolicy.Decision decision = authorization.checkConnection(
                ctx.channel().attr(PeerIdentity.SPIFFE_ID).get());
            if (decision == AuthorizationPolicy.Decision.ALLOWED)
            {
                connect(ctx.channel());
            }
            else
            {
                counters.increment(decision == AuthorizationPolicy.Decision.DENIED_BY_RULE
                    ? DataPlaneCounter.AUTHZ_DENIED_BY_RULE : DataPlaneCounter.AUTHZ_DENIED_NO_ALLOW_RULE);
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void connect(final Channel downstream)
    {
        target = cluster.get();
        endpoint = target.pick();
        target.onAttemptStart(endpoint);
        new Bootstrap()
            .group(downstream.eventLoop())
            .channel(transport.channelClass())
            .option(ChannelOption.AUTO_READ, Boolean.FALSE)
            .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, target.config().connectTimeoutMs())
            .handler(new Backward(downstream))
            .connect(endpoint.address())
            .addListener((ChannelFutureListener)connected ->
            {
                if (!connected.isSuccess())
                {
                    counters.increment(DataPlaneCounter.TCP_CONNECT_FAILURES);
                    target.onFailure(endpoint);
                    downstream.close();
                    return;
                }
                counters.increment(DataPlaneCounter.TCP_CONNECTIONS);
                target.onSuccess(endpoint, 0);
                upstream = connected.channel();
                if (!downstream.isActive())
                {
                    upstream.close();
                    return;
                }
                upstream.read();
                if (pending.isEmpty())
                {
                    downstream.read();
                    return;
                }
                while (pending.size() > 1)
                {
                    upstream.write(pending.poll());
                }
                channelRead(ctx, pending.poll());
            });
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (upstream == null)
        {
            // Bytes decoded before the upstream connection is up (with TLS, the client may send right after its
            // Finished): kept in order and written once it is; this side reads no more until then.
            if (ctx.channel().isActive())
            {
                pending.add(msg);
            }
            else
            {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        onActivity();
        upstream.writeAndFlush(msg).addListener((ChannelFutureListener)written ->
        {
            if (written.isSuccess())
            {
                onActivity();
                ctx.channel().read();
            }
            else
            {
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancelIdleTimer();
        for (Object msg = pending.poll(); msg != null; msg = pending.poll())
        {
            ReferenceCountUtil.release(msg);
        }
        if (upstream != null)
        {
            upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    private void onActivity()
    {
        lastActivityNs = ctx.executor().ticker().nanoTime();
    }

    private void onIdleTimer()
    {
        idleTimer = null;
        if (!ctx.channel().isActive())
        {
            return;
        }
        final long remainingNs = idleTimeoutNs - (ctx.executor().ticker().nanoTime() - lastActivityNs);
        if (remainingNs > 0)
        {
            idleTimer = ctx.executor().schedule(onIdleTimer, remainingNs, TimeUnit.NANOSECONDS);
            return;
        }
        counters.increment(DataPlaneCounter.IDLE_TIMEOUTS);
        if (upstream != null)
        {
            upstream.close();
        }
        ctx.close();
    }

    private void cancelIdleTimer()
    {
        if (idleTimer != null)
        {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /** The upstream connection's handler: relays what the endpoint sends back to the downstream connection. */
    private final class Backward extends ChannelInboundHandlerAdapter
    {
        private final Channel downstream;

        Backward(final Channel downstream)
        {
            this.downstream = downstream;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            onActivity();
            downstream.writeAndFlush(msg).addListener((ChannelFutureListener)written ->
            {
                if (written.isSuccess())
                {
                    onActivity();
                    ctx.channel().read();
                }
                else
                {
                    ctx.close();
                }
            });
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
