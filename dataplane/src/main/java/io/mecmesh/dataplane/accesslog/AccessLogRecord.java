package io.mecmesh.dataplane.accesslog;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.ATTEMPTS_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.BYTE_ORDER;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.CALLER_ID_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.DURATION_NS_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.ENDPOINT_ID_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.FLAGS_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.PARENT_SPAN_ID_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.SPAN_ID_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.TRACE_ID_HIGH_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.TRACE_ID_LOW_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.REQUEST_BYTES_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.RESPONSE_BYTES_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.ROUTE_ID_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.SLICE_ID_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.STATUS_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.TIME_MS_OFFSET;
import static io.mecmesh.dataplane.accesslog.AccessLogDescriptor.UPSTREAM_NS_OFFSET;

/**
 * A reusable view over one access-log record ({@link AccessLogDescriptor}): {@link #wrap} it, read its fields. The
 * static {@link #encode} writes one. Not thread-safe; one per reader.
 */
public final class AccessLogRecord
{
    private DirectBuffer buffer;
    private int offset;

    /**
     * Writes a record at {@code offset} ({@link AccessLogDescriptor#LENGTH} bytes).
     */
    public static void encode(
        final MutableDirectBuffer buffer,
        final int offset,
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
        buffer.putLong(offset + TIME_MS_OFFSET, timeMs, BYTE_ORDER);
        buffer.putLong(offset + DURATION_NS_OFFSET, durationNs, BYTE_ORDER);
        buffer.putLong(offset + UPSTREAM_NS_OFFSET, upstreamNs, BYTE_ORDER);
        buffer.putLong(offset + REQUEST_BYTES_OFFSET, requestBytes, BYTE_ORDER);
        buffer.putLong(offset + RESPONSE_BYTES_OFFSET, responseBytes, BYTE_ORDER);
        buffer.putInt(offset + SLICE_ID_OFFSET, sliceId, BYTE_ORDER);
        buffer.putInt(offset + CALLER_ID_OFFSET, callerId, BYTE_ORDER);
        buffer.putInt(offset + ROUTE_ID_OFFSET, routeId, BYTE_ORDER);
        buffer.putInt(offset + ENDPOINT_ID_OFFSET, endpointId, BYTE_ORDER);
        buffer.putShort(offset + STATUS_OFFSET, (short)status, BYTE_ORDER);
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, BYTE_ORDER);
        buffer.putInt(offset + ATTEMPTS_OFFSET, attempts, BYTE_ORDER);
        putTrace(buffer, offset, 0, 0, 0, 0);
    }

    /**
     * Writes the trace ids of a record at {@code offset} (after {@link #encode}).
     */
    public static void putTrace(final MutableDirectBuffer buffer, final int offset, final long traceIdHigh,
        final long traceIdLow, final long spanId, final long parentSpanId)
    {
        buffer.putLong(offset + TRACE_ID_HIGH_OFFSET, traceIdHigh, BYTE_ORDER);
        buffer.putLong(offset + TRACE_ID_LOW_OFFSET, traceIdLow, BYTE_ORDER);
        buffer.putLong(offset + SPAN_ID_OFFSET, spanId, BYTE_ORDER);
        buffer.putLong(offset + PARENT_SPAN_ID_OFFSET, parentSpanId, BYTE_ORDER);
    }

    /**
     * @return this view, over the record at {@code offset} of {@code buffer}.
     */
    public AccessLogRecord wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public long timeMs()
    {
        return buffer.getLong(offset + TIME_MS_OFFSET, BYTE_ORDER);
    }

    public long durationNs()
    {
        return buffer.getLong(offset + DURATION_NS_OFFSET, BYTE_ORDER);
    }

    public long upstreamNs()
    {
        return buffer.getLong(offset + UPSTREAM_NS_OFFSET, BYTE_ORDER);
    }

    public long requestBytes()
    {
        return buffer.getLong(offset + REQUEST_BYTES_OFFSET, BYTE_ORDER);
    }

    public long responseBytes()
    {
        return buffer.getLong(offset + RESPONSE_BYTES_OFFSET, BYTE_ORDER);
    }

    public int sliceId()
    {
        return buffer.getInt(offset + SLICE_ID_OFFSET, BYTE_ORDER);
    }

    public int callerId()
    {
        return buffer.getInt(offset + CALLER_ID_OFFSET, BYTE_ORDER);
    }

    public int routeId()
    {
        return buffer.getInt(offset + ROUTE_ID_OFFSET, BYTE_ORDER);
    }

    public int endpointId()
    {
        return buffer.getInt(offset + ENDPOINT_ID_OFFSET, BYTE_ORDER);
    }

    public int status()
    {
        return buffer.getShort(offset + STATUS_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    public int attempts()
    {
        return buffer.getInt(offset + ATTEMPTS_OFFSET, BYTE_ORDER);
    }

    public long traceIdHigh()
    {
        return buffer.getLong(offset + TRACE_ID_HIGH_OFFSET, BYTE_ORDER);
    }

    public long traceIdLow()
    {
        return buffer.getLong(offset + TRACE_ID_LOW_OFFSET, BYTE_ORDER);
    }

    public long spanId()
    {
        return buffer.getLong(offset + SPAN_ID_OFFSET, BYTE_ORDER);
    }

    public long parentSpanId()
    {
        return buffer.getLong(offset + PARENT_SPAN_ID_OFFSET, BYTE_ORDER);
    }
}
