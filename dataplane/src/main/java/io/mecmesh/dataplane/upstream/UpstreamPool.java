package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.balance.ClusterQueues;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.cluster.PoolKey;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.http1.Http1ClientCodec;
import io.mecmesh.dataplane.transport.DscpMarking;
import io.mecmesh.dataplane.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The upstream connections of one event loop, by endpoint: keep-alive HTTP/1.1 connections, and one HTTP/2
 * connection per endpoint whose streams carry one exchange each. Connections are opened on the same event
 * loop as the downstream connection that needs them, so a request never crosses threads. Confined to its event
 * loop: every method is called from it.
 *
 * <p>A connection is either leased to one exchange or idle here; an idle connection that the upstream closes,
 * or that stays idle past its cluster's idle timeout, is closed and dropped.
 */
public final class UpstreamPool
{
    /** The failure of {@link #open} when the cluster's connection breaker is open (shared: no stack trace). */
    static final RuntimeException CONNECTIONS_OVERFLOW = new CircuitOpenException();

    private final EventLoop eventLoop;
    private final Transport transport;
    private final DataPlaneCounters counters;
    private final Map<PoolKey, ArrayDeque<Channel>> idleByEndpoint = new HashMap<>();
    private final Map<PoolKey, ChannelFuture> http2Connections = new HashMap<>();
    private final DeadlineWheel deadlines;
    private final ClusterQueues clusterQueues;

    public UpstreamPool(final EventLoop eventLoop, final Transport transport, final DataPlaneCounters counters)
    {
        this.eventLoop = requireNonNull(eventLoop, "eventLoop");
        this.transport = requireNonNull(transport, "transport");
        this.counters = requireNonNull(counters, "counters");
        this.deadlines = new DeadlineWheel(eventLoop, System::nanoTime);
        this.clusterQueues = new ClusterQueues(counters);
    }

    /**
     * @return the request deadlines of this event loop.
     */
    DeadlineWheel deadlines()
    {
        return deadlines;
    }

    /**
     * @return this event loop's shares of the clusters' active-request limits and their wait queues.
     */
    ClusterQueues clusterQueues()
    {
        return clusterQueues;
    }

    /**
     * Takes an idle connection to the endpoint, most recently used first.
     *
     * @param key the endpoint's pool key.
     * @return an open connection leased to the caller, or {@code null} when none is idle.
     */
    Channel acquire(final PoolKey key)
    {
        final ArrayDeque<Channel> idle = idleByEndpoint.get(key);
        if (idle == null)
        {
            return null;
        }
        Channel channel;
        while ((channel = idle.pollFirst()) != null)
        {
            if (channel.isActive())
            {
                return channel;
            }
        }
        return null;
    }

    /**
     * Gives an exchange a fresh channel to the endpoint: for an HTTP/1.1 cluster a new connection, for an HTTP/2
     * cluster a new stream on the event loop's connection to the endpoint (opened first when there is none).
     *
     * @param endpoint the endpoint.
     * @param runtime  the cluster it belongs to (protocol, connect and idle timeouts, TLS).
     * @return the channel, once connected (or the stream opened); it has an {@link UpstreamHandler} with no owner.
     */
    Future<Channel> open(final EndpointState endpoint, final Cluster runtime)
    {
        return open(endpoint, runtime, endpoint.poolKey());
    }

    /**
     * As {@link #open(EndpointState, Cluster)}, on a connection marked with the key's DSCP (set on the socket before
     * it connects) and filed under that key.
     *
     * @param endpoint the endpoint.
     * @param runtime  the cluster it belongs to.
     * @param key      the endpoint's pool key for the request's DSCP ({@link EndpointState#poolKey(int)}).
     * @return the channel, once connected (or the stream opened).
     */
    Future<Channel> open(final EndpointState endpoint, final Cluster runtime, final PoolKey key)
    {
        final Promise<Channel> promise = eventLoop.newPromise();
        if (runtime.config().protocol() == UpstreamProtocol.HTTP2)
        {
            final ChannelFuture connection = http2Connection(endpoint, runtime, key);
            if (connection == null)
            {
                return promise.setFailure(CONNECTIONS_OVERFLOW);
            }
            if (connection.isDone())
            {
                openStream(connection, key, promise);
            }
            else
            {
                connection.addListener((ChannelFutureListener)done -> openStream(done, key, promise));
            }
            return promise;
        }
        if (!runtime.tryAcquire(Overflow.CONNECTIONS))
        {
            return promise.setFailure(CONNECTIONS_OVERFLOW);
        }
        connect(endpoint, runtime, key, false).addListener((ChannelFutureListener)done ->
        {
            if (done.isSuccess())
            {
                promise.setSuccess(done.channel());
            }
            else
            {
                promise.setFailure(done.cause());
            }
        });
        return promise;
    }

