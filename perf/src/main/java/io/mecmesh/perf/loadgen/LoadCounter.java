package io.mecmesh.perf.loadgen;

/**
 * Every outcome the load generator counts, one slot each in {@link LoadCounters}. Request outcomes count only
 * requests whose intended send time falls in the measurement window; connect errors count over the whole run.
 */
enum LoadCounter
{
    /** Requests of the measurement window whose intended send time has come (open loop) or that were sent. */
    SCHEDULED("scheduled"),
    /** Requests of the measurement window written to a connection. */
    SENT("sent"),
    /** Requests of the warm-up written to a connection (not measured, but seen by the server). */
    SENT_WARMUP("sentWarmup"),
    /**
     * Requests of the warm-up still unsent when the window opened (the generator or the server had fallen behind):
     * dropped, so that the window's requests do not queue behind the warm-up's backlog. Many means the warm-up was
     * too short for the generator's JIT or the target cannot take the rate.
     */
    DROPPED_WARMUP("droppedWarmup"),
    /** Responses received, whatever their status; each one has its latency recorded. */
    COMPLETED("completed"),
    /** A connection attempt failed: refused, unreachable, timed out or its TLS handshake failed. */
    ERROR_CONNECT("connect"),
    /** A request in flight lost its connection or stream (closed, reset by the peer, RST_STREAM, GOAWAY). */
    ERROR_RESET("reset"),
    /** A request in flight had no response within the timeout. */
    ERROR_TIMEOUT("timeout"),
    /** A response with a status outside 2xx. */
    ERROR_STATUS("status");

    private final String jsonName;

    LoadCounter(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    /**
     * @return the name of this counter in the JSON summary.
     */
    String jsonName()
    {
        return jsonName;
    }

    /**
     * @return true for the counters that are errors.
     */
    boolean isError()
    {
        return ordinal() >= ERROR_CONNECT.ordinal();
    }
}
