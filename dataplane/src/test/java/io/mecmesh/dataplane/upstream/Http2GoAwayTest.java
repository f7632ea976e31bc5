package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An HTTP/2 upstream that sends GOAWAY after N streams on each connection: new streams go to a new connection at
 * once, those the GOAWAY covers finish on the old one, and no request fails or is retried.
 */
class Http2GoAwayTest
{
    private static final int STREAMS_PER_CONNECTION = 4;
    private static final AttributeKey<AtomicInteger> STREAMS = AttributeKey.valueOf("streams");

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private Channel server;
    private DataPlane dataPlane;

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        if (server != null)
        {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers each stream (after {@code delayMs}); the Nth stream of a connection is followed by a GOAWAY. */
    private void startBackend(final long delayMs)
    {
        server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    connections.incrementAndGet();
                    channel.attr(STREAMS).set(new AtomicInteger());
                    channel.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>()
                        {
                            @Override
                            protected void initChannel(final Http2StreamChannel stream)
                            {
                                stream.pipeline().addLast(new GoAwayAfterN(delayMs));
                            }
                        }));
                }
            })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    }

    private final class GoAwayAfterN extends ChannelInboundHandlerAdapter
    {
        private final long delayMs;

        GoAwayAfterN(final long delayMs)
        {
            this.delayMs = delayMs;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof Http2HeadersFrame headers)
                {
                    final String path = String.valueOf(headers.headers().path());
                    final int nth = ctx.channel().parent().attr(STREAMS).get().incrementAndGet();
                    if (nth == STREAMS_PER_CONNECTION)
                    {
                        // Last stream id: the highest stream received so far; later ones are refused.
                        ctx.channel().parent().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
                    }
                    ctx.executor().schedule(() ->
                    {
                        served.incrementAndGet();
                        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                        ctx.writeAndFlush(new DefaultHttp2DataFrame(
                            ByteBufUtil.writeUtf8(ctx.alloc(), "served " + path), true));
                    }, delayMs, TimeUnit.MILLISECONDS);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void startProxy(final int eventLoops)
    {
        final int port = ((InetSocketAddress)server.localAddress()).getPort();
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, eventLoops,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "h2")),
            List.of(ClusterConfig.of("h2", List.of(new Endpoint("127.0.0.1", port)))
                .withProtocol(UpstreamProtocol.HTTP2))), counters);
    }

    @Test
    void shouldOpenANewConnectionAfterGoAwayWithoutAFailedOrRetriedRequest() throws IOException
    {
        startBackend(0);
        startProxy(1);

        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            for (int i = 0; i < 3 * STREAMS_PER_CONNECTION; i++)
            {
                final RawHttp.Response response = raw.send("GET /r" + i + " HTTP/1.1\r\nHost: h2\r\n\r\n").read();
                assertThat(response.status()).as("request %d: %s", i, response.body()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("served /r" + i);
            }
        }

        assertThat(connections.get()).as("a new connection after each GOAWAY").isEqualTo(3);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_GOAWAYS)).isEqualTo(3);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRIES)).isZero();
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RESETS)).isZero();
        assertThat(counters.get(DataPlaneCounter.RESPONSES_5XX)).isZero();
    }

    @Test
    void shouldFinishStreamsTheGoAwayCoversAndResendTheRefusedOnesWhenRequestsOverlap() throws IOException
    {
        startBackend(150);
        startProxy(1);
        final int requests = 3 * STREAMS_PER_CONNECTION;

        final List<RawHttp> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < requests; i++)
            {
                final RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress"));
                clients.add(client);
                client.send("GET /c" + i + " HTTP/1.1\r\nHost: h2\r\n\r\n");
            }
            for (int i = 0; i < requests; i++)
            {
                final RawHttp.Response response = clients.get(i).read();
                assertThat(response.status()).as("request %d: %s; goaways %d, resends %d, resets %d, retries %d, "
                    + "circuit open %d, connections %d", i, response.body(),
                    counters.get(DataPlaneCounter.UPSTREAM_GOAWAYS),
                    counters.get(DataPlaneCounter.UPSTREAM_GOAWAY_RESENDS),
                    counters.get(DataPlaneCounter.UPSTREAM_RESETS), counters.get(DataPlaneCounter.UPSTREAM_RETRIES),
                    counters.get(DataPlaneCounter.UPSTREAM_CIRCUIT_OPEN), connections.get()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("served /c" + i);
            }
        }
        finally
        {
            for (final RawHttp client : clients)
            {
                client.close();
            }
        }

        assertThat(served.get()).as("each request processed once").isEqualTo(requests);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_GOAWAYS)).isPositive();
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRIES)).isZero();
        assertThat(counters.get(DataPlaneCounter.RESPONSES_5XX)).isZero();
    }
}
