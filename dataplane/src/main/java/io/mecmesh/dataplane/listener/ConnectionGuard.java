package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The first stage of a downstream connection, before the HTTP/1.1 codec:
 *
 * <ul>
 *   <li>Admission: counts the listener's open connections (in an attribute of the listener's server channel,
 *   shared by the connections it accepts) and closes a new connection at once when the listener already has
 *   {@link ListenerConfig#maxConnections()} open. A refused connection is counted and never reaches the later
 *   stages: they see neither {@code channelActive} nor a read.</li>
 *   <li>Arrival of bytes: tells the {@link Http1ListenerHandler} of the connection that bytes arrived, which starts
 *   its request-head timeout when it was waiting for a request (the codec hides a head that is half received).</li>
 * </ul>
 * Forwards every message unchanged (ownership passes on); retains and releases nothing. One instance per
 * connection, confined to its event loop.
 */
public final class ConnectionGuard extends ChannelInboundHandlerAdapter
{
    /** The number of open connections of a listener, kept on its server channel. */
    static final AttributeKey<AtomicInteger> OPEN_CONNECTIONS =
        AttributeKey.valueOf(ConnectionGuard.class, "openConnections");

    private final int maxConnections;
    private final DataPlaneCounters counters;
    private final Http1ListenerHandler listener;
    private AtomicInteger openConnections;

    /**
     * @param config   the listener's configuration.
     * @param counters where refusals are counted.
     * @param listener the listener stage of the same connection, told when bytes arrive.
     */
    public ConnectionGuard(
        final ListenerConfig config, final DataPlaneCounters counters, final Http1ListenerHandler listener)
    {
        this.maxConnections = requireNonNull(config, "config").maxConnections();
        this.counters = requireNonNull(counters, "counters");
        this.listener = requireNonNull(listener, "listener");
    }

    private ConnectionGuard(final ListenerConfig config, final DataPlaneCounters counters)
    {
        this.maxConnections = requireNonNull(config, "config").maxConnections();
        this.counters = requireNonNull(counters, "counters");
        this.listener = null;
    }

    /**
     * A guard that only admits connections (an HTTP/2 connection has no HTTP/1.1 listener stage to tell).
     *
     * @param config   the listener's configuration.
     * @param counters where refusals are counted.
     * @return the guard.
     */
    public static ConnectionGuard admissionOnly(final ListenerConfig config, final DataPlaneCounters counters)
    {
        return new ConnectionGuard(config, counters);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        final Channel server = ctx.channel().parent();
        if (server != null)
        {
            final AtomicInteger open = openConnections(server);
            if (open.incrementAndGet() > maxConnections)
            {
                open.decrementAndGet();
                counters.increment(DataPlaneCounter.CONNECTIONS_REFUSED);
                ctx.close();
                return;
            }
            openConnections = open;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (openConnections != null)
        {
            openConnections.decrementAndGet();
            openConnections = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (listener != null)
        {
            listener.onBytesReceived();
        }
        ctx.fireChannelRead(msg);
    }

    private static AtomicInteger openConnections(final Channel server)
    {
        final AtomicInteger open = server.attr(OPEN_CONNECTIONS).get();
        if (open != null)
        {
            return open;
        }
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger existing = server.attr(OPEN_CONNECTIONS).setIfAbsent(created);
        return existing == null ? created : existing;
    }
}
