package io.mecmesh.dataplane.accesslog;

import java.nio.ByteOrder;

/**
 * The layout of one access-log record: fixed size, little-endian, written into the ring by an event loop and copied
 * as is into the access-log queue.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  end time, epoch milliseconds                 |  0
 *  +---------------------------------------------------------------+
 *  |          duration: request head to exchange end (ns)          |  8
 *  +---------------------------------------------------------------+
 *  |     upstream: last attempt's start to response head (ns)      | 16
 *  +---------------------------------------------------------------+
 *  |            request body bytes (downstream to upstream)        | 24
 *  +---------------------------------------------------------------+
 *  |           response body bytes (upstream to downstream)        | 32
 *  +-------------------------------+-------------------------------+
 *  |     slice id (packed S-NSSAI) |  caller name id (0: none)     | 40
 *  +-------------------------------+-------------------------------+
 *  |     route name id (0: none)   |  endpoint name id (0: none)   | 48
 *  +---------------+---------------+-------------------------------+
 *  |  status       |  flags        |  attempts                     | 56
 *  +---------------+---------------+-------------------------------+
 *  |              trace id, first 8 bytes (0: no trace)            | 64
 *  +---------------------------------------------------------------+
 *  |              trace id, last 8 bytes                           | 72
 *  +---------------------------------------------------------------+
 *  |              span id of this hop (0: no trace)                | 80
 *  +---------------------------------------------------------------+
 *  |              parent span id (0: this hop started the trace)   | 88
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Name ids index {@link AccessLogNames}; the 64-bit fields are 8-byte aligned. Ids are big-endian numbers of the
 * W3C hex ids (the trace id's first 16 hex digits are {@code traceIdHigh}).
 */
public final class AccessLogDescriptor
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    /** The ring's message type of a record. */
    public static final int RECORD_MSG_TYPE_ID = 1;

    public static final int TIME_MS_OFFSET = 0;
    public static final int DURATION_NS_OFFSET = 8;
    public static final int UPSTREAM_NS_OFFSET = 16;
    public static final int REQUEST_BYTES_OFFSET = 24;
    public static final int RESPONSE_BYTES_OFFSET = 32;
    public static final int SLICE_ID_OFFSET = 40;
    public static final int CALLER_ID_OFFSET = 44;
    public static final int ROUTE_ID_OFFSET = 48;
    public static final int ENDPOINT_ID_OFFSET = 52;
    public static final int STATUS_OFFSET = 56;
    public static final int FLAGS_OFFSET = 58;
    public static final int ATTEMPTS_OFFSET = 60;
    public static final int TRACE_ID_HIGH_OFFSET = 64;
    public static final int TRACE_ID_LOW_OFFSET = 72;
    public static final int SPAN_ID_OFFSET = 80;
    public static final int PARENT_SPAN_ID_OFFSET = 88;
    public static final int LENGTH = 96;

    /** At least one attempt was retried. */
    public static final int FLAG_RETRIED = 1;
    /** The admit stage policed (refused) the request. */
    public static final int FLAG_POLICED = 1 << 1;
    /** The admit stage delayed (shaped) the request. */
    public static final int FLAG_SHAPED = 1 << 2;
    /** Answered by the appliance itself (no upstream response): a 502/503/504, a direct response, a shed request. */
    public static final int FLAG_LOCAL = 1 << 3;
    /** The exchange ended without a complete response (a downstream or upstream reset). */
    public static final int FLAG_RESET = 1 << 4;
    /** The exchange's span is sampled: exported when tracing is on. */
    public static final int FLAG_SAMPLED = 1 << 5;

    private AccessLogDescriptor()
    {
    }
}
