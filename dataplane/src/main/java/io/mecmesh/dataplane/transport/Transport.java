package io.mecmesh.dataplane.transport;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.NetUtil;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The transport the data plane runs on: the event-loop I/O handler and the channel classes that go with it.
 * Chosen once at start by {@link #select(TransportKind)}.
 *
 * @param kind               the concrete transport (never {@link TransportKind#AUTO}).
 * @param ioHandlerFactory   creates the I/O handler of each event loop.
 * @param serverChannelClass listener sockets.
 * @param channelClass       connected sockets (downstream and upstream).
 */
public record Transport(
    TransportKind kind,
    Supplier<IoHandlerFactory> ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelClass,
    Class<? extends SocketChannel> channelClass)
{
    public Transport
    {
        requireNonNull(kind, "kind");
        requireNonNull(ioHandlerFactory, "ioHandlerFactory");
        requireNonNull(serverChannelClass, "serverChannelClass");
        requireNonNull(channelClass, "channelClass");
        if (kind == TransportKind.AUTO)
        {
            throw new IllegalArgumentException("kind: a selected transport is concrete, not AUTO");
        }
    }

    /**
     * Selects the transport: for {@link TransportKind#AUTO} io_uring, else epoll, else NIO; for a named one that
     * one, or a failure naming why it did not load.
     *
     * @param requested what the configuration asks for.
     * @return the transport to run on.
     * @throws DataPlaneException with {@link DataPlaneException.Category#UNAVAILABLE} when a named transport cannot
     *                            load on this host.
     */
    public static Transport select(final TransportKind requested)
    {
        requireNonNull(requested, "requested");
        switch (requested)
        {
            case IO_URING:
                if (!IoUring.isAvailable())
                {
                    throw unavailable("io_uring", IoUring.unavailabilityCause());
                }
                return ioUring();
            case EPOLL:
                if (!Epoll.isAvailable())
                {
                    throw unavailable("epoll", Epoll.unavailabilityCause());
                }
                return epoll();
            case NIO:
                return nio();
            case AUTO:
            default:
                if (IoUring.isAvailable())
                {
                    return ioUring();
                }
                return Epoll.isAvailable() ? epoll() : nio();
        }
    }

    /**
     * Creates an event-loop group on this transport.
     *
     * @param threads    number of event loops, at least 1.
     * @param namePrefix thread-name prefix, so that thread dumps say what each thread is for.
     * @return the group; the caller shuts it down.
     */
    public MultiThreadIoEventLoopGroup newEventLoopGroup(final int threads, final String namePrefix)
    {
        final var threadFactory = new DefaultThreadFactory(namePrefix, true);
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory.get());
    }

    /**
     * @return true when listener sockets can be bound with {@code SO_REUSEPORT} (epoll and io_uring): a changed
     * listener is then bound again on the same port before the old socket closes, so that no connection attempt
     * finds the port closed.
     */
    public boolean supportsReusePort()
    {
        return kind == TransportKind.EPOLL || kind == TransportKind.IO_URING;
    }

    /**
     * Sets {@code SO_REUSEPORT} on a listener's bootstrap when the transport supports it.
     *
     * @param bootstrap the listener's bootstrap.
     * @return the bootstrap.
     */
    public ServerBootstrap reusePort(final ServerBootstrap bootstrap)
    {
        return supportsReusePort() ? bootstrap.option(UnixChannelOption.SO_REUSEPORT, Boolean.TRUE) : bootstrap;
    }

    /**
     * What makes the connected sockets to an address. On NIO a socket to an IPv4 address is an IPv4 socket: the
     * JDK's dual-stack (IPv6) socket takes {@code IP_TOS} as {@code IPV6_TCLASS} only, so its IPv4 packets would
     * leave without the DSCP ({@link DscpMarking}); epoll and io_uring set both on a dual-stack socket.
     *
     * @param address where the socket connects.
     * @return the channel factory for a {@code Bootstrap}.
     */
    public ChannelFactory<? extends Channel> channelFactory(final InetAddress address)
    {
        if (kind == TransportKind.NIO && address instanceof Inet4Address)
        {
            return () -> new NioSocketChannel(SelectorProvider.provider(), SocketProtocolFamily.INET);
        }
        return new ReflectiveChannelFactory<>(channelClass);
    }

    /**
     * What makes a listener's socket bound to a host. On NIO a listener on an IPv4 literal other than the wildcard
     * is an IPv4 socket, so that its accepted connections can be marked (see {@link #channelFactory}); the wildcard
     * keeps the JDK's dual-stack socket (it accepts IPv6 too), whose IPv4 connections stay unmarked.
     *
     * @param host the listener's address as configured.
     * @return the channel factory for a {@code ServerBootstrap}.
     */
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(final String host)
    {
        if (kind == TransportKind.NIO && NetUtil.isValidIpV4Address(host) && !"0.0.0.0".equals(host))
        {
            return () -> new NioServerSocketChannel(SelectorProvider.provider(), SocketProtocolFamily.INET);
        }
        return new ReflectiveChannelFactory<>(serverChannelClass);
    }

    private static Transport ioUring()
    {
        return new Transport(TransportKind.IO_URING, IoUringIoHandler::newFactory,
            IoUringServerSocketChannel.class, IoUringSocketChannel.class);
    }

    private static Transport epoll()
    {
        return new Transport(TransportKind.EPOLL, EpollIoHandler::newFactory,
            EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    private static Transport nio()
    {
        return new Transport(TransportKind.NIO, NioIoHandler::newFactory,
            NioServerSocketChannel.class, NioSocketChannel.class);
    }

    private static DataPlaneException unavailable(final String name, final Throwable cause)
    {
        return new DataPlaneException(DataPlaneException.Category.UNAVAILABLE,
            "transport " + name + " is not available on this host: " + cause, cause);
    }
}
