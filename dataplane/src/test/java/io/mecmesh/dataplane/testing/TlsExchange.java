package io.mecmesh.dataplane.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TLS client for tests: one connection, an optional message written right after the handshake, and everything
 * the server sends until it closes the connection.
 */
public final class TlsExchange
{
    private TlsExchange()
    {
    }

    /**
     * @param group    the client's event loops.
     * @param address  the server.
     * @param client   the client's TLS context.
     * @param request  written once the handshake completed (US-ASCII), or empty for nothing.
     * @param timeoutS how long to wait for the server's close.
     * @return what the server sent before it closed.
     * @throws Exception when the connection fails or the server does not close in time.
     */
    public static String exchange(final EventLoopGroup group, final InetSocketAddress address, final SslContext client,
        final String request, final long timeoutS) throws Exception
    {
        final CompletableFuture<String> answer = new CompletableFuture<>();
        final StringBuilder received = new StringBuilder();
        final Channel channel = new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel channel)
                {
                    channel.pipeline()
                        .addLast(client.newHandler(channel.alloc(), address.getHostString(), address.getPort()))
                        .addLast(new ChannelInboundHandlerAdapter()
                        {
                            @Override
                            public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
                            {
                                if (evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()
                                    && !request.isEmpty())
                                {
                                    ctx.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
                                }
                                ctx.fireUserEventTriggered(evt);
                            }

                            @Override
                            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                            {
                                try
                                {
                                    received.append(((ByteBuf)msg).toString(StandardCharsets.US_ASCII));
                                }
                                finally
                                {
                                    ReferenceCountUtil.release(msg);
                                }
                            }

                            @Override
                            public void channelInactive(final ChannelHandlerContext ctx)
                            {
                                answer.complete(received.toString());
                            }

                            @Override
                            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                            {
                                answer.completeExceptionally(cause);
                                ctx.close();
                            }
                        });
                }
            })
            .connect(address)
            .sync()
            .channel();
        try
        {
            return answer.get(timeoutS, TimeUnit.SECONDS);
        }
        finally
        {
            channel.close().syncUninterruptibly();
        }
    }
}
