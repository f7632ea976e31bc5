package io.mecmesh.mecapi.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Forwards the queries of TCP clients to the upstream resolvers over TCP (RFC 7766: a TCP client may need an answer
 * larger than a UDP datagram carries), one upstream at a time in the configured order, each given {@code timeoutMs}
 * for connecting and answering; relays the first answer's bytes with the client's id, or reports failure after the
 * last upstream. One connection per forwarded query, closed after its answer (no reuse, no pipelining).
 *
 * <p>Confined to the responder's event loop (the connections are made on it): not thread-safe.
 */
final class TcpUpstreamForwarder
{
    /** The largest DNS message over TCP (its two-byte length). */
    private static final int MAX_MESSAGE = 65_535;

    private final List<InetSocketAddress> upstreams;
    private final long timeoutMs;

    TcpUpstreamForwarder(final List<InetSocketAddress> upstreams, final long timeoutMs)
    {
        this.upstreams = List.copyOf(upstreams);
        this.timeoutMs = timeoutMs;
    }

    /**
     * Forwards a query over TCP. Retains it until it is answered or has failed.
     *
     * @param loop      the responder's event loop (the client connection's).
     * @param query     the client's query (not released here; retained while pending).
     * @param onAnswer  gets the upstream's answer with the client's id, to relay and release.
     * @param onFailure runs when every upstream failed or timed out.
     */
    void forward(final EventLoop loop, final DnsQuery query, final Consumer<ByteBuf> onAnswer,
        final Runnable onFailure)
    {
        if (upstreams.isEmpty())
        {
            onFailure.run();
            return;
        }
        new Attempt(loop, query.retain(), onAnswer, onFailure).send(0);
    }

    /** One forwarded query, through the upstreams in order. */
    private final class Attempt
    {
        private final EventLoop loop;
        private final DnsQuery query;
        private final Consumer<ByteBuf> onAnswer;
        private final Runnable onFailure;
        private int upstream;
        private Channel channel;
        private ScheduledFuture<?> timeout;
        private boolean done;

        Attempt(final EventLoop loop, final DnsQuery query, final Consumer<ByteBuf> onAnswer,
            final Runnable onFailure)
        {
            this.loop = loop;
            this.query = query;
            this.onAnswer = onAnswer;
            this.onFailure = onFailure;
        }

        void send(final int index)
        {
            upstream = index;
            final int id = ThreadLocalRandom.current().nextInt(0x10000);
            timeout = loop.schedule(() -> failed(index), timeoutMs, TimeUnit.MILLISECONDS);
            final ChannelFuture connect = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.max(1, timeoutMs))
                .handler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                        ch.pipeline().addLast(new TcpDnsQueryEncoder(),
                            new LengthFieldBasedFrameDecoder(MAX_MESSAGE + 2, 0, 2, 0, 2),
                            new SimpleChannelInboundHandler<ByteBuf>()
                            {
                                @Override
                                protected void channelRead0(final ChannelHandlerContext ctx, final ByteBuf answer)
                                {
                                    answered(index, id, answer);
                                }

                                @Override
                                public void channelInactive(final ChannelHandlerContext ctx)
                                {
                                    failed(index);
                                }

                                @Override
                                public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                                {
                                    ctx.close();
                                }
                            });
                    }
                }).connect(upstreams.get(index));
            channel = connect.channel();
            connect.addListener(future ->
            {
                if (!future.isSuccess())
                {
                    failed(index);
                    return;
                }
                final DefaultDnsQuery upstreamQuery = new DefaultDnsQuery(id, query.opCode());
                upstreamQuery.setRecursionDesired(query.isRecursionDesired());
                for (final DnsSection section : new DnsSection[] {DnsSection.QUESTION, DnsSection.ADDITIONAL})
                {
                    for (int i = 0; i < query.count(section); i++)
                    {
                        upstreamQuery.addRecord(section, ReferenceCountUtil.retain(query.recordAt(section, i)));
                    }
                }
                channel.writeAndFlush(upstreamQuery).addListener(write ->
                {
                    if (!write.isSuccess())
                    {
                        failed(index);
                    }
                });
            });
        }

        private void answered(final int index, final int id, final ByteBuf answer)
        {
            if (done || upstream != index || answer.readableBytes() < 12
                || answer.getUnsignedShort(answer.readerIndex()) != id)
            {
                return;
            }
            done = true;
            timeout.cancel(false);
            channel.close();
            final ByteBuf relayed = answer.copy();
            relayed.setShort(relayed.readerIndex(), query.id());
            query.release();
            onAnswer.accept(relayed);
        }

        private void failed(final int index)
        {
            if (done || upstream != index)
            {
                return;
            }
            // This attempt is over (closing its channel reports it inactive: ignored).
            upstream = -1;
            timeout.cancel(false);
            channel.close();
            if (index + 1 < upstreams.size())
            {
                send(index + 1);
                return;
            }
            done = true;
            // The failure answer copies the question: before the query (and its records) is released.
            onFailure.run();
            query.release();
        }
    }
}
