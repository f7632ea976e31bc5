package io.mecmesh.dataplane.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What listener rebinding relies on: on epoll and io_uring two listener sockets with {@code SO_REUSEPORT} bind the
 * same port, and a socket without it still cannot (so a port taken by another program is still an error).
 */
class TransportReusePortTest
{
    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"EPOLL", "IO_URING"})
    void shouldBindTheSamePortTwiceWithReusePortOnly(final TransportKind kind)
    {
        assumeTrue(kind == TransportKind.EPOLL ? Epoll.isAvailable() : IoUring.isAvailable(), kind + " available");
        final Transport transport = Transport.select(kind);
        assertThat(transport.supportsReusePort()).isTrue();
        final MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(1, "reuse-port-test");
        try
        {
            final Channel first = bind(transport, group, 0, true).syncUninterruptibly().channel();
            final int port = ((InetSocketAddress)first.localAddress()).getPort();
            final ChannelFuture second = bind(transport, group, port, true).awaitUninterruptibly();
            final ChannelFuture plain = bind(transport, group, port, false).awaitUninterruptibly();

            assertThat(second.isSuccess()).as("a second SO_REUSEPORT socket on port " + port).isTrue();
            assertThat(plain.isSuccess()).as("a socket without SO_REUSEPORT on port " + port).isFalse();
            second.channel().close().syncUninterruptibly();
            first.close().syncUninterruptibly();
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = "NIO")
    void shouldNotClaimReusePortOnNio(final TransportKind kind)
    {
        assertThat(Transport.select(kind).supportsReusePort()).isFalse();
    }

    private static ChannelFuture bind(final Transport transport, final MultiThreadIoEventLoopGroup group,
        final int port, final boolean reusePort)
    {
        final ServerBootstrap bootstrap = new ServerBootstrap();
        return (reusePort ? transport.reusePort(bootstrap) : bootstrap)
            .group(group)
            .channel(transport.serverChannelClass())
            .childHandler(new ChannelInboundHandlerAdapter())
            .bind("127.0.0.1", port);
    }
}
