package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Connection errors that clients cause (an HTTP/2 protocol error, a CONTINUATION, RST_STREAM or control frame
 * flood): each one is counted ({@link DataPlaneCounter#HTTP2_CLIENT_ERRORS}) and described in one line, never a
 * stack trace, at most one line per second for the whole data plane (the line says how many were left out since
 * the last). A client can make these as fast as it can connect; the log must not grow with it. Thread-safe.
 */
public final class ClientErrorLog
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientErrorLog.class);
    private static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    private final Consumer<String> sink;
    private final DataPlaneCounters counters;
    private final AtomicLong nextLineNs;
    private final AtomicLong leftOut = new AtomicLong();

    /**
     * @param nanoClock the time.
     * @param sink      where the lines go.
     * @param counters  where the errors are counted.
     */
    public ClientErrorLog(final LongSupplier nanoClock, final Consumer<String> sink, final DataPlaneCounters counters)
    {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.sink = requireNonNull(sink, "sink");
        this.counters = requireNonNull(counters, "counters");
        this.nextLineNs = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * @param counters where the errors are counted.
     * @return lines at INFO on this class's logger.
     */
    public static ClientErrorLog toLogger(final DataPlaneCounters counters)
    {
        return new ClientErrorLog(System::nanoTime, LOG::info, counters);
    }

    /**
     * A connection is closed for a client's connection error.
     *
     * @param channel the downstream connection.
     * @param error   what the client did.
     */
    public void onConnectionError(final Channel channel, final Http2Exception error)
    {
        counters.increment(DataPlaneCounter.HTTP2_CLIENT_ERRORS);
        final long now = nanoClock.getAsLong();
        final long next = nextLineNs.get();
        if (now - next < 0 || !nextLineNs.compareAndSet(next, now + INTERVAL_NS))
        {
            leftOut.incrementAndGet();
            return;
        }
        final long skipped = leftOut.getAndSet(0);
        sink.accept("HTTP/2 connection from " + channel.remoteAddress() + " closed: " + error.error() + ": "
            + error.getMessage() + (skipped == 0 ? "" : " (" + skipped + " more client errors since the last line)"));
    }
}
