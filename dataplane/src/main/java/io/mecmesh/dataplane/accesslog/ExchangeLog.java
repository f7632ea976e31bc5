package io.mecmesh.dataplane.accesslog;

import static java.util.Objects.requireNonNull;

/**
 * What one channel's exchange in flight has to say in the access log, gathered as it goes (times, bytes each way,
 * attempts, flags) and written as one record when it ends. Names (caller, endpoint) are resolved to ids once per
 * distinct object: a connection's caller and a pooled endpoint cost a String and a map lookup the first time only.
 * Allocation-free per request; one instance per channel, confined to its event loop.
 */
public final class ExchangeLog
{
    private final AccessLog log;
    private boolean active;
    private long startNs;
    private long attemptStartNs;
    private long upstreamNs;
    private long requestBytes;
    private long responseBytes;
    private int status;
    private int flags;
    private int attempts;
    private long traceIdHigh;
    private long traceIdLow;
    private long spanId;
    private long parentSpanId;
    private Object caller;
    private int callerId;
    private Object endpoint;
    private int endpointId;

    /**
     * @param log where the record goes when the exchange ends.
     */
    public ExchangeLog(final AccessLog log)
    {
        this.log = requireNonNull(log, "log");
    }

    /**
     * @return whether records are written at all (a caller may skip looking up what {@link #end} needs).
     */
    public boolean enabled()
    {
        return log.enabled();
    }

    /**
     * A request head arrived.
     *
     * @param nowNs {@link System#nanoTime()} now.
     */
    public void begin(final long nowNs)
    {
        active = true;
        startNs = nowNs;
        attemptStartNs = 0;
        upstreamNs = 0;
        requestBytes = 0;
        responseBytes = 0;
        status = 0;
        flags = 0;
        attempts = 0;
        traceIdHigh = 0;
        traceIdLow = 0;
        spanId = 0;
        parentSpanId = 0;
    }

    /**
     * The trace stage took part in the request's trace context.
     *
     * @param traceIdHigh  the trace id's first 8 bytes.
     * @param traceIdLow   its last 8 bytes.
     * @param spanId       this hop's span id.
     * @param parentSpanId the caller's span id, 0 when this hop started the trace.
     * @param sampled      whether the span is sampled (recorded as {@link AccessLogDescriptor#FLAG_SAMPLED}).
     */
    public void onTrace(final long traceIdHigh, final long traceIdLow, final long spanId, final long parentSpanId,
        final boolean sampled)
    {
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        if (sampled)
        {
            flags |= AccessLogDescriptor.FLAG_SAMPLED;
        }
    }

    /** An attempt (first or retry) started at {@code nowNs}. */
    public void onAttempt(final long nowNs)
    {
        attempts++;
        attemptStartNs = nowNs;
    }

    /** The response head that is forwarded arrived at {@code nowNs}. */
    public void onResponseHead(final int status, final long nowNs)
    {
        this.status = status;
        upstreamNs = attemptStartNs == 0 ? 0 : nowNs - attemptStartNs;
    }

    /** The appliance answers the request itself with {@code status}. */
    public void onLocalAnswer(final int status)
    {
        this.status = status;
        flags |= AccessLogDescriptor.FLAG_LOCAL;
    }

    /** @param flag one of the {@code FLAG_*} of {@link AccessLogDescriptor}. */
    public void flag(final int flag)
    {
        flags |= flag;
    }

    /** Request body bytes forwarded (or dropped). */
    public void onRequestBytes(final int bytes)
    {
        requestBytes += bytes;
    }

    /** Response body bytes forwarded. */
    public void onResponseBytes(final int bytes)
    {
        responseBytes += bytes;
    }

    /**
     * The exchange ended: writes its record once (a second call before the next {@link #begin} does nothing).
     *
     * @param sliceId   the request's slice.
     * @param caller    the caller's identity (its {@code toString()} is the SPIFFE id), or {@code null}.
     * @param routeName the route's name, or {@code null}.
     * @param endpoint  the endpoint of the last attempt (its {@code toString()} names it), or {@code null}.
     */
    public void end(final int sliceId, final Object caller, final String routeName, final Object endpoint)
    {
        if (!active)
        {
            return;
        }
        active = false;
        if (!log.enabled())
        {
            return;
        }
        final AccessLogNames names = log.names();
        if (caller != this.caller)
        {
            this.caller = caller;
            callerId = caller == null ? 0 : names.intern(caller.toString());
        }
        if (endpoint != this.endpoint)
        {
            this.endpoint = endpoint;
            endpointId = endpoint == null ? 0 : names.intern(endpoint.toString());
        }
        final int routeId = routeName == null ? 0 : names.intern(routeName);
        final long nowNs = System.nanoTime();
        log.write(System.currentTimeMillis(), nowNs - startNs, upstreamNs, requestBytes, responseBytes, sliceId,
            callerId, routeId, endpointId, status, flags, attempts, traceIdHigh, traceIdLow, spanId, parentSpanId);
    }
}
