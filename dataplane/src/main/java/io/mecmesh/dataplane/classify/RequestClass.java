package io.mecmesh.dataplane.classify;

/**
 * The slice of the request in flight on a channel (an HTTP/1.1 connection, or one HTTP/2 stream), set by the
 * classify stage for the stages after it. One per channel, reused by every request on it, confined to the channel's
 * event loop: reading it allocates nothing.
 */
public final class RequestClass
{
    private int sliceId;
    private SliceStats stats;

    RequestClass(final SliceStats unclassified)
    {
        this.stats = unclassified;
    }

    void set(final int sliceId, final SliceStats stats)
    {
        this.sliceId = sliceId;
        this.stats = stats;
    }

    /**
     * @return the packed S-NSSAI of the request's slice, 0 when unclassified.
     */
    public int sliceId()
    {
        return sliceId;
    }

    /**
     * @return where the request's slice is counted.
     */
    public SliceStats stats()
    {
        return stats;
    }
}