    private ChannelFuture http2Connection(final EndpointState endpoint, final Cluster runtime, final PoolKey key)
    {
        final ChannelFuture existing = http2Connections.get(key);
        if (existing != null && (!existing.isDone() || (existing.isSuccess() && existing.channel().isActive())))
        {
            return existing;
        }
        if (!runtime.tryAcquire(Overflow.CONNECTIONS))
        {
            return null;
        }
        final ChannelFuture connecting = connect(endpoint, runtime, key, true);
        http2Connections.put(key, connecting);
        connecting.channel().closeFuture().addListener(closed -> http2Connections.remove(key, connecting));
        return connecting;
    }

    private void openStream(final ChannelFuture connection, final PoolKey key, final Promise<Channel> promise)
    {
        if (!connection.isSuccess())
        {
            promise.setFailure(connection.cause());
            return;
        }
        final UpstreamPool pool = this;
        new Http2StreamChannelBootstrap(connection.channel())
            .handler(new ChannelInitializer<Http2StreamChannel>()
            {
                @Override
                protected void initChannel(final Http2StreamChannel stream)
                {
                    stream.pipeline()
                        .addLast("http2-to-http", new Http2StreamFrameToHttpObjectCodec(false, true))
                        .addLast("upstream", new UpstreamHandler(pool, key));
                }
            })
            .open()
            .addListener((Future<Http2StreamChannel> opened) ->
            {
                if (opened.isSuccess())
                {
                    promise.setSuccess(opened.getNow());
                }
                else
                {
                    promise.setFailure(opened.cause());
                }
            });
    }

