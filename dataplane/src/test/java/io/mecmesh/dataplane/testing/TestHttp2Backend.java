package io.mecmesh.dataplane.testing;

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
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/2 (prior knowledge) server on loopback, answering like a gRPC server does: response headers, a body
 * naming the request, and trailers ({@code grpc-status: 0}, {@code x-trailer: <path>}); {@code /delay/MS} answers
 * after MS milliseconds. Counts connections and
 * records the request headers of every stream.
 */
public final class TestHttp2Backend implements AutoCloseable
{
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Http2Headers> requests = new CopyOnWriteArrayList<>();
    private final Channel server;

    public TestHttp2Backend()
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
                    channel.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>()
                        {
                            @Override
                            protected void initChannel(final Http2StreamChannel stream)
                            {
                                stream.pipeline().addLast(new StreamHandler());
                            }
                        }));
                }
            })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    }

    public int port()
    {
        return ((InetSocketAddress)server.localAddress()).getPort();
    }

    public int connectionCount()
    {
        return connections.get();
    }

    public List<Http2Headers> requests()
    {
        return List.copyOf(requests);
    }

    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter
    {
        private Http2Headers request;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                boolean end = false;
                if (msg instanceof Http2HeadersFrame headers)
                {
                    if (request == null)
                    {
                        request = headers.headers();
                        requests.add(request);
                    }
                    end = headers.isEndStream();
                }
                else if (msg instanceof Http2DataFrame data)
                {
                    end = data.isEndStream();
                }
                if (end)
                {
                    final String path = String.valueOf(request.path());
                    final Runnable respond = () ->
                    {
                        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                            .set("content-type", "application/grpc")));
                        ctx.write(new DefaultHttp2DataFrame(ByteBufUtil.writeUtf8(ctx.alloc(), "h2 backend " + path)));
                        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                            .set("grpc-status", "0").set("x-trailer", path), true));
                    };
                    if (path.startsWith("/delay/"))
                    {
                        ctx.executor().schedule(respond, Long.parseLong(path.substring("/delay/".length())),
                            TimeUnit.MILLISECONDS);
                    }
                    else
                    {
                        respond.run();
                    }
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
