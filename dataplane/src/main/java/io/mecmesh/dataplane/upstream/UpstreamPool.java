package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.cluster.PoolKey;
import io.mecmesh.dataplane.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The keep-alive upstream connections of one event loop, by endpoint. Connections are opened on the same event
 * loop as the downstream connection that needs them, so a request never crosses threads. Confined to its event
 * loop: every method is called from it.
 *
 * <p>A connection is either leased to one exchange or idle here; an idle connection that the upstream closes,
 * or that stays idle past its cluster's idle timeout, is closed and dropped.
 */
public final class UpstreamPool
{
    private final EventLoop eventLoop;
    private final Transport transport;
    private final Map<PoolKey, ArrayDeque<Channel>> idleByEndpoint = new HashMap<>();

    public UpstreamPool(final EventLoop eventLoop, final Transport transport)
    {
        this.eventLoop = requireNonNull(eventLoop, "eventLoop");
        this.transport = requireNonNull(transport, "transport");
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
     * Opens a new connection to the endpoint on this pool's event loop, with TLS when the cluster has it (the
     * handshake completes before the request, which waits in the TLS handler).
     *
     * @param endpoint the endpoint.
     * @param runtime  the cluster it belongs to (connect and idle timeouts, TLS).
     * @return the connect future; its channel has an {@link UpstreamHandler} with no owner yet.
     */
    ChannelFuture connect(final EndpointState endpoint, final Cluster runtime)
    {
        final UpstreamPool pool = this;
        final ClusterConfig cluster = runtime.config();
        final InetSocketAddress address = endpoint.address();
        final PoolKey key = endpoint.poolKey();
        return new Bootstrap()
            .group(eventLoop)
            .channel(transport.channelClass())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, cluster.connectTimeoutMs())
            .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
            .handler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    if (runtime.sslContext() != null)
                    {
                        final String sni = cluster.tls().map(tls -> tls.sni()).filter(name -> !name.isEmpty())
                            .orElse(address.getHostString());
                        channel.pipeline().addLast("tls",
                            runtime.sslContext().newHandler(channel.alloc(), sni, address.getPort()));
                    }
                    channel.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, cluster.idleTimeoutMs(), TimeUnit.MILLISECONDS))
                        .addLast("http1-codec", new HttpClientCodec(new HttpDecoderConfig(), false, false))
                        .addLast("upstream", new UpstreamHandler(pool, key));
                }
            })
            .connect(address);
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

    /**
     * @return idle connections over all endpoints (for tests and the admin view).
     */
    public int idleCount()
    {
        int count = 0;
        for (final ArrayDeque<Channel> idle : idleByEndpoint.values())
        {
            count += idle.size();
        }
        return count;
    }
}
