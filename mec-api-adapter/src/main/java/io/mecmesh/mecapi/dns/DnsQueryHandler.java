package io.mecmesh.mecapi.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.AbstractDnsOptPseudoRrRecord;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Answers one DNS query, over UDP ({@link DatagramDnsQuery} from the server socket) or TCP (a {@link DnsQuery} from
 * a connection): in order, a client over its rate is REFUSED; an opcode other than QUERY is NOTIMP, not exactly one
 * question FORMERR; AXFR and IXFR are REFUSED; a name of the node's {@link DnsZone} is answered authoritatively (A or
 * AAAA records of the type asked, NOERROR without records for another type); another name in one of the configured
 * local zones is answered authoritatively too: NXDOMAIN with the zone's SOA in the authority section (NOERROR
 * without records, with the SOA, for the zone's apex, whose SOA it answers, and for a name with names under it);
 * any other name is forwarded to the upstream resolvers (SERVFAIL when they all fail; a UDP client's query over
 * UDP, its answer relayed as is, truncated or not, a TCP client's over TCP) or, with none configured, REFUSED. Every outcome increments one {@link DnsCounter}.
 *
 * <p>Consumes the query (released by {@link SimpleChannelInboundHandler} after {@link #channelRead0}; the forwarder
 * retains it while it waits); writes one response per answered query. {@code @Sharable}: one instance serves the
 * UDP socket and every TCP connection, all on the responder's one event loop, which confines its state (the rate
 * limiter, the forwarder).
 */
@ChannelHandler.Sharable
final class DnsQueryHandler extends SimpleChannelInboundHandler<DnsQuery>
{
    /** The UDP payload size this responder announces (EDNS; the DNS flag day 2020 value). */
    static final int UDP_PAYLOAD = 1232;
    /** The largest UDP message a client without EDNS takes. */
    static final int PLAIN_UDP_LIMIT = 512;

    /** Our OPT record: the UDP payload size, extended rcode 0, EDNS version 0, no options. */
    private static final class Opt extends AbstractDnsOptPseudoRrRecord
    {
        Opt()
        {
            super(UDP_PAYLOAD, 0, 0);
        }
    }

    private final Supplier<DnsZone> zone;
    private final ClientRateLimiter limiter;
    private final UpstreamForwarder forwarder;
    private final TcpUpstreamForwarder tcpForwarder;
    private final DnsCounters counters;
    private final List<String> localZones;
    private final int negativeTtl;

    DnsQueryHandler(final Supplier<DnsZone> zone, final int queriesPerSecondPerClient, final LongSupplier nanoClock,
        final UpstreamForwarder forwarder, final TcpUpstreamForwarder tcpForwarder, final DnsCounters counters,
        final List<String> localZones, final int negativeTtl)
    {
        super(DnsQuery.class, true);
        this.tcpForwarder = tcpForwarder;
        this.localZones = List.copyOf(localZones);
        this.negativeTtl = negativeTtl;
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
            answer(channel, query, DnsResponseCode.REFUSED, List.of(), DnsCounter.REFUSED_RATE_LIMITED);
            return;
        }
        if (query.opCode() != DnsOpCode.QUERY)
        {
            answer(channel, query, DnsResponseCode.NOTIMP, List.of(), DnsCounter.NOT_IMPLEMENTED);
            return;
        }
        if (query.count(DnsSection.QUESTION) != 1)
        {
            answer(channel, query, DnsResponseCode.FORMERR, List.of(), DnsCounter.NOT_IMPLEMENTED);
            return;
        }
        final DnsQuestion question = query.recordAt(DnsSection.QUESTION);
        final DnsRecordType type = question.type();
        if (type == DnsRecordType.AXFR || type == DnsRecordType.IXFR)
        {
            answer(channel, query, DnsResponseCode.REFUSED, List.of(), DnsCounter.REFUSED_ZONE_TRANSFER);
            return;
        }
        final String name = canonical(question.name());
        final DnsZone names = zone.get();
        final List<DnsZone.Record> records = names.lookup(name);
        final String localZone = localZoneOf(name);
        if (!records.isEmpty())
        {
            final boolean ipv6 = type == DnsRecordType.AAAA;
            final List<DnsZone.Record> answers = type == DnsRecordType.A || ipv6
                ? records.stream().filter(record -> record.ipv6() == ipv6).toList() : List.of();
            final DnsCounter outcome = answers.isEmpty() ? DnsCounter.NO_DATA
                : "mesh".equals(answers.get(0).source()) ? DnsCounter.MESH_ANSWER : DnsCounter.RULE_ANSWER;
            final DnsResponse response = respond(channel, query, DnsResponseCode.NOERROR, true, answers, outcome);
            if (answers.isEmpty() && localZone != null)
            {
                response.addRecord(DnsSection.AUTHORITY, soa(localZone, names.version()));
            }
            send(channel, query, response);
            return;
        }
        if (localZone != null)
        {
            final boolean exists = name.equals(localZone) || names.hasNamesUnder(name);
            final boolean apexSoa = name.equals(localZone) && type == DnsRecordType.SOA;
            final DnsResponse response = respond(channel, query, exists ? DnsResponseCode.NOERROR
                : DnsResponseCode.NXDOMAIN, true, List.of(), apexSoa ? DnsCounter.ZONE_SOA
                : exists ? DnsCounter.NO_DATA : DnsCounter.NXDOMAIN);
            response.addRecord(apexSoa ? DnsSection.ANSWER : DnsSection.AUTHORITY, soa(localZone, names.version()));
            send(channel, query, response);
            return;
        }
        if (!forwarder.hasUpstreams())
        {
            answer(channel, query, DnsResponseCode.REFUSED, List.of(), DnsCounter.REFUSED_NO_UPSTREAM);
            return;
        }
        final InetSocketAddress local = query instanceof DatagramDnsQuery datagram ? datagram.recipient() : null;
        final Consumer<ByteBuf> onAnswer = answer ->
        {
            counters.increment(DnsCounter.FORWARDED);
            relay(channel, client, local, answer);
        };
        final Runnable onFailure = () -> answer(channel, query, DnsResponseCode.SERVFAIL, List.of(),
            DnsCounter.UPSTREAM_FAILURE);
        if (local == null)
        {
            // A TCP client: upstream over TCP too, so an answer too large for a datagram is not truncated.
            tcpForwarder.forward(channel.eventLoop(), query, onAnswer, onFailure);
        }
        else
        {
            forwarder.forward(query, onAnswer, onFailure);
        }
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

    /** Builds a response, counts its outcome; the caller writes it. */
    private DnsResponse respond(final Channel channel, final DnsQuery query, final DnsResponseCode code,
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
        return response;
    }

    /** Builds, counts and writes a response. */
    private void answer(final Channel channel, final DnsQuery query, final DnsResponseCode code,
        final List<DnsZone.Record> answers, final DnsCounter outcome)
    {
        send(channel, query, respond(channel, query, code, false, answers, outcome));
    }

    /**
     * Writes a response made here: with an OPT record (our UDP payload size) when the query had one (EDNS), and over
     * UDP no larger than the client takes (512 bytes without EDNS, else its payload size up to ours): a larger one
     * goes without its answer and authority records and with TC set, for the client to ask again over TCP.
     */
    private static void send(final Channel channel, final DnsQuery query, final DnsResponse response)
    {
        int clientPayload = -1;
        for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++)
        {
            final DnsRecord record = query.recordAt(DnsSection.ADDITIONAL, i);
            if (record.type() == DnsRecordType.OPT)
            {
                clientPayload = record.dnsClass();
            }
        }
        if (clientPayload >= 0)
        {
            response.addRecord(DnsSection.ADDITIONAL, new Opt());
        }
        if (response instanceof DatagramDnsResponse)
        {
            final int limit = clientPayload < 0 ? PLAIN_UDP_LIMIT
                : Math.max(PLAIN_UDP_LIMIT, Math.min(clientPayload, UDP_PAYLOAD));
            if (encodedSize(response) > limit)
            {
                response.clear(DnsSection.ANSWER);
                response.clear(DnsSection.AUTHORITY);
                response.setTruncated(true);
            }
        }
        channel.writeAndFlush(response, channel.voidPromise());
    }

    /** The response's size as the encoder writes it (names uncompressed). */
    private static int encodedSize(final DnsResponse response)
    {
        int size = 12;
        for (final DnsSection section : DnsSection.values())
        {
            for (int i = 0; i < response.count(section); i++)
            {
                final DnsRecord record = response.recordAt(section, i);
                final int name = record.name().isEmpty() || ".".equals(record.name()) ? 1
                    : record.name().length() + (record.name().endsWith(".") ? 1 : 2);
                size += section == DnsSection.QUESTION ? name + 4 : name + 10
                    + (record instanceof DnsRawRecord raw ? raw.content().readableBytes() : 0);
            }
        }
        return size;
    }

    /** The local zone {@code name} is in (the longest that matches), or null. */
    private String localZoneOf(final String name)
    {
        String found = null;
        for (final String local : localZones)
        {
            if ((name.equals(local) || name.endsWith("." + local)) && (found == null || local.length() > found.length()))
            {
                found = local;
            }
        }
        return found;
    }

    /**
     * The SOA of a local zone: {@code ZONE. TTL SOA ZONE. hostmaster.ZONE. SERIAL 3600 600 86400 TTL}, the serial the
     * configuration's version (low 32 bits), the TTL and the negative-caching minimum {@code defaultTtl}.
     */
    private DefaultDnsRawRecord soa(final String local, final long version)
    {
        final ByteBuf data = Unpooled.buffer();
        writeName(data, local);
        writeName(data, "hostmaster." + local);
        data.writeInt((int)version).writeInt(3600).writeInt(600).writeInt(86_400).writeInt(negativeTtl);
        return new DefaultDnsRawRecord(local + ".", DnsRecordType.SOA, negativeTtl, data);
    }

    /** A name as DNS labels, uncompressed. */
    private static void writeName(final ByteBuf out, final String name)
    {
        for (final String label : name.split("\\."))
        {
            final byte[] bytes = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            out.writeByte(bytes.length).writeBytes(bytes);
        }
        out.writeByte(0);
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
