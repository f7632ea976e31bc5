package io.mecmesh.slicemanager.model;

import io.mecmesh.dataplane.qos.QosMode;

import static java.util.Objects.requireNonNull;

/**
 * How the nodes admit a slice's requests beyond its policy record (the record carries its MBRs, burst, priority
 * and delay budget): police or shape a request over {@code requestsPerSecond}, how long shaping may hold one, and the
 * weight of the slice's priority level in a node's shaping queue. Compiled into each node's {@code QosConfig}.
 *
 * @param mode              police (429 at once) or shape (held up to {@code maxShapingWaitMs}, then 429).
 * @param maxShapingWaitMs  0 to 60,000.
 * @param requestsPerSecond requests per second on each node, 0 for not limited.
 * @param priorityWeight    0 (the default: 128 - priority level) to 10,000.
 */
public record SliceQos(QosMode mode, long maxShapingWaitMs, long requestsPerSecond, int priorityWeight)
{
    /** Police, no request limit, default weight. */
    public static final SliceQos DEFAULT = new SliceQos(QosMode.POLICE, 0, 0, 0);

    public SliceQos
    {
        requireNonNull(mode, "mode");
        Checks.requireRange("maxShapingWaitMs", maxShapingWaitMs, 0, 60_000);
        Checks.requireRange("requestsPerSecond", requestsPerSecond, 0, 1_000_000_000L);
        Checks.requireRange("priorityWeight", priorityWeight, 0, 10_000);
    }
}
