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
 *   <li>Arrival of bytes: runs the callback it was given (the HTTP/1.1 listener stage's
 *   {@link Http1ListenerHandler#onBytesReceived()}), which starts the request-head timeout when the connection was
 *   waiting for a request (the codec hides a head that is half received).</li>
 * </ul>
 * Forwards every message unchanged (ownership passes on); retains and releases nothing. One instance per
 * connection, confined to its event loop.
 */
public final class ConnectionGuard extends ChannelInboundHandlerAdapter
{
    /** The number of open connections of a listener, kept on its server channel. */
    static final AttributeKey<AtomicInteger> OPEN_CONNECTIONS =
        AttributeKey.valueOf(ConnectionGuard.class, "openConnections");

    private static final Runnable NOTHING = () ->
    {
    };

    private final int maxConnections;
    private final DataPlaneCounters counters;
    private final Runnable onBytesReceived;
    private AtomicInteger openConnections;

    /**
     * @param config   the listener's configuration.
     * @param counters where refusals are counted.
     * @param onBytesReceived run on the event loop before each read is passed on (a later stage of the same
     *                        connection that times request heads); it must not allocate.
     */
    public ConnectionGuard(
        final ListenerConfig config, final DataPlaneCounters counters, final Runnable onBytesReceived)
    {
        this.maxConnections = requireNonNull(config, "config").maxConnections();
        this.counters = requireNonNull(counters, "counters");
        this.onBytesReceived = requireNonNull(onBytesReceived, "onBytesReceived");
    }

    /**
     * A guard that only admits connections (an HTTP/2 connection has no request-head timer to start).
     *
     * @param config   the listener's configuration.
     * @param counters where refusals are counted.
     * @return the guard.
     */
    public static ConnectionGuard admissionOnly(final ListenerConfig config, final DataPlaneCounters counters)
    {
        return new ConnectionGuard(config, counters, NOTHING);
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
        onBytesReceived.run();
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
