package io.mecmesh.mecapi.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Forwards queries the node does not answer itself to the upstream resolvers over UDP, one at a time in the
 * configured order, each given {@code timeoutMs}; relays the first answer's bytes (its id set back to the client's),
 * or reports failure after the last upstream. An answer is taken only from the upstream the query was last sent to,
 * with a pending id (a random 16-bit id per forwarded query). Answers are relayed as bytes, not decoded and encoded
 * again, so that records whose data holds compressed names (SOA, MX) reach the client intact.
 *
 * <p>Confined to the responder's event loop (the upstream socket is on it too): not thread-safe.
 */
final class UpstreamForwarder extends SimpleChannelInboundHandler<DatagramPacket>
{
    /** The most queries waiting for an upstream at once; beyond it a query fails at once (SERVFAIL). */
    static final int MAX_PENDING = 4_096;

    /** A forwarded query waiting for its answer. */
    private static final class Pending
    {
        final int id;
        final DnsQuery query;
        final Consumer<ByteBuf> onAnswer;
        final Runnable onFailure;
        int upstream;
        ScheduledFuture<?> timeout;

        Pending(final int id, final DnsQuery query, final Consumer<ByteBuf> onAnswer, final Runnable onFailure)
        {
            this.id = id;
            this.query = query;
            this.onAnswer = onAnswer;
            this.onFailure = onFailure;
        }
    }

    private final List<InetSocketAddress> upstreams;
    private final long timeoutMs;
    private final Map<Integer, Pending> pending = new HashMap<>();
    private Channel channel;

    UpstreamForwarder(final List<InetSocketAddress> upstreams, final long timeoutMs)
    {
        super(DatagramPacket.class, true);
        this.upstreams = List.copyOf(upstreams);
        this.timeoutMs = timeoutMs;
    }

    void bind(final Channel upstreamChannel)
    {
        this.channel = upstreamChannel;
    }

    boolean hasUpstreams()
    {
        return !upstreams.isEmpty();
    }

    /**
     * Forwards a query. Retains it until it is answered or has failed.
     *
     * @param query     the client's query (not released here; retained while pending).
     * @param onAnswer  gets the upstream's answer with the client's id, to relay and release.
     * @param onFailure runs when every upstream failed or timed out.
     */
    void forward(final DnsQuery query, final Consumer<ByteBuf> onAnswer, final Runnable onFailure)
    {
        if (channel == null || upstreams.isEmpty() || pending.size() >= MAX_PENDING)
        {
            onFailure.run();
            return;
        }
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        while (pending.containsKey(id))
        {
            id = ThreadLocalRandom.current().nextInt(0x10000);
        }
        final Pending waiting = new Pending(id, query.retain(), onAnswer, onFailure);
        pending.put(id, waiting);
        send(waiting);
    }

    private void send(final Pending waiting)
    {
        final int attempt = waiting.upstream;
        final DatagramDnsQuery upstreamQuery = new DatagramDnsQuery(null, upstreams.get(attempt), waiting.id,
            waiting.query.opCode()).setRecursionDesired(waiting.query.isRecursionDesired());
        for (final DnsSection section : new DnsSection[] {DnsSection.QUESTION, DnsSection.ADDITIONAL})
        {
            for (int i = 0; i < waiting.query.count(section); i++)
            {
                upstreamQuery.addRecord(section, ReferenceCountUtil.retain(waiting.query.recordAt(section, i)));
            }
        }
        waiting.timeout = channel.eventLoop().schedule(() -> attemptFailed(waiting, attempt), timeoutMs,
            TimeUnit.MILLISECONDS);
        channel.writeAndFlush(upstreamQuery).addListener(future ->
        {
            if (!future.isSuccess())
            {
                attemptFailed(waiting, attempt);
            }
        });
    }

    private void attemptFailed(final Pending waiting, final int attempt)
    {
        if (pending.get(waiting.id) != waiting || waiting.upstream != attempt)
        {
            return;
        }
        waiting.timeout.cancel(false);
        if (attempt + 1 < upstreams.size())
        {
            waiting.upstream = attempt + 1;
            send(waiting);
            return;
        }
        pending.remove(waiting.id);
        // The failure answer copies the question: before the query (and its records) is released.
        waiting.onFailure.run();
        waiting.query.release();
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket packet)
    {
        final ByteBuf content = packet.content();
        if (content.readableBytes() < 12)
        {
            return;
        }
        final int id = content.getUnsignedShort(content.readerIndex());
        final Pending waiting = pending.get(id);
        if (waiting == null || !packet.sender().equals(upstreams.get(waiting.upstream)))
        {
            return;
        }
        pending.remove(id);
        waiting.timeout.cancel(false);
        final ByteBuf answer = content.copy();
        answer.setShort(answer.readerIndex(), waiting.query.id());
        waiting.query.release();
        waiting.onAnswer.accept(answer);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        // An ICMP error on the unconnected socket or a failed encode: the pending query's timeout moves on.
    }

    /** Fails every pending query (the responder is closing). */
    void failAll()
    {
        for (final Pending waiting : pending.values())
        {
            waiting.timeout.cancel(false);
            waiting.query.release();
        }
        pending.clear();
    }
}
