package io.mecmesh.slicemanager.cluster;

import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One member's view of the control-plane cluster ({@code GET /v1/cluster}, DESIGN-ha.md 5.1).
 *
 * @param memberId         the member asked.
 * @param members          every member's address (empty: one member on this host).
 * @param leaderMemberId   the leader, -1 while this member has none (in an election).
 * @param leadershipTermId the latest term this member applied.
 * @param commitPosition   this member's commit position in the log.
 * @param appliedSequence  the state version this member has applied.
 * @param role             this member's role ({@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}).
 * @param noLeaderSinceMs  since when (epoch ms) this member has had no leader (its reads are stale), -1 if it has.
 * @param logPositions     on the leader: each member's appended log position (lag = commit - it); else empty.
 */
public record ClusterView(int memberId, List<MemberAddress> members, int leaderMemberId, long leadershipTermId,
    long commitPosition, long appliedSequence, String role, long noLeaderSinceMs, Map<Integer, Long> logPositions)
{
    public ClusterView
    {
        members = List.copyOf(requireNonNull(members, "members"));
        requireNonNull(role, "role");
        logPositions = Map.copyOf(requireNonNull(logPositions, "logPositions"));
    }

    /**
     * @return whether this member has no leader (its reads are stale, its writes refused).
     */
    public boolean isStale()
    {
        return noLeaderSinceMs >= 0;
    }
}
