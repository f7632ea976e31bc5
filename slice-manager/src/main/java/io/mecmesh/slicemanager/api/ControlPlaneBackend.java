package io.mecmesh.slicemanager.api;

import io.mecmesh.slicemanager.cluster.ClusterView;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the control-plane API needs from the slice manager. Implemented by the runtime (which owns the conductor,
 * the compiler and the publisher); every method may be called from any HTTP worker thread.
 */
public interface ControlPlaneBackend
{
    /**
     * Validates, journals, applies, compiles and publishes a command; returns once it is journaled.
     *
     * @param command the command (an apply submits one {@link Command.Batch}).
     * @return the sequence number acknowledged: the new state's version.
     * @throws io.mecmesh.slicemanager.model.CommandRejectedException if the state refuses it (nothing changed).
     * @throws io.mecmesh.slicemanager.journal.JournalException       if it cannot be journaled (not acknowledged).
     */
    long submit(Command command);

    /**
     * @return the current acknowledged state.
     */
    DesiredState state();

    /**
     * @return what the control plane knows about each node, by node id.
     */
    Map<String, NodeStatus> nodeStatus();

    /**
     * @return now, on the clock of {@link NodeStatus#lastContactNs()}.
     */
    long nanoTime();

    /**
     * Reads journal entries.
     *
     * @param afterSequence entries up to this sequence number are skipped.
     * @param limit         at most this many entries are handed over.
     * @param handler       receives each entry, in order.
     * @return the sequence number of the last entry handed over, or {@code afterSequence} if none.
     */
    long journal(long afterSequence, int limit, CommandJournal.EntryHandler handler);

    /**
     * Writes a snapshot of the current state now.
     *
     * @return the snapshot file.
     */
    Path compact();

    /**
     * Submits a command at most once per request id: a retry with the same id (the CLI's {@code Idempotency-Key},
     * reused across members) gets the first outcome and changes nothing. Without a cluster, ids are not remembered.
     *
     * @param requestId the caller's request id.
     * @param command   the command.
     * @return the sequence number acknowledged.
     */
    default long submit(UUID requestId, Command command)
    {
        return submit(command);
    }

    /**
     * @param logPositions whether to ask the consensus module for every member's log position (on the leader; an
     *                     Aeron client round trip, for {@code /v1/cluster} only, not for every read).
     * @return this member's view of the control-plane cluster, empty without a cluster.
     */
    default Optional<ClusterView> cluster(boolean logPositions)
    {
        return Optional.empty();
    }

    /**
     * Waits until this member has applied every write acknowledged before the call (a read barrier through the
     * cluster log); without a cluster the state is always current.
     *
     * @return the state version this member has applied.
     * @throws io.mecmesh.slicemanager.cluster.NoQuorumException if the member cannot reach a majority.
     */
    default long readBarrier()
    {
        return state().sequence();
    }
}
