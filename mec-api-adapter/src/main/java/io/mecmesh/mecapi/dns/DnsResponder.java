package io.mecmesh.mecapi.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The MEC DNS responder of an edge: UDP and TCP on one address and port, one event loop. It answers from the
 * {@link DnsZone} last given to {@link #update} (the node's last applied configuration: what it keeps serving while
 * the control plane is away, and after a restart from the last-known-good file), and forwards other names to the
 * upstream resolvers ({@link DnsQueryHandler} says what is answered how).
 */
public final class DnsResponder implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DnsResponder.class);
    /** A TCP connection that sends nothing for this long is closed. */
    static final int TCP_IDLE_SECONDS = 10;
    private static final int BIND_ATTEMPTS = 5;

    /** Netty's encoder, taking only DNS responses: an upstream's relayed answer (a raw datagram) passes by it. */
    private static final class UdpResponseEncoder extends DatagramDnsResponseEncoder
    {
        @Override
        public boolean acceptOutboundMessage(final Object msg)
        {
            return msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof DnsResponse;
        }
    }

    private final EventLoopGroup group;
    private final Channel udp;
    private final Channel tcp;
    private final Channel upstream;
    private final UpstreamForwarder forwarder;
    private final DnsCounters counters;
    private volatile DnsZone zone = DnsZone.EMPTY;

    private DnsResponder(final EventLoopGroup group, final Channel udp, final Channel tcp, final Channel upstream,
        final UpstreamForwarder forwarder, final DnsCounters counters)
    {
        this.group = group;
        this.udp = udp;
        this.tcp = tcp;
        this.upstream = upstream;
        this.forwarder = forwarder;
        this.counters = counters;
    }

    /**
     * Binds UDP and TCP on the configured address and port (with port 0, the kernel's UDP port, and TCP on the
     * same).
     *
     * @param config    the responder's settings.
     * @param nanoClock the clock of the per-client rate limit.
     * @return the running responder, answering from an empty zone until {@link #update}.
     * @throws IllegalStateException when a socket cannot be bound (the message names the address); with port 0 a
     *                               TCP port taken by another process is retried on another UDP port.
     */
    public static DnsResponder start(final DnsConfig config, final LongSupplier nanoClock)
    {
        requireNonNull(config, "config");
        requireNonNull(nanoClock, "nanoClock");
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("mecmesh-dns", true), NioIoHandler.newFactory());
        try
        {
            final DnsCounters counters = new DnsCounters();
            final UpstreamForwarder forwarder = new UpstreamForwarder(config.upstreams(), config.timeoutMs());
            final Channel upstream = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>()
                {
                    @Override
                    protected void initChannel(final NioDatagramChannel ch)
                    {
                        ch.pipeline().addLast(new DatagramDnsQueryEncoder(), forwarder);
                    }
                }).bind(0).syncUninterruptibly().channel();
            forwarder.bind(upstream);
            final DnsResponder[] self = new DnsResponder[1];
            final DnsQueryHandler handler = new DnsQueryHandler(() -> self[0].zone, config.queriesPerSecondPerClient(),
                nanoClock, forwarder, new TcpUpstreamForwarder(config.upstreams(), config.timeoutMs()), counters,
                config.localZones(), config.defaultTtl());
            final Channel[] bound = bind(group, config, handler);
            self[0] = new DnsResponder(group, bound[0], bound[1], upstream, forwarder, counters);
            LOG.info("MEC DNS responder on {} udp and tcp, upstreams {}", bound[0].localAddress(),
                config.upstreams().isEmpty() ? "none (other names refused)" : config.upstreams());
            return self[0];
        }
        catch (final Exception ex)
        {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw ex instanceof IllegalStateException state ? state
                : new IllegalStateException("dns: cannot start: " + ex, ex);
        }
    }

    private static Channel[] bind(final EventLoopGroup group, final DnsConfig config, final DnsQueryHandler handler)
    {
        RuntimeException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++)
        {
            final Channel udp;
            try
            {
                udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<NioDatagramChannel>()
                    {
                        @Override
                        protected void initChannel(final NioDatagramChannel ch)
                        {
                            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new UdpResponseEncoder(), handler);
                        }
                    }).bind(config.address(), config.port()).syncUninterruptibly().channel();
            }
            // Netty rethrows the bind's checked exception (BindException) undeclared: catch Exception.
            catch (final Exception ex)
            {
                throw new IllegalStateException("dns: cannot bind udp " + config.address() + ":" + config.port() + ": "
                    + ex.getMessage(), ex);
            }
            final int port = ((InetSocketAddress)udp.localAddress()).getPort();
            try
            {
                final Channel tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>()
                    {
                        @Override
                        protected void initChannel(final SocketChannel ch)
                        {
                            ch.pipeline().addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS), new TcpDnsQueryDecoder(),
                                new TcpDnsResponseEncoder(), handler);
                        }
                    }).bind(config.address(), port).syncUninterruptibly().channel();
                return new Channel[] {udp, tcp};
            }
            catch (final Exception ex)
            {
                udp.close().syncUninterruptibly();
                last = new IllegalStateException("dns: cannot bind tcp " + config.address() + ":" + port + ": "
                    + ex.getMessage(), ex);
                if (config.port() != 0)
                {
                    throw last;
                }
            }
        }
        throw last;
    }

    /**
     * Serves another zone from the next query on (any thread).
     *
     * @param newZone the node's names.
     */
    public void update(final DnsZone newZone)
    {
        zone = requireNonNull(newZone, "newZone");
    }

    /**
     * @return the zone served now.
     */
    public DnsZone zone()
    {
        return zone;
    }

    /**
     * @return the bound address (UDP and TCP share it).
     */
    public InetSocketAddress address()
    {
        return (InetSocketAddress)udp.localAddress();
    }

    /**
     * @return the outcome counters.
     */
    public DnsCounters counters()
    {
        return counters;
    }

    @Override
    public void close()
    {
        udp.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
        upstream.eventLoop().submit(forwarder::failAll).syncUninterruptibly();
        upstream.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
