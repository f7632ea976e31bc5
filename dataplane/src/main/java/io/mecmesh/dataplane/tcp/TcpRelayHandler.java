package io.mecmesh.dataplane.tcp;

import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.exchange.Snapshot;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.LoopQos;
import io.mecmesh.dataplane.qos.QosOutcome;
import io.mecmesh.dataplane.qos.QosRuntime;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.mecmesh.dataplane.transport.DscpMarking;
import io.mecmesh.dataplane.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * On a TLS listener the upstream connection is opened after the handshake in any case (so that the caller's SPIFFE
 * id is known to classification).
 *
 * <p>Slice QoS (issue 13): before the upstream connection opens, the connection is put into a slice once, by the
 * current snapshot's {@link Classifier} with its connection-level criteria only (listener, source address, caller
 * SPIFFE id; a rule with a header criterion never matches an L4 connection), and then
 * <ul>
 *   <li><b>GBR admission</b>: a connection of a slice with a guaranteed bit rate ({@code gbrUplinkBps +
 *   gbrDownlinkBps}) is admitted only while it fits the node's {@code linkCapacityBps}; refused, it is closed at
 *   once (no upstream connection) and counted {@link QosOutcome#REFUSED_GBR}; admitted, it holds its rate until it
 *   closes;</li>
 *   <li><b>MBR pacing</b> each way, from the slice's default policy record ({@code (slice, 0)}: uplink and downlink
 *   bytes/s, burst): the bytes read from a side are charged to the slice's bucket of that direction (shared with
 *   the slice's HTTP traffic) and that side is not read again until the bucket covers them (one timer per
 *   direction; a message larger than the burst passes when the bucket is full and its debt delays the next read);
 *   </li>
 *   <li><b>DSCP</b>: the accepted socket and the upstream socket (before its SYN) are marked with the record's
 *   DSCP.</li>
 * </ul>
 * The classification, DSCP and GBR are those of the connection's start: a later configuration applies to new
 * connections. The pacing rates follow the policy: when a newer snapshot was published, the next bytes charged
 * read the slice's record from it (a changed MBR applies to long-lived connections too).
 */
public final class TcpRelayHandler extends ChannelInboundHandlerAdapter
{
    private final String listener;
    private final Snapshots snapshots;
    private final QosRuntime qos;
    private final Supplier<Cluster> cluster;
    private final Transport transport;
    private final DataPlaneCounters counters;
    private final long idleTimeoutNs;
    private final AuthorizationPolicy authorization;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(2);
    private final Runnable onIdleTimer = this::onIdleTimer;
    private final Pacer uplink = new Pacer(LoopQos.UPLINK);
    private final Pacer downlink = new Pacer(LoopQos.DOWNLINK);
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> idleTimer;
    private long lastActivityNs;
    private Channel upstream;
    private EndpointState endpoint;
    private Cluster target;
    private boolean started;
    // Slice QoS of the connection, set once when it starts.
    private LoopQos loop;
    private int sliceId;
    private int dscp;
    private long burstBytes;
    // The snapshot the pacing rates were read from; null before the connection started.
    private Snapshot ratesFrom;
    private long gbrHeldBps;

