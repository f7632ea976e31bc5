package io.mecmesh.slicemanager.journal;

import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;

import static java.util.Objects.requireNonNull;

/**
 * The desired state and the one way it changes: a command applied to it. No I/O, no clock, no journal: the same
 * commands in the same order give the same state (byte for byte through {@link JournalCodec#encode(DesiredState)}),
 * which is what lets both the single-process {@link DesiredStateConductor} and the clustered service (fed in log
 * order on every member, slice-manager/DESIGN-ha.md 1.1) use it.
 *
 * <p>Written by one thread (the conductor's or the cluster service's); {@link #state()} may be read from any thread
 * (the state is immutable and published through a volatile field).
 */
public final class DesiredStateMachine
{
    /**
     * Hears a command once it is valid, before the new state is installed: the conductor journals it there, so a
     * journal failure leaves the state as it was.
     */
    @FunctionalInterface
    public interface BeforeInstall
    {
        /**
         * @param sequence the sequence number the command gets.
         * @param command  the command.
         * @param next     the state the command produces (installed when this returns normally).
         */
        void onValid(long sequence, Command command, DesiredState next);
    }

    private volatile DesiredState state;

    /**
     * @param initial the state to start from (recovered or empty).
     */
    public DesiredStateMachine(final DesiredState initial)
    {
        this.state = requireNonNull(initial, "initial");
    }

    /**
     * Validates and applies a command.
     *
     * @param command the command.
     * @return the new state's sequence number.
     * @throws io.mecmesh.slicemanager.model.CommandRejectedException if the state refuses it (nothing changed).
     */
    public long apply(final Command command)
    {
        return apply(command, (sequence, valid, next) ->
        {
        });
    }

    /**
     * Validates a command, hands it to {@code beforeInstall}, then installs the new state. If {@code beforeInstall}
     * throws, the state is unchanged and the exception propagates.
     *
     * @param command       the command.
     * @param beforeInstall hears the valid command and its sequence number.
     * @return the new state's sequence number.
     * @throws io.mecmesh.slicemanager.model.CommandRejectedException if the state refuses it (nothing changed).
     */
    public long apply(final Command command, final BeforeInstall beforeInstall)
    {
        requireNonNull(command, "command");
        requireNonNull(beforeInstall, "beforeInstall");
        final DesiredState next = state.apply(command);
        beforeInstall.onValid(next.sequence(), command, next);
        state = next;
        return next.sequence();
    }

    /**
     * Replaces the whole state (a snapshot loaded, or a seed from a pre-cluster data directory).
     *
     * @param replacement the state.
     */
    public void reset(final DesiredState replacement)
    {
        state = requireNonNull(replacement, "replacement");
    }

    /**
     * @return the current state: every applied command.
     */
    public DesiredState state()
    {
        return state;
    }
}
