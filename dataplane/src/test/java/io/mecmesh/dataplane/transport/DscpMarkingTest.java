package io.mecmesh.dataplane.transport;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DSCP marking on each transport, read back from the socket: a new upstream socket marked before it connects and
 * an accepted socket marked once, over IPv4 and (where the host has ::1) IPv6, where the byte is the traffic class.
 */
class DscpMarkingTest
{
    private static final int EF = 46;
    private static final int EF_TOS = 0xb8;

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"NIO", "EPOLL", "IO_URING"})
    void shouldMarkNewAndAcceptedSocketsOnEveryTransportOverIpv4(final TransportKind kind) throws Exception
    {
        markAndReadBack(kind, InetAddress.getByName("127.0.0.1"));
    }

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"NIO", "EPOLL", "IO_URING"})
    void shouldMarkTheTrafficClassOnEveryTransportOverIpv6(final TransportKind kind) throws Exception
    {
        final InetAddress loopback6 = InetAddress.getByName("::1");
        assumeTrue(hasIpv6Loopback(), "::1 is configured on this host");
        markAndReadBack(kind, loopback6);
    }

    @org.junit.jupiter.api.Test
    void shouldRejectADscpOutsideSixBits()
    {
        assertThat(DscpMarking.tos(EF)).isEqualTo(EF_TOS);
        assertThat(DscpMarking.tos(0)).isZero();
        assertThatThrownBy(() -> DscpMarking.tos(64)).hasMessage("dscp: expected 0 to 63, got 64");
    }

    private static void markAndReadBack(final TransportKind kind, final InetAddress address) throws Exception
    {
        assumeTrue(available(kind), kind + " available");
        final Transport transport = Transport.select(kind);
        final DataPlaneCounters counters = new DataPlaneCounters();
        final MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(1, "dscp-test");
        final BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(1);
        try
        {
            final Channel server = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannelFactory(address.getHostAddress()))
                .childHandler(new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        accepted.add(channel);
                    }
                })
                .bind(address, 0).syncUninterruptibly().channel();
            final Channel client = new Bootstrap()
                .group(group)
                .channelFactory(transport.channelFactory(address))
                .handler(new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel channel)
                    {
                        DscpMarking.markNew(channel, EF, counters);
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter());
                    }
                })
                .connect(new InetSocketAddress(address, ((InetSocketAddress)server.localAddress()).getPort()))
                .syncUninterruptibly().channel();
            final Channel downstream = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(downstream).as("accepted").isNotNull();

            assertThat(readTos(client)).as(kind + " upstream socket on " + address).isEqualTo(EF_TOS);
            assertThat(readTos(downstream)).as("accepted sockets start unmarked").isZero();
            onLoop(downstream, () -> DscpMarking.markDownstream(downstream, EF, counters));
            assertThat(readTos(downstream)).as(kind + " downstream socket on " + address).isEqualTo(EF_TOS);
            onLoop(downstream, () -> DscpMarking.markDownstream(downstream, 0, counters));
            assertThat(readTos(downstream)).as("a request of an unmarked slice clears the marking").isZero();
            assertThat(counters.get(DataPlaneCounter.DSCP_MARK_FAILURES)).isZero();

            client.close().syncUninterruptibly();
            downstream.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static int readTos(final Channel channel)
    {
        return channel.eventLoop().submit(() -> channel.config().getOption(ChannelOption.IP_TOS))
            .syncUninterruptibly().getNow();
    }

    private static void onLoop(final Channel channel, final Runnable task)
    {
        channel.eventLoop().submit(task).syncUninterruptibly();
    }

    private static boolean available(final TransportKind kind)
    {
        return switch (kind)
        {
            case EPOLL -> Epoll.isAvailable();
            case IO_URING -> IoUring.isAvailable();
            default -> true;
        };
    }

    private static boolean hasIpv6Loopback()
    {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getByName("::1")))
        {
            return probe.getLocalPort() > 0;
        }
        catch (final java.io.IOException ex)
        {
            return false;
        }
    }
}
