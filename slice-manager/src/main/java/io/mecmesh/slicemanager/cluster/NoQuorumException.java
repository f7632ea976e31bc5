package io.mecmesh.slicemanager.cluster;

import java.time.Instant;

/**
 * A write refused because this member cannot reach a majority of the control-plane cluster (DESIGN-ha.md 2.5):
 * nothing was offered to the log, so nothing was applied. The API answers 503 ProblemDetails "no quorum".
 */
public final class NoQuorumException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int memberId;
    private final long noLeaderSinceMs;

    /**
     * @param memberId        this member's id.
     * @param api             this member's API address, or empty.
     * @param noLeaderSinceMs since when (epoch ms) it has had no leader, -1 if it had one (no session to it yet).
     */
    public NoQuorumException(final int memberId, final String api, final long noLeaderSinceMs)
    {
        super("no quorum: member " + memberId + (api == null || api.isEmpty() ? "" : " (" + api + ")")
            + (noLeaderSinceMs < 0 ? " has no session to the leader yet"
            : " has seen no leader since " + Instant.ofEpochMilli(noLeaderSinceMs)) + "; nothing was applied",
            null, false, false);
        this.memberId = memberId;
        this.noLeaderSinceMs = noLeaderSinceMs;
    }

    /**
     * @return the member that refused.
     */
    public int memberId()
    {
        return memberId;
    }

    /**
     * @return since when (epoch ms) it has had no leader, -1 if it had one.
     */
    public long noLeaderSinceMs()
    {
        return noLeaderSinceMs;
    }
}
