package io.mecmesh.mecapi.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Answers one DNS query, over UDP ({@link DatagramDnsQuery} from the server socket) or TCP (a {@link DnsQuery} from
 * a connection): in order, a client over its rate is REFUSED; an opcode other than QUERY is NOTIMP, not exactly one
 * question FORMERR; AXFR and IXFR are REFUSED; a name of the node's {@link DnsZone} is answered authoritatively (A or
 * AAAA records of the type asked, NOERROR without records for another type); any other name is forwarded to the
 * upstream resolvers (SERVFAIL when they all fail) or, with none configured, REFUSED. Every outcome increments one
 * {@link DnsCounter}.
 *
 * <p>Consumes the query (released by {@link SimpleChannelInboundHandler} after {@link #channelRead0}; the forwarder
 * retains it while it waits); writes one response per answered query. {@code @Sharable}: one instance serves the
 * UDP socket and every TCP connection, all on the responder's one event loop, which confines its state (the rate
 * limiter, the forwarder).
 */
@ChannelHandler.Sharable
final class DnsQueryHandler extends SimpleChannelInboundHandler<DnsQuery>
{
    private final Supplier<DnsZone> zone;
    private final ClientRateLimiter limiter;
    private final UpstreamForwarder forwarder;
    private final DnsCounters counters;

    DnsQueryHandler(final Supplier<DnsZone> zone, final int queriesPerSecondPerClient, final LongSupplier nanoClock,
        final UpstreamForwarder forwarder, final DnsCounters counters)
    {
        super(DnsQuery.class, true);
        this.zone = zone;
        this.limiter = new ClientRateLimiter(queriesPerSecondPerClient, nanoClock);
        this.forwarder = forwarder;
        this.counters = counters;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final DnsQuery query)
    {
        final Channel channel = ctx.channel();
        final InetSocketAddress client = query instanceof DatagramDnsQuery datagram ? datagram.sender()
            : (InetSocketAddress)channel.remoteAddress();
        if (!limiter.tryAcquire(client.getAddress()))
        {
            respond(channel, query, DnsResponseCode.REFUSED, false, List.of(), DnsCounter.REFUSED_RATE_LIMITED);
            return;
        }
        if (query.opCode() != DnsOpCode.QUERY)
        {
            respond(channel, query, DnsResponseCode.NOTIMP, false, List.of(), DnsCounter.NOT_IMPLEMENTED);
            return;
        }
        if (query.count(DnsSection.QUESTION) != 1)
        {
            respond(channel, query, DnsResponseCode.FORMERR, false, List.of(), DnsCounter.NOT_IMPLEMENTED);
            return;
        }
        final DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        final DnsRecordType type = question.type();
        if (type == DnsRecordType.AXFR || type == DnsRecordType.IXFR)
        {
            respond(channel, query, DnsResponseCode.REFUSED, false, List.of(), DnsCounter.REFUSED_ZONE_TRANSFER);
            return;
        }
        final String name = canonical(question.name());
        final List<DnsZone.Record> records = zone.get().lookup(name);
        if (!records.isEmpty())
        {
            final boolean ipv6 = type == DnsRecordType.AAAA;
            final List<DnsZone.Record> answers = type == DnsRecordType.A || ipv6
                ? records.stream().filter(record -> record.ipv6() == ipv6).toList() : List.of();
            final DnsCounter outcome = answers.isEmpty() ? DnsCounter.NO_DATA
                : "mesh".equals(answers.get(0).source()) ? DnsCounter.MESH_ANSWER : DnsCounter.RULE_ANSWER;
            respond(channel, query, DnsResponseCode.NOERROR, true, answers, outcome);
            return;
        }
        if (!forwarder.hasUpstreams())
        {
            respond(channel, query, DnsResponseCode.REFUSED, false, List.of(), DnsCounter.REFUSED_NO_UPSTREAM);
            return;
        }
        final InetSocketAddress local = query instanceof DatagramDnsQuery datagram ? datagram.recipient() : null;
        forwarder.forward(query, answer ->
        {
            counters.increment(DnsCounter.FORWARDED);
            relay(channel, client, local, answer);
        }, () -> respond(channel, query, DnsResponseCode.SERVFAIL, false, List.of(), DnsCounter.UPSTREAM_FAILURE));
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        counters.increment(DnsCounter.MALFORMED);
        if (!(ctx.channel() instanceof DatagramChannel))
        {
            // A TCP stream that does not decode cannot be resynchronised.
            ctx.close();
        }
    }

    private void respond(final Channel channel, final DnsQuery query, final DnsResponseCode code,
        final boolean authoritative, final List<DnsZone.Record> answers, final DnsCounter outcome)
    {
        counters.increment(outcome);
        final DnsResponse response = query instanceof DatagramDnsQuery datagram
            ? new DatagramDnsResponse(datagram.recipient(), datagram.sender(), query.id(), query.opCode(), code)
            : new DefaultDnsResponse(query.id(), query.opCode(), code);
        response.setAuthoritativeAnswer(authoritative).setRecursionDesired(query.isRecursionDesired())
            .setRecursionAvailable(forwarder.hasUpstreams());
        if (query.count(DnsSection.QUESTION) == 1)
        {
            response.addRecord(DnsSection.QUESTION, query.recordAt(DnsSection.QUESTION));
        }
        for (final DnsZone.Record answer : answers)
        {
            response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(answer.name() + ".",
                answer.ipv6() ? DnsRecordType.AAAA : DnsRecordType.A, answer.ttl(),
                Unpooled.wrappedBuffer(answer.address().getAddress())));
        }
        channel.writeAndFlush(response, channel.voidPromise());
    }

    /** Relays an upstream's answer bytes (released here or by the write) to the client. */
    private static void relay(final Channel channel, final InetSocketAddress client, final InetSocketAddress local,
        final ByteBuf answer)
    {
        if (!channel.isActive())
        {
            answer.release();
            return;
        }
        if (local != null)
        {
            channel.writeAndFlush(new DatagramPacket(answer, client, local), channel.voidPromise());
            return;
        }
        final ByteBuf framed = channel.alloc().buffer(2 + answer.readableBytes());
        framed.writeShort(answer.readableBytes()).writeBytes(answer);
        answer.release();
        channel.writeAndFlush(framed, channel.voidPromise());
    }

    private static String canonical(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
