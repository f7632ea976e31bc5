package io.mecmesh.perf.isolation;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one upstream of the isolation benchmark ({@code perf/isolation.sh}): an HTTP/1.1 server with a fixed capacity,
 * {@code workers} requests in service at a time, each taking {@code serviceUs}, and every other request waiting in
 * one FIFO queue, whatever connection or slice it came from. So its capacity is {@code workers * 1e6 / serviceUs}
 * requests per second, and above it every request waits behind every earlier one: the saturated upstream that only
 * the proxy's QoS can keep URLLC out of. The response body is {@code N} bytes for a path containing
 * {@code /bytes/N} (at most 1 MiB), else 64. One event loop; the queue is confined to it.
 *
 * <pre>
 *   --port P          listen on 127.0.0.1:P (required)
 *   --workers N       requests in service at once (default 4)
 *   --service-us T    service time of each request, microseconds (default 4000)
 * </pre>
 */
public final class SaturatedBackend
{
    private static final int MAX_BODY = 1 << 20;
    private static final int DEFAULT_BODY = 64;

    private final EventLoop loop;
    private final int workers;
    private final long serviceUs;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int inService;

    private SaturatedBackend(final EventLoop loop, final int workers, final long serviceUs)
    {
        this.loop = loop;
        this.workers = workers;
        this.serviceUs = serviceUs;
    }

    /**
     * @param args {@code --port P [--workers N] [--service-us T]}.
     * @throws InterruptedException when interrupted while serving.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        int port = -1;
        int workers = 4;
        long serviceUs = 4000;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--workers" -> workers = Integer.parseInt(args[i + 1]);
                case "--service-us" -> serviceUs = Long.parseLong(args[i + 1]);
                default ->
                {
                    System.err.println("SaturatedBackend: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (port < 1 || port > 65535 || workers < 1 || serviceUs < 1)
        {
            System.err.println("usage: SaturatedBackend --port P [--workers N >= 1] [--service-us T >= 1]");
            System.exit(2);
        }
        final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final SaturatedBackend backend = new SaturatedBackend(group.next(), workers, serviceUs);
        final Channel server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                        backend.new Handler());
                }
            })
            .bind("127.0.0.1", port).syncUninterruptibly().channel();
        System.out.printf("SaturatedBackend on 127.0.0.1:%d: %d workers x %d us = %.0f req/s%n", port, workers,
            serviceUs, workers * 1e6 / serviceUs);
        System.out.flush();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            stopped.countDown();
        }));
        stopped.await();
    }

    private void submit(final Runnable respond)
    {
        if (inService < workers)
        {
            start(respond);
        }
        else
        {
            waiting.addLast(respond);
        }
    }

    private void start(final Runnable respond)
    {
        inService++;
        loop.schedule(() ->
        {
            respond.run();
            inService--;
            final Runnable next = waiting.pollFirst();
            if (next != null)
            {
                start(next);
            }
        }, serviceUs, TimeUnit.MICROSECONDS);
    }

    static int bodyBytes(final String uri)
    {
        final int at = uri.indexOf("/bytes/");
        if (at < 0)
        {
            return DEFAULT_BODY;
        }
        int value = 0;
        for (int i = at + "/bytes/".length(); i < uri.length() && Character.isDigit(uri.charAt(i)); i++)
        {
            value = Math.min(MAX_BODY, value * 10 + (uri.charAt(i) - '0'));
        }
        return value;
    }

    /** Queues each request (released at once) and answers it when its service ends. Per connection. */
    private final class Handler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (!(msg instanceof HttpRequest))
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            final HttpRequest request = (HttpRequest)msg;
            final boolean keepAlive = HttpUtil.isKeepAlive(request);
            final int bytes = bodyBytes(request.uri());
            ReferenceCountUtil.release(msg);
            submit(() ->
            {
                if (!ctx.channel().isActive())
                {
                    return;
                }
                final ByteBuf body = Unpooled.wrappedBuffer(new byte[bytes]);
                final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK, body);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
                HttpUtil.setContentLength(response, bytes);
                HttpUtil.setKeepAlive(response, keepAlive);
                if (keepAlive)
                {
                    ctx.writeAndFlush(response, ctx.voidPromise());
                }
                else
                {
                    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                }
            });
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
