package io.mecmesh.dataplane.accesslog;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.trace.Tracing;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import static java.util.Objects.requireNonNull;

/**
 * Where the data plane's event loops hand off access-log records: a multi-producer Agrona ring buffer (attached by
 * the appliance, which drains it on one agent thread) and the side table of names. Disabled until a ring is
 * attached. {@link #write} claims space in the ring, encodes in place and commits: no allocation and no lock; when
 * the ring is full the record is dropped and counted ({@link DataPlaneCounter#ACCESS_LOG_DROPPED}), the event loop
 * never waits. Thread-safe.
 */
public final class AccessLog
{
    private final DataPlaneCounters counters;
    private final AccessLogNames names = new AccessLogNames();
    private final Tracing tracing = new Tracing();
    private volatile RingBuffer ring;

    /**
     * @param counters where dropped and written records are counted.
     */
    public AccessLog(final DataPlaneCounters counters)
    {
        this.counters = requireNonNull(counters, "counters");
    }

    /**
     * @return an access log that is never attached (tools and tests that run stages without one).
     */
    public static AccessLog detached()
    {
        return new AccessLog(new DataPlaneCounters());
    }

    /**
     * Starts logging into {@code ring} (a many-to-one ring: every event loop writes into it).
     *
     * @param ring the ring the access-log agent drains.
     */
    public void attach(final RingBuffer ring)
    {
        this.ring = requireNonNull(ring, "ring");
    }

    /** Stops logging: records are no longer written. */
    public void detach()
    {
        this.ring = null;
    }

    /**
     * @return whether a ring is attached (the request path skips its bookkeeping otherwise).
     */
    public boolean enabled()
    {
        return ring != null;
    }

    /**
     * @return the trace settings of the requests whose records go here (the records carry their spans).
     */
    public Tracing tracing()
    {
        return tracing;
    }

    /**
     * @return the names the records' ids refer to.
     */
    public AccessLogNames names()
    {
        return names;
    }

    /**
     * Writes one record, see {@link AccessLogDescriptor} for the fields.
     *
     * @return false when it was not written: logging is disabled, or the ring is full (counted).
     */
    public boolean write(
        final long timeMs,
        final long durationNs,
        final long upstreamNs,
        final long requestBytes,
        final long responseBytes,
        final int sliceId,
        final int callerId,
        final int routeId,
        final int endpointId,
        final int status,
        final int flags,
        final int attempts)
    {
        return write(timeMs, durationNs, upstreamNs, requestBytes, responseBytes, sliceId, callerId, routeId,
            endpointId, status, flags, attempts, 0, 0, 0, 0);
    }

    /**
     * Writes one record with its trace ids, see {@link AccessLogDescriptor} for the fields.
     *
     * @return false when it was not written: logging is disabled, or the ring is full (counted).
     */
    public boolean write(
        final long timeMs,
        final long durationNs,
        final long upstreamNs,
        final long requestBytes,
        final long responseBytes,
        final int sliceId,
        final int callerId,
        final int routeId,
        final int endpointId,
        final int status,
        final int flags,
        final int attempts,
        final long traceIdHigh,
        final long traceIdLow,
        final long spanId,
        final long parentSpanId)
    {
        final RingBuffer ring = this.ring;
        if (ring == null)
        {
            return false;
        }
        final int index = ring.tryClaim(AccessLogDescriptor.RECORD_MSG_TYPE_ID, AccessLogDescriptor.LENGTH);
        if (index <= 0)
        {
            counters.increment(DataPlaneCounter.ACCESS_LOG_DROPPED);
            return false;
        }
        AccessLogRecord.encode(ring.buffer(), index, timeMs, durationNs, upstreamNs, requestBytes, responseBytes,
            sliceId, callerId, routeId, endpointId, status, flags, attempts);
        AccessLogRecord.putTrace(ring.buffer(), index, traceIdHigh, traceIdLow, spanId, parentSpanId);
        ring.commit(index);
        return true;
    }
}
