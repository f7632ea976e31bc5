package io.mecmesh.slicemanager.agent;

import io.mecmesh.slicemanager.distribution.RejectReason;

import static java.util.Objects.requireNonNull;

/**
 * The node's decision on one configuration, acknowledged to the slice manager.
 *
 * @param version the version decided on.
 * @param reason  {@link RejectReason#NONE} when applied (or already running), else why it was rejected.
 * @param detail  a human-readable explanation, empty when applied.
 */
public record ConfigVerdict(long version, RejectReason reason, String detail)
{
    public ConfigVerdict
    {
        requireNonNull(reason, "reason");
        requireNonNull(detail, "detail");
    }

    /**
     * @return whether the node runs this version.
     */
    public boolean isAccepted()
    {
        return reason == RejectReason.NONE;
    }
}