    /**
     * @param listener      the listener's name (for classification).
     * @param snapshots     the current snapshot: its classifier and policy table, read once per connection.
     * @param qos           the node's QoS state (GBR admission, buckets, per-slice statistics).
     * @param cluster       the listener's cluster, read once per connection.
     * @param transport     the socket transport of upstream connections.
     * @param counters      where connections, connect failures and idle closes are counted.
     * @param idleTimeoutMs time with no byte either way after which both sides are closed.
     * @param authorization who may connect (checked after the TLS handshake), or
     *                      {@link AuthorizationPolicy#ALLOW_ALL}.
     */
    public TcpRelayHandler(
        final String listener,
        final Snapshots snapshots,
        final QosRuntime qos,
        final Supplier<Cluster> cluster,
        final Transport transport,
        final DataPlaneCounters counters,
        final long idleTimeoutMs,
        final AuthorizationPolicy authorization)
    {
        this.listener = requireNonNull(listener, "listener");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.qos = requireNonNull(qos, "qos");
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
        loop = qos.forLoop(ctx.channel().eventLoop());
        uplink.source = downstream;
        onActivity();
        idleTimer = ctx.executor().schedule(onIdleTimer, idleTimeoutNs, TimeUnit.NANOSECONDS);
        if (ctx.pipeline().get(SslHandler.class) == null)
        {
            start(downstream);
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
        if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess() && !started)
        {
            final AuthorizationPolicy.Decision decision = authorization == AuthorizationPolicy.ALLOW_ALL
                ? AuthorizationPolicy.Decision.ALLOWED
                : authorization.checkConnection(ctx.channel().attr(PeerIdentity.SPIFFE_ID).get());
            if (decision == AuthorizationPolicy.Decision.ALLOWED)
            {
                start(ctx.channel());
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

    /** Classifies the connection, admits it (GBR), marks it, then opens the upstream connection. */
    private void start(final Channel downstream)
    {
        started = true;
        final Snapshot snapshot = snapshots.current();
        final Classifier classifier = snapshot.classifier();
        final SpiffeId peer = downstream.attr(PeerIdentity.SPIFFE_ID).get();
        final SocketAddress remote = downstream.remoteAddress();
        final SocketAddress local = downstream.localAddress();
        sliceId = classifier.sliceId(classifier.classifyConnection(classifier.candidates(listener, addressOf(remote),
            portOf(remote), addressOf(local), portOf(local), peer == null ? null : peer.toString())));
        final PolicyFlyweight record = rates(snapshot);
        dscp = record == null ? 0 : record.dscp();
        final long gbrBps = loop.slice(sliceId).gbrBps();
        if (gbrBps > 0)
        {
            if (!loop.tryAdmitGbr(sliceId, gbrBps))
            {
                loop.count(sliceId, QosOutcome.REFUSED_GBR);
                downstream.close();
                return;
            }
            gbrHeldBps = gbrBps;
        }
        loop.count(sliceId, QosOutcome.ADMITTED);
        DscpMarking.markDownstream(downstream, dscp, counters);
        connect(downstream);
    }

    /**
     * Reads the pacing rates of the connection's slice from a snapshot's policy table.
     *
     * @return the slice's record, {@code null} when it has none (not paced).
     */
    private PolicyFlyweight rates(final Snapshot snapshot)
    {
        ratesFrom = snapshot;
        final PolicyTable table = snapshot.policies();
        final int offset = table.find(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID);
        if (offset == PolicyTable.NOT_FOUND)
        {
            burstBytes = 0;
            uplink.rate = 0;
            downlink.rate = 0;
            return null;
        }
        final PolicyFlyweight record = new PolicyFlyweight().wrap(table.buffer(), offset);
        burstBytes = record.burstBytes();
        uplink.rate = record.uplinkRateBytesPerSecond();
        downlink.rate = record.downlinkRateBytesPerSecond();
        return record;
    }

    /** Reads the rates again when a newer snapshot was published since (once per snapshot, not per message). */
    private void followPolicy()
    {
        final Snapshot current = snapshots.current();
        if (ratesFrom != null && current != ratesFrom)
        {
            rates(current);
        }
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
                downlink.source = upstream;
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
        uplink.charge(msg);
        upstream.writeAndFlush(msg).addListener((ChannelFutureListener)written ->
        {
            if (written.isSuccess())
            {
                onActivity();
                uplink.resume();
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
        uplink.cancel();
        downlink.cancel();
        if (gbrHeldBps > 0)
        {
            loop.releaseGbr(sliceId, gbrHeldBps);
            gbrHeldBps = 0;
        }
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

    private static byte[] addressOf(final SocketAddress remote)
    {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getAddress() : null;
    }

    private static int portOf(final SocketAddress address)
    {
        return address instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /**
     * One direction's MBR pacing: charges what its source side sent to the slice's bucket of that direction, and
     * reads that side again only once the bucket covered it (at once, or from a timer at the bucket's wait).
     */
    private final class Pacer implements Runnable
    {
        private final int kind;
        private Channel source;
        private long rate;
        private long debt;
        private ScheduledFuture<?> timer;

        Pacer(final int kind)
        {
            this.kind = kind;
        }

        /** Charges a message read from the source (before it is written to the other side). */
        void charge(final Object msg)
        {
            final int bytes = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
            followPolicy();
            if (bytes == 0 || (rate <= 0 && sliceId == 0))
            {
                return;
            }
            loop.countBytes(sliceId, kind, bytes);
            if (rate > 0 && !loop.tryAcquire(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, kind, rate, burstBytes,
                bytes, loop.nanoTime()))
            {
                debt += bytes;
            }
        }

        /** Reads the source again once the bucket covers what it sent last. */
        void resume()
        {
            followPolicy();
            if (debt > 0 && !loop.tryAcquire(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, kind, rate, burstBytes,
                debt, loop.nanoTime()))
            {
                timer = ctx.executor().schedule(this, loop.lastWaitNs(), TimeUnit.NANOSECONDS);
                return;
            }
            debt = 0;
            source.read();
        }

        @Override
        public void run()
        {
            timer = null;
            if (source.isActive())
            {
                resume();
            }
        }

        void cancel()
        {
            if (timer != null)
            {
                timer.cancel(false);
                timer = null;
            }
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
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            // Called when the channel registers, before it connects: the SYN carries the DSCP too.
            DscpMarking.markNew(ctx.channel(), dscp, counters);
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            onActivity();
            downlink.charge(msg);
            downstream.writeAndFlush(msg).addListener((ChannelFutureListener)written ->
            {
                if (written.isSuccess())
                {
                    onActivity();
                    downlink.resume();
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
            downlink.cancel();
            downstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
