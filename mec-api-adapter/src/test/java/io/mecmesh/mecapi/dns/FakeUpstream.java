package io.mecmesh.mecapi.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny resolver on 127.0.0.1 for the responder to forward to, UDP and TCP on one port: {@code forwarded.example} A
 * answers {@code 203.0.113.7} with TTL 42, anything else NXDOMAIN.
 */
final class FakeUpstream implements AutoCloseable
{
    static final String NAME = "forwarded.example";
    static final byte[] ADDRESS = {(byte)203, 0, 113, 7};

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private final Channel channel;
    private final Channel tcp;

    FakeUpstream()
    {
        final Channel[] bound = bindBoth();
        channel = bound[0];
        tcp = bound[1];
    }

    /**
     * UDP on a port the kernel picks, then TCP on the same number: that one may be taken, so another (as
     * DnsResponder does for port 0).
     */
    private Channel[] bindBoth()
    {
        for (int attempt = 1; ; attempt++)
        {
            final Channel udp = bindUdp();
            try
            {
                return new Channel[] {udp, bindTcp(((InetSocketAddress)udp.localAddress()).getPort())};
            }
            // Netty rethrows the bind's checked exception (BindException) undeclared: catch Exception.
            catch (final Exception ex)
            {
                udp.close().syncUninterruptibly();
                if (attempt == 10)
                {
                    throw new IllegalStateException("no port free for both UDP and TCP after 10 tries", ex);
                }
            }
        }
    }

    private Channel bindUdp()
    {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
            .handler(new ChannelInitializer<NioDatagramChannel>()
            {
                @Override
                protected void initChannel(final NioDatagramChannel ch)
                {
                    ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                        new SimpleChannelInboundHandler<DatagramDnsQuery>()
                        {
                            @Override
                            protected void channelRead0(final ChannelHandlerContext ctx, final DatagramDnsQuery query)
                            {
                                queries.incrementAndGet();
                                ctx.writeAndFlush(answer(query, new DatagramDnsResponse(query.recipient(),
                                    query.sender(), query.id(), query.opCode(), rcode(query))));
                            }
                        });
                }
            }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    private Channel bindTcp(final int port)
    {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline().addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(),
                        new SimpleChannelInboundHandler<DnsQuery>()
                        {
                            @Override
                            protected void channelRead0(final ChannelHandlerContext ctx, final DnsQuery query)
                            {
                                queries.incrementAndGet();
                                tcpQueries.incrementAndGet();
                                ctx.writeAndFlush(answer(query, new DefaultDnsResponse(query.id(), query.opCode(),
                                    rcode(query))));
                            }
                        });
                }
            }).bind("127.0.0.1", port).syncUninterruptibly().channel();
    }

    private static boolean known(final DnsQuery query)
    {
        final DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        return question.name().equalsIgnoreCase(NAME + ".") && question.type() == DnsRecordType.A;
    }

    private static DnsResponseCode rcode(final DnsQuery query)
    {
        return known(query) ? DnsResponseCode.NOERROR : DnsResponseCode.NXDOMAIN;
    }

    /** The question, and for {@link #NAME} A its address. */
    private static DnsResponse answer(final DnsQuery query, final DnsResponse response)
    {
        final DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        response.setRecursionAvailable(true).setRecursionDesired(query.isRecursionDesired());
        response.addRecord(DnsSection.QUESTION, question);
        if (known(query))
        {
            response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 42,
                Unpooled.wrappedBuffer(ADDRESS)));
        }
        return response;
    }

    /**
     * @return the queries that came over TCP.
     */
    int tcpQueries()
    {
        return tcpQueries.get();
    }

    InetSocketAddress address()
    {
        return (InetSocketAddress)channel.localAddress();
    }

    int queries()
    {
        return queries.get();
    }

    @Override
    public void close()
    {
        if (group.isShuttingDown())
        {
            return;
        }
        channel.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
