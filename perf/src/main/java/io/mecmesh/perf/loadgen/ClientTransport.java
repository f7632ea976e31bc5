package io.mecmesh.perf.loadgen;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import static java.util.Objects.requireNonNull;

/**
 * The client socket transport: epoll when Netty's native transport loads here, else NIO. Epoll's timers have
 * microsecond resolution, which the open-loop schedule needs at high rates; NIO's are millisecond.
 *
 * @param name             {@code epoll} or {@code nio}, for the report.
 * @param ioHandlerFactory the I/O handler of each event loop.
 * @param channelClass     connected sockets.
 */
record ClientTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> channelClass)
{
    ClientTransport
    {
        requireNonNull(name, "name");
        requireNonNull(ioHandlerFactory, "ioHandlerFactory");
        requireNonNull(channelClass, "channelClass");
    }

    /**
     * @return epoll when available, else NIO.
     */
    static ClientTransport select()
    {
        if (Epoll.isAvailable())
        {
            return new ClientTransport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class);
        }
        return new ClientTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class);
    }

    /**
     * @param threads event loops.
     * @return a group of daemon event-loop threads named {@code loadgen-io}; the caller shuts it down.
     */
    MultiThreadIoEventLoopGroup newEventLoopGroup(final int threads)
    {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("loadgen-io", true), ioHandlerFactory);
    }
}
