package io.mecmesh.dataplane.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.util.Objects.requireNonNull;

/**
 * Holds the current {@link PolicyTable}: one writer (the node agent) publishes a newly built table with a release
 * store; readers on the event loops take it with an acquire load once per request and look up in it. A reader that
 * sees the new table therefore sees every byte the writer put in it; a reader still using the previous table keeps a
 * consistent (immutable) view until it lets go of it. The replaced table's memory is freed by the garbage collector
 * once no reader references it.
 */
public final class PolicyTables
{
    private static final VarHandle CURRENT;

    static
    {
        try
        {
            CURRENT = MethodHandles.lookup().findVarHandle(PolicyTables.class, "current", PolicyTable.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through CURRENT
    private PolicyTable current = PolicyTable.empty();

    /**
     * Makes a table current (release store). Called by the single writer.
     *
     * @param table the new table.
     */
    public void publish(final PolicyTable table)
    {
        requireNonNull(table, "table");
        CURRENT.setRelease(this, table);
    }

    /**
     * The current table (acquire load). Safe from any thread; allocates nothing.
     *
     * @return the table last published, or the empty table.
     */
    public PolicyTable current()
    {
        return (PolicyTable)CURRENT.getAcquire(this);
    }
}
