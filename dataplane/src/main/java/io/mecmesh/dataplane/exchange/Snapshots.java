package io.mecmesh.dataplane.exchange;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.util.Objects.requireNonNull;

/**
 * Holds the current {@link Snapshot}: one writer (the data plane, under its lock) publishes a new one with a release
 * store; readers on the event loops take it with an acquire load. A reader that sees the new snapshot sees every
 * part of it as it was built (routes, classifier, policy table and clusters of one version); a reader still using
 * the previous one keeps a consistent view until it lets go of it.
 */
public final class Snapshots
{
    private static final VarHandle CURRENT;

    static
    {
        try
        {
            CURRENT = MethodHandles.lookup().findVarHandle(Snapshots.class, "current", Snapshot.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through CURRENT
    private Snapshot current;

    /**
     * @param initial the first snapshot.
     */
    public Snapshots(final Snapshot initial)
    {
        CURRENT.setRelease(this, requireNonNull(initial, "initial"));
    }

    /**
     * Makes a snapshot current (release store). Called by the single writer.
     *
     * @param snapshot the new snapshot.
     */
    public void publish(final Snapshot snapshot)
    {
        CURRENT.setRelease(this, requireNonNull(snapshot, "snapshot"));
    }

    /**
     * The current snapshot (acquire load). Safe from any thread; allocates nothing.
     *
     * @return the snapshot last published.
     */
    public Snapshot current()
    {
        return (Snapshot)CURRENT.getAcquire(this);
    }
}
