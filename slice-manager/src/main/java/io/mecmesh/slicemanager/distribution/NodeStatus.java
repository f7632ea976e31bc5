package io.mecmesh.slicemanager.distribution;

import static java.util.Objects.requireNonNull;

/**
 * What the slice manager knows about one node's configuration, for {@code mecmesh status}.
 *
 * @param nodeId          the node.
 * @param latestVersion   the newest version published for it.
 * @param appliedVersion  the version it last reported running (ACK accepted or catch-up request), -1 for unknown.
 * @param rejectedVersion the version it last rejected, -1 for none.
 * @param rejectReason    why ({@link RejectReason#NONE} when nothing was rejected).
 * @param rejectDetail    the node's explanation, empty when nothing was rejected.
 * @param lastContactNs   publisher clock time of the node's last ACK or catch-up request, -1 for never.
 */
public record NodeStatus(
    String nodeId,
    long latestVersion,
    long appliedVersion,
    long rejectedVersion,
    RejectReason rejectReason,
    String rejectDetail,
    long lastContactNs)
{
    public NodeStatus
    {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(rejectReason, "rejectReason");
        requireNonNull(rejectDetail, "rejectDetail");
    }

    /**
     * @return whether the node runs the newest version published for it.
     */
    public boolean isUpToDate()
    {
        return appliedVersion == latestVersion;
    }
}
