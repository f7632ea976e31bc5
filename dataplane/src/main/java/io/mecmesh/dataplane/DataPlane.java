package io.mecmesh.dataplane;

import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.HealthCheckConfig;
import io.mecmesh.dataplane.cluster.HealthCheckStats;
import io.mecmesh.dataplane.cluster.HealthChecker;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.StatsRegistry;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.exchange.Snapshot;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.lifecycle.DrainEvent;
import io.mecmesh.dataplane.listener.ClientErrorLog;
import io.mecmesh.dataplane.listener.Http2ResetBudget;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.overload.OverloadMonitor;
import io.mecmesh.dataplane.overload.OverloadSignals;
import io.mecmesh.dataplane.overload.OverloadStats;
import io.mecmesh.dataplane.overload.RuntimeOverloadSignals;
import io.mecmesh.dataplane.pipeline.PipelineAssembler;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.qos.QosRuntime;
import io.mecmesh.dataplane.route.RouteTable;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsContexts;
import io.mecmesh.dataplane.transport.Transport;
import io.mecmesh.dataplane.upstream.UpstreamPools;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A running data plane: the event loops, the listeners bound from a {@link MeshConfig}, and the current route
 * table snapshot. Started by {@link #start}, reconfigured by {@link #update}, stopped by {@link #close}.
 * Thread-safe.
 *
 * <p>On top of the request path it runs, on its event loops: the active health checks of the clusters that have
 * one (one recurring task per cluster) and, while shedding is configured, the overload monitor (one lag probe per
 * loop, one evaluation task).
 */
public final class DataPlane implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);
    private static final long SHUTDOWN_QUIET_MS = 50;
    private static final long SHUTDOWN_TIMEOUT_MS = 1500;
    /** How long {@link #close()} lets requests in flight finish, and {@link #update} a removed listener's. */
    public static final long DEFAULT_DRAIN_MS = 5000;
    private static final int REBIND_ATTEMPTS = 10;
    private static final long REBIND_PAUSE_MS = 20;

    private final Transport transport;
    private final MultiThreadIoEventLoopGroup eventLoops;
    private final Snapshots snapshots;
    /** The configuration running now; written under {@link #lock}. */
    private volatile MeshConfig running;
    private final PeerRejections peerRejections;
    private final StatsRegistry stats;
    private final ChannelGroup downstream;
    private final UpstreamPools upstreamPools;
    private final DataPlaneCounters counters;
    private final OverloadMonitor overload;
    private final SliceStatsRegistry sliceStats;
    private final QosRuntime qos;
    private final AccessLog accessLog;
    private final Http2ResetBudget resetBudget;
    private final ClientErrorLog clientErrors;
    private final ConcurrentMap<String, HealthCheckStats> healthCheckStats = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile Map<String, Bound> listeners = Map.of();
    private List<HealthChecker> healthCheckers = List.of();
    private boolean closed;
    private volatile boolean ready;

    /**
     * A bound listener: its configuration, its listening socket, and the connections that socket accepted (they
     * outlive the socket when the listener is replaced or removed).
     */
    private record Bound(ListenerConfig config, Channel server, ChannelGroup connections, int boundPort)
    {
    }

    private DataPlane(
        final Transport transport,
        final MultiThreadIoEventLoopGroup eventLoops,
        final MeshConfig config,
        final Snapshots snapshots,
        final PeerRejections peerRejections,
        final DataPlaneCounters counters,
        final UpstreamPools upstreamPools,
        final OverloadMonitor overload,
        final SliceStatsRegistry sliceStats,
        final Http2ResetBudget resetBudget,
        final ClientErrorLog clientErrors)
    {
        this.resetBudget = resetBudget;
        this.clientErrors = clientErrors;
        this.sliceStats = sliceStats;
        this.downstream = new DefaultChannelGroup("downstream", GlobalEventExecutor.INSTANCE);
        this.peerRejections = peerRejections;
        this.counters = counters;
        this.stats = counters.stats();
        this.transport = transport;
        this.eventLoops = eventLoops;
        this.running = config;
        this.snapshots = snapshots;
        this.qos = new QosRuntime(System::nanoTime, eventLoops.executorCount());
        this.qos.configure(config.qos());
        this.accessLog = new AccessLog(counters);
        this.upstreamPools = upstreamPools;
        this.overload = overload;
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
        return start(config, counters, null);
    }

    /**
     * Starts the data plane with the overload signals given (tests drive overload with them) instead of the live
     * ones of this JVM.
     *
     * @param config          the configuration to run.
     * @param counters        where the data plane counts what it does.
     * @param overloadSignals what the overload monitor reads, or {@code null} for the live event-loop lag and
     *                        memory use.
     * @return the running data plane, ready.
     * @throws DataPlaneException as {@link #start(MeshConfig, DataPlaneCounters)}.
     */
    public static DataPlane start(
        final MeshConfig config, final DataPlaneCounters counters, final OverloadSignals overloadSignals)
    {
        requireNonNull(counters, "counters");
        return start(config, counters, overloadSignals, Http2ResetBudget.Limit.DEFAULT,
            ClientErrorLog.toLogger(counters));
    }

    /**
     * Starts the data plane with the HTTP/2 protections given (tests use a small reset budget and read the lines
     * about client errors).
     *
     * @param config          the configuration to run.
     * @param counters        where the data plane counts what it does.
     * @param overloadSignals what the overload monitor reads, or {@code null} for the live ones.
     * @param resetLimit      the budget of RST_STREAM frames from all HTTP/2 clients together.
     * @param clientErrors    where client-caused HTTP/2 connection errors are counted and logged.
     * @return the running data plane, ready.
     * @throws DataPlaneException as {@link #start(MeshConfig, DataPlaneCounters)}.
     */
    public static DataPlane start(
        final MeshConfig config,
        final DataPlaneCounters counters,
        final OverloadSignals overloadSignals,
        final Http2ResetBudget.Limit resetLimit,
        final ClientErrorLog clientErrors)
    {
        requireNonNull(config, "config");
        requireNonNull(resetLimit, "resetLimit");
        requireNonNull(clientErrors, "clientErrors");
        requireNonNull(counters, "counters");
        final PeerRejections rejections = new PeerRejections();
        final SliceStatsRegistry sliceStats = new SliceStatsRegistry();
        final Snapshots snapshots = new Snapshots(compile(config, PolicyTable.empty(), rejections, counters.stats(),
            sliceStats));

        final Transport transport = Transport.select(config.transport());
        LOG.info("data plane transport: {} (configured: {})", transport.kind(),
            config.transport().name().toLowerCase(Locale.ROOT));
        final int threads = config.eventLoopThreads() == 0
            ? Runtime.getRuntime().availableProcessors() : config.eventLoopThreads();
        final MultiThreadIoEventLoopGroup eventLoops = transport.newEventLoopGroup(threads, "mecmesh-io");
        final UpstreamPools upstreamPools = new UpstreamPools(eventLoops, transport, counters);
        final OverloadMonitor overload = new OverloadMonitor(config.overload(),
            overloadSignals == null ? new RuntimeOverloadSignals(eventLoops) : overloadSignals, new OverloadStats());
        final DataPlane dataPlane = new DataPlane(transport, eventLoops, config, snapshots, rejections, counters,
            upstreamPools, overload, sliceStats, new Http2ResetBudget(resetLimit, System::nanoTime, counters),
            clientErrors);

        final Map<String, Bound> bound = new LinkedHashMap<>();
        try
        {
            for (int i = 0; i < config.listeners().size(); i++)
            {
                final ListenerConfig listener = config.listeners().get(i);
                bound.put(listener.name(), dataPlane.bindListener(listener, i, listener.port(),
                    new DefaultChannelGroup("listener-" + listener.name(), GlobalEventExecutor.INSTANCE), false));
            }
        }
        catch (final RuntimeException ex)
        {
            bound.values().forEach(b -> b.server().close());
            eventLoops.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            throw ex;
        }
        synchronized (dataPlane.lock)
        {
            dataPlane.listeners = Collections.unmodifiableMap(bound);
            dataPlane.healthCheckers = dataPlane.startHealthChecks(config, snapshots.current());
        }
        overload.start(eventLoops.next());
        dataPlane.ready = true;
        return dataPlane;
    }

    /**
     * Applies a new configuration, draining a removed listener's connections for at most
     * {@link #DEFAULT_DRAIN_MS}: see {@link #update(MeshConfig, long)}.
     *
     * @param config the new configuration.
     * @throws DataPlaneException as {@link #update(MeshConfig, long)}.
     */
    public void update(final MeshConfig config)
    {
        update(config, DEFAULT_DRAIN_MS);
    }

    /**
     * Applies a new configuration without dropping established connections:
     * <ul>
     *   <li>routes and clusters are swapped: requests in flight keep the route they were given; new requests see
     *   the new table; upstream connections to endpoints that remain are kept; active health checks restart on
     *   the new clusters, an endpoint keeping the health it had under the same address;</li>
     *   <li>a new listener is bound;</li>
     *   <li>a listener whose settings changed is bound again with them (on the port it has now when its address
     *   and port are unchanged, even if the configuration says 0): with {@code SO_REUSEPORT} (epoll, io_uring)
     *   the new socket is bound before the old one closes; on NIO the old socket closes first (a connection
     *   attempt in between is refused). Connections the old socket accepted go on with the old settings until
     *   they close;</li>
     *   <li>a removed listener stops accepting and drains: an idle connection closes now, a request in flight is
     *   answered with {@code Connection: close} (HTTP/2: GOAWAY); what is left after {@code drainMs} is
     *   closed;</li>
     *   <li>the overload thresholds apply from the next evaluation.</li>
     * </ul>
     *
     * @param config  the new configuration; its transport, event loops and locality must equal the running ones.
     * @param drainMs how long a removed listener's requests in flight may take to finish.
     * @throws DataPlaneException ({@code CONFIG}) when the configuration changes what cannot be swapped, or an
     *                            endpoint does not resolve, or a listener's TLS does not load; ({@code UNAVAILABLE})
     *                            when a listener cannot bind. The running configuration is then kept (on NIO a
     *                            changed listener whose new bind fails is bound again with its old settings).
     */
    public void update(final MeshConfig config, final long drainMs)
    {
        update(config, PolicyTable.empty(), drainMs);
    }

    /**
     * Applies a new configuration and its per-slice policy table as one snapshot, as {@link #update(MeshConfig,
     * long)} does: new requests see the new routes, classifier, clusters and table together (one release store),
     * never the routes of one version with the table of another; if the update fails the whole previous snapshot
     * stays (or is restored).
     *
     * @param config   the new configuration.
     * @param policies its policy table: {@code policies.version() == config.version()}, or an empty table (a node
     *                 without a control plane).
     * @param drainMs  how long a removed listener's requests in flight may take to finish.
     * @throws DataPlaneException ({@code CONFIG}) when the table's version differs from the configuration's, and
     *                            as {@link #update(MeshConfig, long)}.
     */
    public void update(final MeshConfig config, final PolicyTable policies, final long drainMs)
    {
        requireNonNull(config, "config");
        requireNonNull(policies, "policies");
        if (policies.recordCount() > 0 && policies.version() != config.version())
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG, "policies.version: "
                + policies.version() + " differs from the configuration's version " + config.version());
        }
        synchronized (lock)
        {
            if (closed)
            {
                throw new DataPlaneException(DataPlaneException.Category.UNAVAILABLE, "the data plane is closed");
            }
            final Snapshot previous = snapshots.current();
            final MeshConfig previousConfig = running;
            if (previousConfig.transport() != config.transport() || previousConfig.eventLoopThreads() != config.eventLoopThreads()
                || !previousConfig.locality().equals(config.locality()))
            {
                throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                    "transport, eventLoopThreads and locality cannot change without a restart");
            }
            final Snapshot next = compile(config, policies, peerRejections, stats, sliceStats);
            for (final String checked : config.healthChecks().keySet())
            {
                final Cluster before = previous.clusters().get(checked);
                if (before != null && previousConfig.healthChecks().containsKey(checked))
                {
                    HealthChecker.carryOver(before, next.clusters().get(checked));
                }
            }
            running = config;
            snapshots.publish(next);
            qos.configure(config.qos());
            final Map<String, Bound> before = listeners;
            final Map<String, Bound> after = new LinkedHashMap<>();
            final List<Bound> fresh = new ArrayList<>();
            final List<Bound> closedFirst = new ArrayList<>();
            final List<Bound> replaced = new ArrayList<>();
            try
            {
                for (int i = 0; i < config.listeners().size(); i++)
                {
                    final ListenerConfig listener = config.listeners().get(i);
                    final Bound old = before.get(listener.name());
                    if (old != null && old.config().equals(listener))
                    {
                        after.put(listener.name(), old);
                        continue;
                    }
                    int port = listener.port();
                    boolean sharing = false;
                    if (old != null)
                    {
                        final boolean samePlace = old.config().address().equals(listener.address())
                            && old.config().port() == listener.port();
                        port = samePlace ? old.boundPort() : listener.port();
                        sharing = samePlace && transport.supportsReusePort();
                        if (samePlace && !transport.supportsReusePort())
                        {
                            old.server().close().awaitUninterruptibly();
                            closedFirst.add(old);
                        }
                        replaced.add(old);
                    }
                    final ChannelGroup connections =
                        new DefaultChannelGroup("listener-" + listener.name(), GlobalEventExecutor.INSTANCE);
                    Bound bound;
                    if (closedFirst.contains(old))
                    {
                        bound = bindAlone(listener, i, port, connections, old.server().eventLoop());
                    }
                    else
                    {
                        try
                        {
                            bound = bindListener(listener, i, port, connections, sharing);
                        }
                        catch (final DataPlaneException ex)
                        {
                            if (!sharing)
                            {
                                throw ex;
                            }
                            LOG.warn("listener {}: binding next to the old socket failed ({}); closing it first",
                                listener.name(), ex.getMessage());
                            old.server().close().awaitUninterruptibly();
                            closedFirst.add(old);
                            bound = bindAlone(listener, i, port, connections, old.server().eventLoop());
                        }
                    }
                    fresh.add(bound);
                    after.put(listener.name(), bound);
                }
            }
            catch (final RuntimeException ex)
            {
                fresh.forEach(b -> b.server().close().awaitUninterruptibly());
                restore(closedFirst, before);
                running = previousConfig;
                snapshots.publish(previous);
                qos.configure(previousConfig.qos());
                throw ex;
            }
            listeners = Collections.unmodifiableMap(after);
            for (final Bound old : replaced)
            {
                old.server().close().awaitUninterruptibly();
                LOG.info("listener {} rebound with new settings; {} connection(s) go on with the old ones",
                    old.config().name(), old.connections().size());
            }
            for (final Map.Entry<String, Bound> entry : before.entrySet())
            {
                if (!after.containsKey(entry.getKey()))
                {
                    retire(entry.getValue(), drainMs);
                }
            }
            healthCheckers.forEach(HealthChecker::stop);
            healthCheckers = startHealthChecks(config, next);
            overload.configure(config.overload());
        }
        LOG.info("data plane configuration version {} applied ({} listeners, {} routes, {} clusters)",
            config.version(), config.listeners().size(), config.routes().size(), config.clusters().size());
    }

    /**
     * Binds a changed listener once its old socket is closed. The kernel may release the old socket a little after
     * its close completed (NIO closes a socket registered with a selector at the selector's next round; io_uring
     * closes asynchronously): the bind is tried again, each time after a round of the old socket's event loop.
     * When sockets of the old listener that do not allow {@code SO_REUSEPORT} remain on the port, Linux refuses a
     * socket with it: the last attempt binds without it (the listener's next change then closes before binding).
     */
    private Bound bindAlone(final ListenerConfig listener, final int index, final int port,
        final ChannelGroup connections, final EventLoop oldLoop)
    {
        DataPlaneException failure = null;
        for (int attempt = 0; attempt < REBIND_ATTEMPTS; attempt++)
        {
            try
            {
                return bindListener(listener, index, port, connections, true, attempt < REBIND_ATTEMPTS - 1);
            }
            catch (final DataPlaneException ex)
            {
                failure = ex;
                if (!oldLoop.isShuttingDown())
                {
                    oldLoop.schedule(() -> { }, REBIND_PAUSE_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly();
                }
            }
        }
        throw failure;
    }

    /** After a failed update on NIO: binds again, with their old settings, the listeners closed before it. */
    private void restore(final List<Bound> closedFirst, final Map<String, Bound> before)
    {
        if (closedFirst.isEmpty())
        {
            return;
        }
        final Map<String, Bound> restored = new LinkedHashMap<>(before);
        for (final Bound old : closedFirst)
        {
            try
            {
                restored.put(old.config().name(), bindListener(old.config(), 0, old.boundPort(), old.connections(),
                    false));
            }
            catch (final RuntimeException ex)
            {
                LOG.error("listener {} could not be bound again after a failed update: {}", old.config().name(),
                    ex.getMessage());
            }
        }
        listeners = Collections.unmodifiableMap(restored);
    }

    /** Stops a removed listener accepting and drains its connections for at most {@code drainMs}. */
    private void retire(final Bound bound, final long drainMs)
    {
        bound.server().close().awaitUninterruptibly();
        final ChannelGroup connections = bound.connections();
        LOG.info("listener {} removed; draining {} connection(s) for at most {} ms", bound.config().name(),
            connections.size(), drainMs);
        for (final Channel channel : connections)
        {
            channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        }
        if (!connections.isEmpty())
        {
            eventLoops.next().schedule(() ->
            {
                if (!connections.isEmpty())
                {
                    LOG.warn("listener {} drain: {} connection(s) still busy after {} ms, closing them",
                        bound.config().name(), connections.size(), drainMs);
                    connections.close();
                }
            }, drainMs, TimeUnit.MILLISECONDS);
        }
    }

    private List<HealthChecker> startHealthChecks(final MeshConfig config, final Snapshot snapshot)
    {
        final List<HealthChecker> checkers = new ArrayList<>();
        for (final Map.Entry<String, HealthCheckConfig> check : config.healthChecks().entrySet())
        {
            final String name = check.getKey();
            final HealthChecker checker = new HealthChecker(snapshot.clusters().get(name), check.getValue(),
                eventLoops.next(), transport, healthCheckStats.computeIfAbsent(name, HealthCheckStats::new));
            checker.start();
            checkers.add(checker);
        }
        return checkers;
    }

    /**
     * @param sharing true when the port is bound by the listener this one replaces (the only case where another
     *                socket may hold it: {@code SO_REUSEPORT} would otherwise let two data planes share a port
     *                without an error).
     */
    private Bound bindListener(final ListenerConfig listener, final int index, final int port,
        final ChannelGroup connections, final boolean sharing)
    {
        return bindListener(listener, index, port, connections, sharing, true);
    }

    private Bound bindListener(final ListenerConfig listener, final int index, final int port,
        final ChannelGroup connections, final boolean sharing, final boolean reusePort)
    {
        if (!sharing && port != 0 && transport.supportsReusePort())
        {
            requirePortFree(listener, port);
        }
        final SslContext tls = listenerTls(listener, index, peerRejections);
        final PipelineAssembler assembler = new PipelineAssembler(listener, snapshots,
            upstreamPools, counters, tls, downstream, connections, listener.tcpCluster()
                .<Supplier<Cluster>>map(name -> () -> snapshots.current().clusters().get(name))
                .orElse(null), transport, overload, sliceStats, resetBudget, clientErrors, qos, accessLog);
        final Channel server = bind(listener, port, transport, eventLoops, assembler, reusePort);
        return new Bound(listener, server, connections, ((InetSocketAddress)server.localAddress()).getPort());
    }

    private static SslContext listenerTls(
        final ListenerConfig listener, final int index, final PeerRejections rejections)
    {
        try
        {
            return listener.tls().map(t -> TlsContexts.server(t, listener.tlsPolicy(), rejections,
                Clock.systemUTC())).orElse(null);
        }
        catch (final DataPlaneException ex)
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                "listeners[" + index + "].tls: " + ex.getMessage(), ex);
        }
    }

    private static Snapshot compile(final MeshConfig config, final PolicyTable policies,
        final PeerRejections rejections, final StatsRegistry stats, final SliceStatsRegistry sliceStats)
    {
        final Map<String, Cluster> clusters = resolveClusters(config.clusters(), config.locality(), rejections,
            stats);
        return new Snapshot(config.version(), RouteTable.build(config.routes(), clusters, config.version(), stats),
            Classifier.build(config.classification(), sliceStats), policies, clusters);
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

    /**
     * Listener sockets carry {@code SO_REUSEPORT} on epoll and io_uring (for rebinding), which would let a second
     * socket with it bind the same port silently: a fresh listener first binds the port without it, which fails
     * when anything holds the port.
     */
    private static void requirePortFree(final ListenerConfig listener, final int port)
    {
        try (ServerSocket probe = new ServerSocket())
        {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(listener.address(), port), 1);
        }
        catch (final IOException ex)
        {
            throw new DataPlaneException(DataPlaneException.Category.UNAVAILABLE,
                "listener \"" + listener.name() + "\" cannot bind " + listener.address() + ":" + port + ": "
                + ex.getMessage(), ex);
        }
    }

    private static Channel bind(
        final ListenerConfig listener,
        final int port,
        final Transport transport,
        final MultiThreadIoEventLoopGroup eventLoops,
        final PipelineAssembler assembler,
        final boolean reusePort)
    {
        final ChannelFuture future = (reusePort ? transport.reusePort(new ServerBootstrap()) : new ServerBootstrap())
            .group(eventLoops)
            .channelFactory(transport.serverChannelFactory(listener.address()))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, Boolean.TRUE)
            .childOption(ChannelOption.AUTO_READ, Boolean.FALSE)
            .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
            .childHandler(assembler)
            .bind(listener.address(), port)
            .awaitUninterruptibly();
        if (!future.isSuccess())
        {
            throw new DataPlaneException(DataPlaneException.Category.UNAVAILABLE,
                "listener \"" + listener.name() + "\" cannot bind " + listener.address() + ":" + port
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
        for (final Bound bound : listeners.values())
        {
            if (!bound.server().isActive())
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
        final Bound bound = listeners.get(name);
        if (bound == null)
        {
            throw new IllegalArgumentException("no listener named \"" + name + "\"");
        }
        return (InetSocketAddress)bound.server().localAddress();
    }

    /**
     * @return the bound addresses of all listeners, in configuration order.
     */
    public List<InetSocketAddress> listenerAddresses()
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        listeners.values().forEach(bound -> addresses.add((InetSocketAddress)bound.server().localAddress()));
        return addresses;
    }

    /**
     * Publishes the current snapshot again with another per-slice policy table (a release store; requests in
     * flight keep the settings they started with). No version check: for tests and tools. A node applying a
     * configuration uses {@link #update(MeshConfig, PolicyTable, long)}, which swaps routes and table together.
     * Until a table is given it is empty: every request runs with its route's own settings.
     *
     * @param table the new table.
     */
    public void publishPolicyTable(final PolicyTable table)
    {
        requireNonNull(table, "table");
        synchronized (lock)
        {
            snapshots.publish(snapshots.current().withPolicies(table));
        }
    }

    /**
     * @return the snapshot new requests run with now (routes, classifier, policy table and clusters of one
     * version).
     */
    public Snapshot snapshot()
    {
        return snapshots.current();
    }

    /**
     * @return the per-slice policy table requests look up now.
     */
    public PolicyTable policyTable()
    {
        return snapshots.current().policies();
    }

    /**
     * @return per-slice request statistics: requests classified into each slice (slice 0: unclassified), policy
     * hits and misses.
     */
    public SliceStatsRegistry sliceStats()
    {
        return sliceStats;
    }

    /**
     * @return where the event loops write the access log: attach a ring to turn it on.
     */
    public AccessLog accessLog()
    {
        return accessLog;
    }

    /**
     * @return the node's QoS state: per-slice admission outcomes, bytes and active GBR requests.
     */
    public QosRuntime qos()
    {
        return qos;
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
        return running;
    }

    /**
     * @return active health checking by cluster name: probes passed and failed, endpoints healthy. Clusters keep
     * their statistics across configuration versions.
     */
    public Collection<HealthCheckStats> healthCheckStats()
    {
        return Collections.unmodifiableCollection(healthCheckStats.values());
    }

    /**
     * @return the overload monitor: its state and what shedding did ({@link OverloadMonitor#stats()}).
     */
    public OverloadMonitor overload()
    {
        return overload;
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
        synchronized (lock)
        {
            closed = true;
            healthCheckers.forEach(HealthChecker::stop);
            healthCheckers = List.of();
        }
        overload.stop();
        listeners.values().forEach(bound -> bound.server().close().awaitUninterruptibly());
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
