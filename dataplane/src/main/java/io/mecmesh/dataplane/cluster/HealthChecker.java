package io.mecmesh.dataplane.cluster;

import io.mecmesh.dataplane.http1.Http1ClientCodec;
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
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Active health checking of one cluster (one configuration version of it): one recurring task on one event loop
 * probes every endpoint each {@link HealthCheckConfig#intervalMs()} (an endpoint whose previous probe is still
 * running is skipped that round), each probe on a fresh connection opened on the same loop and closed after the
 * verdict. Verdicts move the endpoint's {@link EndpointState#isFailingHealthCheck()} flag, which the balancer reads,
 * after the configured thresholds. Confined to its event loop, except {@link #start()} and {@link #stop()}; the
 * probe connections' buffers are released in the probe's handler.
 */
public final class HealthChecker
{
    private static final String USER_AGENT = "mecmesh-health-check";

    private final Cluster cluster;
    private final HealthCheckConfig config;
    private final EventLoop loop;
    private final Transport transport;
    private final HealthCheckStats stats;
    private final Target[] targets;
    private ScheduledFuture<?> task;
    private volatile boolean stopped;

    /**
     * @param cluster   the cluster whose endpoints are probed.
     * @param config    how.
     * @param loop      the event loop the task and the probes run on.
     * @param transport the socket transport of probe connections.
     * @param stats     where probes and healthy endpoints are counted.
     */
    public HealthChecker(
        final Cluster cluster,
        final HealthCheckConfig config,
        final EventLoop loop,
        final Transport transport,
        final HealthCheckStats stats)
    {
        this.cluster = requireNonNull(cluster, "cluster");
        this.config = requireNonNull(config, "config");
        this.loop = requireNonNull(loop, "loop");
        this.transport = requireNonNull(transport, "transport");
        this.stats = requireNonNull(stats, "stats");
        final List<EndpointState> endpoints = cluster.endpoints();
        targets = new Target[endpoints.size()];
        for (int i = 0; i < targets.length; i++)
        {
            targets[i] = new Target(endpoints.get(i));
        }
        publishHealthy();
    }

    /**
     * Carries the active health verdicts of a cluster's endpoints over to the next configuration version of it,
     * by address, so that an endpoint taken out stays out across a swap. Call before the new version is published.
     *
     * @param from the cluster being replaced.
     * @param to   its replacement (a cluster of the same name).
     */
    public static void carryOver(final Cluster from, final Cluster to)
    {
        for (final EndpointState endpoint : to.endpoints())
        {
            for (final EndpointState before : from.endpoints())
            {
                if (before.address().equals(endpoint.address()) && before.isFailingHealthCheck())
                {
                    endpoint.setFailingHealthCheck(true);
                }
            }
        }
    }

    /**
     * Starts probing now, then every interval.
     */
    public void start()
    {
        loop.execute(() ->
        {
            if (!stopped)
            {
                task = loop.scheduleWithFixedDelay(this::probeAll, 0, config.intervalMs(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Stops probing; probes in flight finish without effect. Idempotent.
     */
    public void stop()
    {
        stopped = true;
        if (loop.isShuttingDown())
        {
            return;
        }
        loop.execute(() ->
        {
            if (task != null)
            {
                task.cancel(false);
                task = null;
            }
        });
    }

    /**
     * @return the cluster probed.
     */
    public Cluster cluster()
    {
        return cluster;
    }

    private void probeAll()
    {
        if (stopped)
        {
            return;
        }
        for (final Target target : targets)
        {
            if (!target.inFlight)
            {
                target.probe();
            }
        }
    }

    private void publishHealthy()
    {
        int healthy = 0;
        for (final Target target : targets)
        {
            if (!target.endpoint.isFailingHealthCheck())
            {
                healthy++;
            }
        }
        stats.onHealthy(healthy, targets.length);
    }

    /** One endpoint's probing state: confined to the loop. */
    private final class Target
    {
        private final EndpointState endpoint;
        private boolean inFlight;
        private int successes;
        private int failures;

        Target(final EndpointState endpoint)
        {
            this.endpoint = endpoint;
        }

        void probe()
        {
            inFlight = true;
            final Probe probe = new Probe(this);
            final SslContext tls = config.kind() == HealthCheckConfig.Kind.HTTP ? cluster.sslContext() : null;
            final ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)config.timeoutMs())
                .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .handler(new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        if (config.kind() == HealthCheckConfig.Kind.TCP)
                        {
                            return;
                        }
                        if (tls != null)
                        {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc(),
                                endpoint.endpoint().host(), endpoint.address().getPort()));
                        }
                        channel.pipeline().addLast(new Http1ClientCodec(), probe);
                    }
                })
                .connect(endpoint.address());
            probe.channel = connect.channel();
            probe.timeout = loop.schedule(() -> probe.done(false), config.timeoutMs(), TimeUnit.MILLISECONDS);
            connect.addListener((ChannelFutureListener)connected ->
            {
                if (!connected.isSuccess())
                {
                    probe.done(false);
                }
                else if (config.kind() == HealthCheckConfig.Kind.TCP)
                {
                    probe.done(true);
                }
                else
                {
                    final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                        config.path());
                    request.headers()
                        .set(HttpHeaderNames.HOST, cluster.name())
                        .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                    connected.channel().writeAndFlush(request);
                }
            });
        }

        void onVerdict(final boolean ok)
        {
            inFlight = false;
            if (stopped)
            {
                return;
            }
            stats.onCheck(ok);
            if (ok)
            {
                failures = 0;
                successes++;
                if (endpoint.isFailingHealthCheck() && successes >= config.healthyThreshold())
                {
                    endpoint.setFailingHealthCheck(false);
                    publishHealthy();
                }
            }
            else
            {
                successes = 0;
                failures++;
                if (!endpoint.isFailingHealthCheck() && failures >= config.unhealthyThreshold())
                {
                    endpoint.setFailingHealthCheck(true);
                    publishHealthy();
                }
            }
        }
    }

    /**
     * One probe: reaches a verdict once (response status, connect failure, close before a response, or timeout),
     * then closes its connection. Releases every message it reads.
     */
    private final class Probe extends ChannelInboundHandlerAdapter
    {
        private final Target target;
        private Channel channel;
        private ScheduledFuture<?> timeout;
        private boolean finished;

        Probe(final Target target)
        {
            this.target = target;
        }

        @Override
        public boolean isSharable()
        {
            return false;
        }

        void done(final boolean ok)
        {
            if (finished)
            {
                return;
            }
            finished = true;
            if (timeout != null)
            {
                timeout.cancel(false);
            }
            if (channel != null)
            {
                channel.close();
            }
            target.onVerdict(ok);
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof HttpResponse response)
                {
                    final int status = response.status().code();
                    if (status >= 200)
                    {
                        done(status >= config.expectedStatusMin() && status <= config.expectedStatusMax());
                    }
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            done(false);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            done(false);
        }
    }
}
