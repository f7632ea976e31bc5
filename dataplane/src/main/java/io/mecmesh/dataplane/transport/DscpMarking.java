package io.mecmesh.dataplane.transport;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

import static java.util.Objects.requireNonNull;

/**
 * Marks a socket's packets with a DSCP: the IP header's TOS (IPv4) or traffic class (IPv6) byte is {@code dscp << 2}
 * (the low two bits are ECN, left to the kernel). Netty's {@link ChannelOption#IP_TOS} reaches the socket on every
 * transport we run: NIO maps it to the JDK's {@code StandardSocketOptions.IP_TOS} (which sets {@code IPV6_TCLASS} on
 * an IPv6 socket), and epoll and io_uring (4.2.18: {@code setTrafficClass} of their socket configs) set
 * {@code IP_TOS}, and {@code IPV6_TCLASS} on an IPv6 socket. A transport or kernel that refuses it is not an error:
 * the packets leave unmarked and {@link DataPlaneCounter#DSCP_MARK_FAILURES} says so. Stateless; call it from the
 * channel's event loop (or before the channel is registered).
 */
public final class DscpMarking
{
    /** The DSCP a connection is marked with now, kept so that a connection is marked once per change, not per request. */
    private static final AttributeKey<Integer> MARKED = AttributeKey.valueOf(DscpMarking.class, "dscp");

    private DscpMarking()
    {
    }

    /**
     * @param dscp a DSCP, 0 to 63.
     * @return the TOS / traffic class byte that carries it.
     */
    public static int tos(final int dscp)
    {
        if (dscp < 0 || dscp > 63)
        {
            throw new IllegalArgumentException("dscp: expected 0 to 63, got " + dscp);
        }
        return dscp << 2;
    }

    /**
     * Marks a new upstream socket, before it connects (so that its SYN carries the DSCP too). DSCP 0 is the default
     * and sets nothing.
     *
     * @param channel  the socket, not yet connected.
     * @param dscp     the DSCP, 0 to 63.
     * @param counters where a refused marking is counted.
     */
    public static void markNew(final Channel channel, final int dscp, final DataPlaneCounters counters)
    {
        requireNonNull(channel, "channel");
        requireNonNull(counters, "counters");
        if (dscp != 0 && !setTos(channel, tos(dscp)))
        {
            counters.increment(DataPlaneCounter.DSCP_MARK_FAILURES);
        }
    }

    /**
     * Marks the connection a request came in on, so that its response carries the request's DSCP: the accepted
     * socket itself, or for an HTTP/2 stream its connection. A connection is marked again only when the DSCP changes
     * (one attribute read per request otherwise); the marking of a connection shared by streams of different slices
     * is the last stream's.
     *
     * @param channel  the downstream connection or HTTP/2 stream.
     * @param dscp     the DSCP of the request's slice, 0 to 63.
     * @param counters where a refused marking is counted.
     */
    public static void markDownstream(final Channel channel, final int dscp, final DataPlaneCounters counters)
    {
        requireNonNull(channel, "channel");
        final Channel socket = channel instanceof SocketChannel || channel.parent() == null ? channel : channel.parent();
        if (dscp == 0 && !socket.hasAttr(MARKED))
        {
            return; // never marked: unmarked already, and no attribute made for connections that stay so
        }
        final Attribute<Integer> marked = socket.attr(MARKED);
        final Integer current = marked.get();
        if (current == null ? dscp == 0 : current == dscp)
        {
            return;
        }
        marked.set(dscp);
        if (!setTos(socket, tos(dscp)))
        {
            counters.increment(DataPlaneCounter.DSCP_MARK_FAILURES);
        }
    }

    private static boolean setTos(final Channel channel, final int tos)
    {
        try
        {
            return channel.config().setOption(ChannelOption.IP_TOS, tos);
        }
        catch (final ChannelException ex)
        {
            return false;
        }
    }
}
