package io.mecmesh.slicemanager.cluster;

import io.aeron.cluster.ElectionState;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.AtomicCounter;

import static java.util.Objects.requireNonNull;

/**
 * Watches this member's election state counter (DESIGN-ha.md 2.5): out of an election the member has a leader and
 * a quorum; in one (at start, after the leader went silent for the heartbeat timeout, or as a leader that lost its
 * followers) it has none, and the time it entered it is when its reads became stale. Runs as part of the gateway's
 * agent; read from any thread.
 */
final class QuorumWatch implements Agent
{
    /** No election seen yet: the member started without a leader. */
    private static final long NEVER = -1;

    private final AtomicCounter electionState;
    private final EpochClock clock;
    private volatile long noLeaderSinceMs;

    /**
     * @param electionState the consensus module's election state counter.
     * @param clock         wall clock of the "stale since" instant.
     */
    QuorumWatch(final AtomicCounter electionState, final EpochClock clock)
    {
        this.electionState = requireNonNull(electionState, "electionState");
        this.clock = requireNonNull(clock, "clock");
        this.noLeaderSinceMs = clock.time();
    }

    @Override
    public int doWork()
    {
        final boolean leader = hasLeader();
        final long since = noLeaderSinceMs;
        if (leader && since != NEVER)
        {
            noLeaderSinceMs = NEVER;
            return 1;
        }
        if (!leader && since == NEVER)
        {
            noLeaderSinceMs = clock.time();
            return 1;
        }
        return 0;
    }

    /**
     * @return whether the member is out of an election (it follows or is the leader of a quorum).
     */
    boolean hasLeader()
    {
        return !electionState.isClosed() && ElectionState.get(electionState) == ElectionState.CLOSED;
    }

    /**
     * @return since when (epoch ms) the member has had no leader, or -1 while it has one.
     */
    long noLeaderSinceMs()
    {
        final long since = noLeaderSinceMs;
        return since != NEVER || hasLeader() ? since : clock.time();
    }

    @Override
    public String roleName()
    {
        return "mecmesh-cluster-quorum-watch";
    }
}
