package io.mecmesh.slicemanager.journal;

import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * Owns the desired state (a {@link DesiredStateMachine}) and decides on commands: a command is validated against the
 * current state, appended to the journal, and only then applied and acknowledged. A rejected command changes nothing
 * and is not journaled. On open, the state is rebuilt from the latest snapshot plus the journal entries after it.
 *
 * <p>Layout of the data directory: {@code journal/} (the Chronicle Queue) and {@code snapshots/}.
 *
 * <p>Not thread-safe: owned by the slice manager's conductor thread.
 */
public final class DesiredStateConductor implements AutoCloseable
{
    private final CommandJournal journal;
    private final SnapshotStore snapshots;
    private final DesiredStateMachine machine;

    private DesiredStateConductor(final CommandJournal journal, final SnapshotStore snapshots, final DesiredState state)
    {
        this.journal = journal;
        this.snapshots = snapshots;
        this.machine = new DesiredStateMachine(state);
    }

    /**
     * Opens the data directory and rebuilds the state: latest snapshot, then the journal after it.
     *
     * @param directory the data directory.
     * @return the conductor, holding the recovered state.
     * @throws JournalException (CORRUPT) if a snapshot or journal entry is damaged or no longer applies.
     */
    public static DesiredStateConductor open(final Path directory)
    {
        requireNonNull(directory, "directory");
        final SnapshotStore snapshots = new SnapshotStore(directory.resolve("snapshots"));
        final DesiredState fromSnapshot = snapshots.loadLatest().orElse(DesiredState.empty());
        final CommandJournal journal = CommandJournal.open(directory.resolve("journal"));
        try
        {
            final DesiredStateMachine recovered = new DesiredStateMachine(fromSnapshot);
            journal.replay(fromSnapshot.sequence(), (sequence, command) ->
            {
                try
                {
                    recovered.apply(command);
                }
                catch (final CommandRejectedException | IllegalArgumentException ex)
                {
                    throw new JournalException(JournalException.Category.CORRUPT, "journal " + directory
                        + ": entry with sequence " + sequence + " was accepted once but no longer applies: "
                        + ex.getMessage(), ex);
                }
            });
            return new DesiredStateConductor(journal, snapshots, recovered.state());
        }
        catch (final RuntimeException ex)
        {
            journal.close();
            throw ex;
        }
    }

    /**
     * Validates, journals and applies a command.
     *
     * @param command the command.
     * @return the sequence number acknowledged: the command is in the journal.
     * @throws CommandRejectedException if the command is not valid (nothing journaled, state unchanged).
     * @throws JournalException         if it cannot be journaled (state unchanged, not acknowledged).
     */
    public long submit(final Command command)
    {
        requireNonNull(command, "command");
        return machine.apply(command, (sequence, valid, next) -> journal.append(sequence, valid));
    }

    /**
     * Writes a snapshot of the current state; later restarts replay only the journal after it.
     *
     * @return the snapshot file.
     */
    public Path snapshot()
    {
        return snapshots.write(machine.state());
    }

    /**
     * The current state: every acknowledged command applied.
     *
     * @return the state.
     */
    public DesiredState state()
    {
        return machine.state();
    }

    /**
     * Reads the journal from the start, handing over the entries after a sequence number (for
     * {@code mecmesh journal tail}).
     *
     * @param afterSequence entries up to this one are skipped.
     * @param handler       receives each later entry in order.
     * @return the sequence number of the last entry handed over, or {@code afterSequence}.
     */
    public long replayJournal(final long afterSequence, final CommandJournal.EntryHandler handler)
    {
        return journal.replay(afterSequence, handler);
    }

    /**
     * @return the journal's size (safe from any thread).
     */
    public CommandJournal.Size journalSize()
    {
        return journal.size();
    }

    @Override
    public void close()
    {
        journal.close();
    }
}
