package io.mecmesh.dataplane.cluster;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Active health checks on loopback: an endpoint whose health path starts failing is taken out of balancing after
 * the unhealthy threshold (no request reaches it), and comes back after the healthy threshold; TCP checks take out
 * an endpoint that refuses connections.
 */
class HealthCheckTest
{
    private static final HealthCheckConfig FAST_HTTP = HealthCheckConfig.http("/health").withTiming(40, 40, 2, 2);

    @Test
    void shouldTakeOutAnEndpointFailingItsHealthPathKeepItOutAcrossASwapAndBringItBack() throws IOException
    {
        try (HealthBackend a = new HealthBackend("a"); HealthBackend b = new HealthBackend("b"))
        {
            final MeshConfig config = new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "app")),
                List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", a.port()),
                    new Endpoint("127.0.0.1", b.port())))))
                .withHealthChecks(Map.of("app", FAST_HTTP));
            final DataPlane dataPlane = DataPlane.start(config, new DataPlaneCounters());
            try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                final HealthCheckStats stats = dataPlane.healthCheckStats().iterator().next();
                assertThat(stats.cluster()).isEqualTo("app");
                Await.until("probes of both endpoints", Duration.ofSeconds(5), () -> stats.checksOk() >= 4);
                assertThat(stats.healthyEndpoints()).isEqualTo(2);
                send(client, 10);
                assertThat(b.served()).as("both serve while healthy").isPositive();
                assertThat(b.healthChecks()).isPositive();

                b.healthy.set(false);
                Await.until("b taken out", Duration.ofSeconds(5), () -> stats.healthyEndpoints() == 1);
                assertThat(stats.checksFailed()).isGreaterThanOrEqualTo(2);
                final int servedByB = b.served();
                final int servedByA = a.served();
                send(client, 20);
                assertThat(b.served()).as("no request reaches the unhealthy endpoint").isEqualTo(servedByB);
                assertThat(a.served()).isEqualTo(servedByA + 20);
                dataPlane.update(config.withRoutes(1, config.routes(), config.clusters()));
                assertThat(stats.healthyEndpoints()).as("the verdict survives a configuration swap").isEqualTo(1);
                send(client, 10);
                assertThat(b.served()).isEqualTo(servedByB);

                b.healthy.set(true);
                Await.until("b back", Duration.ofSeconds(5), () -> stats.healthyEndpoints() == 2);
                send(client, 20);
                assertThat(b.served()).as("the endpoint serves again").isGreaterThan(servedByB);
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldTakeOutAnEndpointRefusingConnectionsWithTcpChecks() throws IOException
    {
        final int dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            dead = socket.getLocalPort();
        }
        try (TestBackend live = new TestBackend("live"))
        {
            final MeshConfig config = new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "app")),
                List.of(new ClusterConfig("app", List.of(new Endpoint("127.0.0.1", live.port()),
                    new Endpoint("127.0.0.1", dead)), 1000, 8, 60_000, LbPolicy.ROUND_ROBIN, "", 70,
                    new OutlierDetection(0, 1000, 50), Optional.empty())))
                .withHealthChecks(Map.of("app", HealthCheckConfig.tcp().withTiming(40, 40, 1, 1)));
            final DataPlaneCounters counters = new DataPlaneCounters();
            final DataPlane dataPlane = DataPlane.start(config, counters);
            try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                final HealthCheckStats stats = dataPlane.healthCheckStats().iterator().next();
                Await.until("the dead endpoint taken out", Duration.ofSeconds(5),
                    () -> stats.healthyEndpoints() == 1 && stats.checksOk() >= 1);
                for (int i = 0; i < 10; i++)
                {
                    assertThat(client.send("GET /n HTTP/1.1\r\nHost: app\r\n\r\n").read().status())
                        .as("passive ejection is off: only the health check keeps requests off the dead endpoint")
                        .isEqualTo(200);
                }
                assertThat(counters.stats().cluster("app").failures()).as("no attempt went to the dead endpoint")
                    .isZero();
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldRejectAHealthCheckThatCannotWork()
    {
        final MeshConfig config = new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)), List.of(),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", 8080)))
                .withProtocol(UpstreamProtocol.HTTP2)));

        assertThatThrownBy(() -> config.withHealthChecks(Map.of("other", HealthCheckConfig.tcp())))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("healthChecks.other: no cluster named \"other\" (clusters: app)");
        assertThatThrownBy(() -> config.withHealthChecks(Map.of("app", HealthCheckConfig.http("/h"))))
            .hasMessageStartingWith("healthChecks.app.kind: http probes speak HTTP/1.1");
        assertThat(config.withHealthChecks(Map.of("app", HealthCheckConfig.tcp())).healthChecks()).hasSize(1);
        assertThatThrownBy(() -> HealthCheckConfig.http("health"))
            .hasMessageStartingWith("path: expected an absolute path");
        assertThatThrownBy(() -> HealthCheckConfig.tcp().withTiming(100, 200, 1, 1))
            .hasMessage("timeoutMs: expected 1 to intervalMs (100), got 200");
    }

    private static void send(final RawHttp client, final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            assertThat(client.send("GET /work HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    /** An HTTP server whose {@code /health} answers 200 or 503 as the test says; counts what it serves. */
    private static final class HealthBackend implements AutoCloseable
    {
        private final AtomicBoolean healthy = new AtomicBoolean(true);
        private final AtomicInteger served = new AtomicInteger();
        private final AtomicInteger healthChecks = new AtomicInteger();
        private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            NioIoHandler.newFactory());
        private final Channel server;

        HealthBackend(final String name)
        {
            server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024),
                            new SimpleChannelInboundHandler<FullHttpRequest>()
                            {
                                @Override
                                protected void channelRead0(final ChannelHandlerContext ctx,
                                    final FullHttpRequest request)
                                {
                                    final boolean health = request.uri().equals("/health");
                                    (health ? healthChecks : served).incrementAndGet();
                                    final HttpResponseStatus status = health && !healthy.get()
                                        ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
                                    final FullHttpResponse response = new DefaultFullHttpResponse(
                                        HttpVersion.HTTP_1_1, status, ByteBufUtil.writeUtf8(ctx.alloc(), name));
                                    HttpUtil.setContentLength(response, response.content().readableBytes());
                                    HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
                                    ctx.writeAndFlush(response);
                                }
                            });
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
        }

        int port()
        {
            return ((InetSocketAddress)server.localAddress()).getPort();
        }

        int served()
        {
            return served.get();
        }

        int healthChecks()
        {
            return healthChecks.get();
        }

        @Override
        public void close()
        {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
