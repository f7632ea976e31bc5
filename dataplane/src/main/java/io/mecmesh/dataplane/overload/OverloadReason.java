package io.mecmesh.dataplane.overload;

/**
 * Why the data plane sheds load; its {@link #headerValue()} is what a shed request's
 * {@code x-mecmesh-overloaded} response header says.
 */
public enum OverloadReason
{
    /** The event loops run late: the periodic probe's lateness (EWMA) is above the threshold. */
    EVENT_LOOP_LAG("event_loop_lag"),
    /** Heap use is above the threshold. */
    HEAP("heap"),
    /** Direct (off-heap) memory use is above the threshold. */
    DIRECT_MEMORY("direct_memory");

    private final String headerValue;

    OverloadReason(final String headerValue)
    {
        this.headerValue = headerValue;
    }

    /**
     * @return the reason as sent in {@code x-mecmesh-overloaded} and used as a metric label.
     */
    public String headerValue()
    {
        return headerValue;
    }
}
