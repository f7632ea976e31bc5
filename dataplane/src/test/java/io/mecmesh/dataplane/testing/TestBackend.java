package io.mecmesh.dataplane.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on loopback for tests, with what a test needs to see behind a proxy: how many connections
 * it accepted and which request heads it received. Paths:
 * <ul>
 *   <li>{@code /echo...}: streams the request body back as it arrives (same length framing);</li>
 *   <li>{@code /status/NNN}: answers with status NNN;</li>
 *   <li>{@code /delay/MS}: answers 200 after MS milliseconds;</li>
 *   <li>anything else: 200 with the body {@code <name> <method> <uri>}.</li>
 * </ul>
 */
public final class TestBackend implements AutoCloseable
{
    private final String name;
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<HttpRequest> requests = new CopyOnWriteArrayList<>();
    private final Channel server;

    /**
     * Starts the backend on 127.0.0.1 and an ephemeral port.
     *
     * @param name what it puts in its bodies, to tell backends apart.
     */
    public TestBackend(final String name)
    {
        this.name = name;
        server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    connections.incrementAndGet();
                    channel.pipeline().addLast(new HttpServerCodec(), new Handler());
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

    /**
     * @return {@code METHOD URI} of every request head received, in order.
     */
    public List<String> requestLines()
    {
        return List.copyOf(requestLines);
    }

    /**
     * @return every request head received, in order.
     */
    public List<HttpRequest> requests()
    {
        return List.copyOf(requests);
    }

    @Override
    public void close()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter
    {
        private HttpRequest current;
        private boolean echoing;
        private boolean keepAlive;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof HttpRequest)
            {
                final HttpRequest request = (HttpRequest)msg;
                requests.add(request);
                current = request;
                requestLines.add(request.method() + " " + request.uri());
                keepAlive = HttpUtil.isKeepAlive(request);
                echoing = request.uri().startsWith("/echo");
                if (echoing)
                {
                    final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    if (HttpUtil.isContentLengthSet(request))
                    {
                        HttpUtil.setContentLength(response, HttpUtil.getContentLength(request));
                    }
                    else
                    {
                        HttpUtil.setTransferEncodingChunked(response, true);
                    }
                    ctx.write(response);
                }
            }
            if (msg instanceof HttpContent)
            {
                final HttpContent content = (HttpContent)msg;
                if (echoing)
                {
                    final boolean last = content instanceof LastHttpContent;
                    ctx.writeAndFlush(content).addListener(last && !keepAlive
                        ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
                    return;
                }
                content.release();
                if (content instanceof LastHttpContent)
                {
                    final HttpRequest request = current;
                    final String uri = request.uri();
                    final HttpResponseStatus status = uri.startsWith("/status/")
                        ? HttpResponseStatus.valueOf(Integer.parseInt(uri.substring("/status/".length())))
                        : HttpResponseStatus.OK;
                    final long delayMs = uri.startsWith("/delay/") ? Long.parseLong(uri.substring("/delay/".length()))
                        : 0;
                    final boolean close = !keepAlive;
                    final Runnable respond = () ->
                    {
                        final ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(),
                            name + " " + request.method() + " " + uri);
                        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                            body);
                        HttpUtil.setContentLength(response, body.readableBytes());
                        HttpUtil.setKeepAlive(response, !close);
                        ctx.writeAndFlush(response)
                            .addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
                    };
                    if (delayMs > 0)
                    {
                        ctx.executor().schedule(respond, delayMs, TimeUnit.MILLISECONDS);
                    }
                    else
                    {
                        respond.run();
                    }
                }
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