    /**
     * Opens a new connection to the endpoint on this pool's event loop, with TLS when the cluster has it (the
     * handshake completes before the request, which waits in the TLS handler). The caller took a slot of the
     * cluster's connection breaker; it is given back when the connection closes (or fails to connect).
     */
    private ChannelFuture connect(final EndpointState endpoint, final Cluster runtime, final PoolKey key,
        final boolean http2)
    {
        final UpstreamPool pool = this;
        final ClusterConfig cluster = runtime.config();
        final InetSocketAddress address = endpoint.address();
        final ChannelFuture connected = new Bootstrap()
            .group(eventLoop)
            .channelFactory(transport.channelFactory(address.getAddress()))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, cluster.connectTimeoutMs())
            .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
            .handler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    DscpMarking.markNew(channel, key.dscp(), counters);
                    if (runtime.sslContext() != null)
                    {
                        final String sni = cluster.tls().map(tls -> tls.sni()).filter(name -> !name.isEmpty())
                            .orElse(address.getHostString());
                        channel.pipeline().addLast("tls",
                            runtime.sslContext().newHandler(channel.alloc(), sni, address.getPort()));
                    }
                    channel.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, cluster.idleTimeoutMs(), TimeUnit.MILLISECONDS));
                    if (http2)
                    {
                        channel.pipeline()
                            .addLast("http2-codec", Http2FrameCodecBuilder.forClient().validateHeaders(true).build())
                            .addLast("http2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                            .addLast("goaway", new GoAwayHandler(key))
                            .addLast("idle-close", new IdleCloser());
                    }
                    else
                    {
                        channel.pipeline()
                            .addLast("http1-codec", new Http1ClientCodec(new HttpDecoderConfig()))
                            .addLast("upstream", new UpstreamHandler(pool, key));
                    }
                }
            })
            .connect(address);
        connected.channel().closeFuture().addListener(closed -> runtime.release(Overflow.CONNECTIONS));
        connected.addListener(done ->
        {
            if (done.isSuccess())
            {
                counters.increment(DataPlaneCounter.UPSTREAM_CONNECTIONS);
            }
        });
        return connected;
    }

    /**
     * Adds an HTTP/1.1 connection opened elsewhere to the endpoint's idle connections, with the stages a connection
     * this pool opens gets after TLS and the idle timer (the client codec and the {@link UpstreamHandler}). A seam
     * for pipelines without sockets: benchmarks drive the upstream leg through an {@code EmbeddedChannel}.
     *
     * @param endpoint the endpoint the channel is connected to.
     * @param channel  an active channel with an empty pipeline, owned by the pool from here on.
     */
    public void adoptHttp1(final EndpointState endpoint, final Channel channel)
    {
        final PoolKey key = endpoint.poolKey();
        channel.pipeline()
            .addLast("http1-codec", new Http1ClientCodec(new HttpDecoderConfig()))
            .addLast("upstream", new UpstreamHandler(this, key));
        release(key, channel, Integer.MAX_VALUE);
    }

    /**
     * An HTTP/2 connection's GOAWAY from the upstream: the connection leaves the pool at once, so that the next
     * stream to the endpoint opens a new connection; streams at or below the GOAWAY's last stream id finish on it,
     * and it closes when the last of them ends (the multiplexer tells the streams above that id, which the
     * upstream refused unprocessed, before they close: see {@link UpstreamHandler#refusedByGoAway()}).
     */
    private final class GoAwayHandler extends ChannelInboundHandlerAdapter
    {
        private final PoolKey key;
        private boolean goingAway;

        GoAwayHandler(final PoolKey key)
        {
            this.key = key;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (!(msg instanceof Http2GoAwayFrame))
            {
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            if (goingAway)
            {
                return;
            }
            goingAway = true;
            counters.increment(DataPlaneCounter.UPSTREAM_GOAWAYS);
            final ChannelFuture pooled = http2Connections.get(key);
            if (pooled != null && pooled.channel() == ctx.channel())
            {
                http2Connections.remove(key);
            }
            final Http2Connection connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
            connection.addListener(new Http2ConnectionAdapter()
            {
                @Override
                public void onStreamClosed(final Http2Stream stream)
                {
                    if (connection.numActiveStreams() == 0)
                    {
                        ctx.close();
                    }
                }
            });
            if (connection.numActiveStreams() == 0)
            {
                ctx.close();
            }
        }
    }

    /** A cluster's circuit breaker refused a new connection. */
    private static final class CircuitOpenException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        CircuitOpenException()
        {
            super("circuit breaker open: connections", null, false, false);
        }
    }

    /** Closes an HTTP/2 connection that stayed idle past its cluster's idle timeout. */
    private static final class IdleCloser extends ChannelInboundHandlerAdapter
    {
        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt instanceof IdleStateEvent)
            {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Returns a connection after a complete exchange: kept for reuse when the pool for its endpoint has room,
     * otherwise closed.
     *
     * @param key     the endpoint's pool key.
     * @param channel the connection, no longer leased.
     * @param maxIdle most idle connections kept for the endpoint.
     */
    void release(final PoolKey key, final Channel channel, final int maxIdle)
    {
        if (channel instanceof Http2StreamChannel)
        {
            channel.close();
            return;
        }
        if (!channel.isActive())
        {
            return;
        }
        final ArrayDeque<Channel> idle = idleByEndpoint.computeIfAbsent(key, a -> new ArrayDeque<>());
        if (idle.size() >= maxIdle)
        {
            channel.close();
            return;
        }
        channel.config().setAutoRead(true);
        idle.offerFirst(channel);
    }

    /**
     * Forgets a connection that closed while idle.
     *
     * @param key     the endpoint's pool key.
     * @param channel the closed connection.
     */
    void remove(final PoolKey key, final Channel channel)
    {
        final ArrayDeque<Channel> idle = idleByEndpoint.get(key);
        if (idle != null)
        {
            idle.remove(channel);
        }
    }
}
