package io.mecmesh.dataplane;

import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.StatsRegistry;
import io.mecmesh.dataplane.lifecycle.DrainEvent;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteTable;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsContexts;
import io.mecmesh.dataplane.transport.Transport;
import io.mecmesh.dataplane.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A running data plane: the event loops, the listeners bound from a {@link MeshConfig}, and the current route
 * table snapshot. Started by {@link #start}, stopped by {@link #close}. Thread-safe.
 */
public final class DataPlane implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
    private static final long SHUTDOWN_QUIET_MS = 50;
    private static final long SHUTDOWN_TIMEOUT_MS = 1500;
    /** How long {@link #close()} lets requests in flight finish. */
    public static final long DEFAULT_DRAIN_MS = 5000;

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup eventLoops;
    private final Map<String, Channel> listeners;
    private final AtomicReference<Snapshot> current;
    private final PeerRejections peerRejections;
    private final StatsRegistry stats;
    private final ChannelGroup downstream;
    private volatile boolean ready;

    /** What one configuration version runs: published whole, read once per request (or L4 connection). */
    private record Snapshot(MeshConfig config, RouteTable routes, Map<String, Cluster> clusters)
    {
    }

    private DataPlane(
        final Transport transport,
        final MultiThreadIoEventLoopGroup eventLoops,
        final Map<String, Channel> listeners,
        final AtomicReference<Snapshot> current,
        final PeerRejections peerRejections,
        final StatsRegistry stats,
        final ChannelGroup downstream)
    {
        this.downstream = downstream;
        this.peerRejections = peerRejections;
        this.stats = stats;
        this.transport = transport;
        this.eventLoops = eventLoops;
        this.listeners = listeners;
        this.current = current;
        this.ready = true;
    }

    /**
     * Starts the data plane: selects the transport (logged once), resolves the clusters, compiles the routes and
     * binds every listener. Either everything is bound or nothing is left running.
     *
     * @param config   the configuration to run.
     * @param counters where the data plane counts what it does.
     * @return the running data plane, ready.
     * @throws DataPlaneException when a cluster's endpoint does not resolve ({@code CONFIG}) or a listener cannot
     *                            bind or the transport cannot load ({@code UNAVAILABLE}).
     */
    public static DataPlane start(final MeshConfig config, final DataPlaneCounters counters)
    {
        requireNonNull(config, "config");
        requireNonNull(counters, "counters");
        final PeerRejections rejections = new PeerRejections();
        final AtomicReference<Snapshot> current = new AtomicReference<>(compile(config, rejections, counters.stats()));

        final Transport transport = Transport.select(config.transport());
        LOG.info("data plane transport: {} (configured: {})", transport.kind(),
            config.transport().name().toLowerCase(Locale.ROOT));
        final int threads = config.eventLoopThreads() == 0
            ? Runtime.getRuntime().availableProcessors() : config.eventLoopThreads();
        final MultiThreadIoEventLoopGroup eventLoops = transport.newEventLoopGroup(threads, "mecmesh-io");
        final UpstreamPools upstreamPools = new UpstreamPools(eventLoops, transport, counters);

        final Map<String, Channel> bound = new LinkedHashMap<>();
        final ChannelGroup downstream = new DefaultChannelGroup("downstream", GlobalEventExecutor.INSTANCE);
        try
        {
            for (final ListenerConfig listener : config.listeners())
            {
                final SslContext tls = listenerTls(listener, config.listeners().indexOf(listener), rejections);
                bound.put(listener.name(), bind(listener, transport, eventLoops,
                    new PipelineAssembler(listener, () -> current.getAcquire().routes(), upstreamPools, counters,
                        tls, downstream, listener.tcpCluster()
                            .<Supplier<Cluster>>map(name -> () -> current.getAcquire().clusters().get(name))
                            .orElse(null), transport)));
            }
        }
        catch (final RuntimeException ex)
        {
            bound.values().forEach(Channel::close);
            eventLoops.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            throw ex;
        }
        return new DataPlane(transport, eventLoops, Collections.unmodifiableMap(bound), current, rejections,
            counters.stats(), downstream);
    }

    /**
     * Swaps in new routes and clusters. Requests in flight keep the route they were given; new requests see the
     * new table; upstream connections to endpoints that remain are kept.
     *
     * @param config the new configuration; its listeners, transport, event loops and locality must equal the
     *               running ones (changing those needs a restart for now).
     * @throws DataPlaneException ({@code CONFIG}) when the configuration changes what cannot be swapped, or an
     *                            endpoint does not resolve; the running configuration is kept.
     */
    public void update(final MeshConfig config)
    {
        requireNonNull(config, "config");
        final MeshConfig running = current.getAcquire().config();
        if (!running.listeners().equals(config.listeners()) || running.transport() != config.transport()
            || running.eventLoopThreads() != config.eventLoopThreads() || !running.locality().equals(config.locality()))
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                "listeners, transport, eventLoopThreads and locality cannot change without a restart");
        }
        final Snapshot next = compile(config, peerRejections, stats);
        current.setRelease(next);
        LOG.info("data plane configuration version {} applied ({} routes, {} clusters)", config.version(),
            config.routes().size(), config.clusters().size());
    }

    private static SslContext listenerTls(
        final ListenerConfig listener, final int index, final PeerRejections rejections)
    {
        try
        {
            return listener.tls().map(t -> TlsContexts.server(t, rejections, Clock.systemUTC())).orElse(null);
        }
        catch (final DataPlaneException ex)
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                "listeners[" + index + "].tls: " + ex.getMessage(), ex);
        }
    }

    private static Snapshot compile(final MeshConfig config, final PeerRejections rejections,
        final StatsRegistry stats)
    {
        final Map<String, Cluster> clusters = resolveClusters(config.clusters(), config.locality(), rejections,
            stats);
        return new Snapshot(config, RouteTable.build(config.routes(), clusters, config.version(), stats), clusters);
    }

    private static Map<String, Cluster> resolveClusters(
        final List<ClusterConfig> configs,
        final Locality locality,
        final PeerRejections rejections,
        final StatsRegistry stats)
    {
        final Map<String, Cluster> clusters = new LinkedHashMap<>();
        for (int i = 0; i < configs.size(); i++)
        {
            try
            {
                final ClusterConfig cluster = configs.get(i);
                final SslContext tls = cluster.tls().map(t -> TlsContexts.client(t.tls(), t.expectation(),
                    rejections, Clock.systemUTC(), cluster.protocol() == UpstreamProtocol.HTTP2)).orElse(null);
                clusters.put(cluster.name(), Cluster.resolve(cluster, locality, System::nanoTime, tls,
                    stats.cluster(cluster.name())));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                    "clusters[" + i + "]." + ex.getMessage(), ex);
            }
            catch (final DataPlaneException ex)
            {
                throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                    "clusters[" + i + "].tls: " + ex.getMessage(), ex);
            }
        }
        return clusters;
    }

    private static Channel bind(
        final ListenerConfig listener,
        final Transport transport,
        final MultiThreadIoEventLoopGroup eventLoops,
        final PipelineAssembler assembler)
    {
        final ChannelFuture future = new ServerBootstrap()
            .group(eventLoops)
            .channel(transport.serverChannelClass())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, Boolean.TRUE)
            .childOption(ChannelOption.AUTO_READ, Boolean.FALSE)
            .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
            .childHandler(assembler)
            .bind(listener.address(), listener.port())
            .awaitUninterruptibly();
        if (!future.isSuccess())
        {
            throw new DataPlaneException(DataPlaneException.Category.UNAVAILABLE,
                "listener \"" + listener.name() + "\" cannot bind " + listener.address() + ":" + listener.port()
                + ": " + future.cause().getMessage(), future.cause());
        }
        final Channel channel = future.channel();
        LOG.info("listener {} bound to {}", listener.name(), channel.localAddress());
        return channel;
    }

    /**
     * @return true while every listener is bound and the data plane is not closing.
     */
    public boolean isReady()
    {
        if (!ready)
        {
            return false;
        }
        for (final Channel channel : listeners.values())
        {
            if (!channel.isActive())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param name a listener's name.
     * @return the address it is bound to (with the kernel's port when the configuration said 0).
     */
    public InetSocketAddress listenerAddress(final String name)
    {
        final Channel channel = listeners.get(name);
        if (channel == null)
        {
            throw new IllegalArgumentException("no listener named \"" + name + "\"");
        }
        return (InetSocketAddress)channel.localAddress();
    }

    /**
     * @return the bound addresses of all listeners, in configuration order.
     */
    public List<InetSocketAddress> listenerAddresses()
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        listeners.values().forEach(channel -> addresses.add((InetSocketAddress)channel.localAddress()));
        return addresses;
    }

    /**
     * @return peers refused in TLS handshakes, by the rule their certificate broke.
     */
    public PeerRejections peerRejections()
    {
        return peerRejections;
    }

    public Transport transport()
    {
        return transport;
    }

    /**
     * @return the configuration running now.
     */
    public MeshConfig config()
    {
        return current.getAcquire().config();
    }

    /**
     * Drains for at most {@link #DEFAULT_DRAIN_MS}, then stops. Idempotent.
     */
    @Override
    public void close()
    {
        close(DEFAULT_DRAIN_MS);
    }

    /**
     * Stops accepting, lets requests in flight finish (each is answered with {@code Connection: close}; idle
     * connections close at once) for at most {@code drainMs}, then closes what is left and shuts the event loops
     * down. With nothing in flight it returns at once. Idempotent.
     *
     * @param drainMs how long requests in flight may take to finish.
     */
    public void close(final long drainMs)
    {
        ready = false;
        listeners.values().forEach(channel -> channel.close().awaitUninterruptibly());
        for (final Channel channel : downstream)
        {
            channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMs);
        while (!downstream.isEmpty() && System.nanoTime() - deadline < 0)
        {
            downstream.newCloseFuture().awaitUninterruptibly(Math.max(1,
                TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        if (!downstream.isEmpty())
        {
            LOG.warn("drain: {} connection(s) still busy after {} ms, closing them", downstream.size(), drainMs);
            downstream.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
        }
        eventLoops.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS + 500);
    }
}
