package io.mecmesh.perf.loadgen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A known server for the load generator's tests, on 127.0.0.1 and an ephemeral port: HTTP/1.1 keep-alive or h2c
 * (prior knowledge). Answers {@code 200 ok} to every request, counts requests and records when each arrived; can
 * stall every request that arrives inside a window (relative to the first request) for a fixed time (h2c: requests without a body only). Paths
 * {@code /status/503} answer 503, {@code /hang} never answers, {@code /reset} closes the connection.
 */
final class TestHttpServer implements AutoCloseable
{
    private final MultiThreadIoEventLoopGroup group;
    private final Channel serverChannel;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong firstArrivalNs = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> arrivalsNs = new ConcurrentLinkedQueue<>();
    private volatile long stallFromNs = Long.MAX_VALUE;
    private volatile long stallUntilNs = Long.MAX_VALUE;
    private volatile long stallNs;

    private TestHttpServer(final boolean http2)
    {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-server", true),
            NioIoHandler.newFactory());
        serverChannel = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (http2)
                    {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(), new Http2Responder());
                    }
                    else
                    {
                        ch.pipeline().addLast(new HttpServerCodec(), new Http1Responder());
                    }
                }
            })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    }

    static TestHttpServer http1()
    {
        return new TestHttpServer(false);
    }

    static TestHttpServer h2c()
    {
        return new TestHttpServer(true);
    }

    /**
     * Every request arriving between {@code fromNs} and {@code fromNs + windowNs} after the first request is
     * answered {@code stallNs} late.
     */
    TestHttpServer stallWindow(final long fromNs, final long windowNs, final long stallNs)
    {
        this.stallNs = stallNs;
        this.stallFromNs = fromNs;
        this.stallUntilNs = fromNs + windowNs;
        return this;
    }

    String url(final String path)
    {
        return "http://127.0.0.1:" + ((java.net.InetSocketAddress)serverChannel.localAddress()).getPort() + path;
    }

    long requests()
    {
        return requests.get();
    }

    /**
     * @return requests that arrived in {@code [first + fromNs, first + toNs)}.
     */
    long requestsBetween(final long fromNs, final long toNs)
    {
        final long firstNs = firstArrivalNs.get();
        return arrivalsNs.stream().filter(t -> t - firstNs >= fromNs && t - firstNs < toNs).count();
    }

    private long onRequest()
    {
        final long nowNs = System.nanoTime();
        requests.incrementAndGet();
        firstArrivalNs.compareAndSet(0, nowNs);
        arrivalsNs.add(nowNs);
        final long sinceFirstNs = nowNs - firstArrivalNs.get();
        return sinceFirstNs >= stallFromNs && sinceFirstNs < stallUntilNs ? stallNs : 0;
    }

    private static void later(final ChannelHandlerContext ctx, final long delayNs, final Runnable action)
    {
        if (delayNs > 0)
        {
            ctx.executor().schedule(action, delayNs, TimeUnit.NANOSECONDS);
        }
        else
        {
            action.run();
        }
    }

    @Override
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** HTTP/1.1: answers on the request's last content; releases everything it reads. */
    private final class Http1Responder extends ChannelInboundHandlerAdapter
    {
        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private String path = "/";
        private long delayNs;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof HttpRequest)
                {
                    path = ((HttpRequest)msg).uri();
                    delayNs = onRequest();
                }
                if (msg instanceof LastHttpContent)
                {
                    respond(ctx, path, delayNs);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(final ChannelHandlerContext ctx, final String path, final long delayNs)
        {
            if ("/hang".equals(path))
            {
                return;
            }
            if ("/reset".equals(path))
            {
                ctx.close();
                return;
            }
            final HttpResponseStatus status = "/status/503".equals(path) ?
                HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
            later(ctx, delayNs, () ->
            {
                final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII));
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
                ctx.writeAndFlush(response);
            });
        }
    }

    /** h2c: answers each stream on END_STREAM, returns flow-control credit for request bodies, releases frames. */
    private final class Http2Responder extends ChannelInboundHandlerAdapter
    {
        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof Http2HeadersFrame)
                {
                    final Http2HeadersFrame headers = (Http2HeadersFrame)msg;
                    final long delayNs = onRequest();
                    if (headers.isEndStream())
                    {
                        respond(ctx, headers.stream(), delayNs);
                    }
                }
                else if (msg instanceof Http2DataFrame)
                {
                    final Http2DataFrame data = (Http2DataFrame)msg;
                    if (data.initialFlowControlledBytes() > 0)
                    {
                        ctx.write(new DefaultHttp2WindowUpdateFrame(data.initialFlowControlledBytes())
                            .stream(data.stream()));
                    }
                    if (data.isEndStream())
                    {
                        respond(ctx, data.stream(), 0);
                    }
                    else
                    {
                        ctx.flush();
                    }
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(final ChannelHandlerContext ctx, final Http2FrameStream stream, final long delayNs)
        {
            later(ctx, delayNs, () ->
            {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")).stream(stream));
                ctx.writeAndFlush(new DefaultHttp2DataFrame(
                    Unpooled.copiedBuffer("ok\n", StandardCharsets.US_ASCII), true).stream(stream));
            });
        }
    }
}
