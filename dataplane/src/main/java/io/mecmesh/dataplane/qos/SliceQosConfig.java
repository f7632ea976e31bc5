package io.mecmesh.dataplane.qos;

import static java.util.Objects.requireNonNull;

/**
 * One slice's QoS settings that the policy record does not carry. The rates (MBR in bytes/s each way), burst,
 * priority level and DSCP stay in the slice's policy records and are read there.
 *
 * @param sliceId           the packed S-NSSAI.
 * @param mode              police or shape a request over the rate.
 * @param maxShapingWaitMs  how long shape mode holds a request, 0 to 60,000 (0 polices at once).
 * @param requestsPerSecond requests per second across the node, 0 for not limited.
 * @param gbrUplinkBps      guaranteed uplink bit rate admitted per request, 0 for a non-GBR slice.
 * @param gbrDownlinkBps    guaranteed downlink bit rate admitted per request, 0 for a non-GBR slice.
 * @param priorityWeight    the weight of the slice's priority level in the shaping queue, 0 for the default
 *                          ({@link PriorityWaitQueue#defaultWeight}).
 */
public record SliceQosConfig(
    int sliceId,
    QosMode mode,
    long maxShapingWaitMs,
    long requestsPerSecond,
    long gbrUplinkBps,
    long gbrDownlinkBps,
    int priorityWeight)
{
    /** What a slice without settings runs: police, no request limit, no GBR. */
    public static SliceQosConfig defaults(final int sliceId)
    {
        return new SliceQosConfig(sliceId, QosMode.POLICE, 0, 0, 0, 0, 0);
    }

    public SliceQosConfig
    {
        requireNonNull(mode, "mode");
        if (maxShapingWaitMs < 0 || maxShapingWaitMs > 60_000)
        {
            throw new IllegalArgumentException("maxShapingWaitMs: expected 0 to 60000, got " + maxShapingWaitMs);
        }
        if (requestsPerSecond < 0)
        {
            throw new IllegalArgumentException("requestsPerSecond: expected 0 (not limited) or more, got "
                + requestsPerSecond);
        }
        if (gbrUplinkBps < 0)
        {
            throw new IllegalArgumentException("gbrUplinkBps: expected 0 or more, got " + gbrUplinkBps);
        }
        if (gbrDownlinkBps < 0)
        {
            throw new IllegalArgumentException("gbrDownlinkBps: expected 0 or more, got " + gbrDownlinkBps);
        }
        if (priorityWeight < 0 || priorityWeight > 10_000)
        {
            throw new IllegalArgumentException("priorityWeight: expected 0 (default) to 10000, got "
                + priorityWeight);
        }
    }

    /**
     * @return the guaranteed rate one request of this slice holds while it runs, 0 for a non-GBR slice.
     */
    public long gbrBps()
    {
        return gbrUplinkBps + gbrDownlinkBps;
    }
}
