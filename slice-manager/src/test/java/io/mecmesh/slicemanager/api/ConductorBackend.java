package io.mecmesh.slicemanager.api;

import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.journal.DesiredStateConductor;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A test backend: a real conductor on a directory (journal and snapshots on disk), node statuses from a map and a
 * clock set by hand. No compiler, no distribution. Like the runtime's, it runs commands on one conductor thread:
 * Chronicle's appender is confined to the thread that first appends, and HTTP workers are many.
 */
public final class ConductorBackend implements ControlPlaneBackend, AutoCloseable
{
    /** The node statuses {@link #nodeStatus()} answers; tests put what they need. */
    public final Map<String, NodeStatus> statuses = new ConcurrentHashMap<>();
    /** The clock of {@link #nanoTime()}, set by hand. */
    public volatile long nowNs = 1_000_000_000L;
    /** Commands the conductor accepted. */
    public volatile int submitted;

    private final Path directory;
    private final DesiredStateConductor conductor;
    private final ExecutorService conductorThread = Executors.newSingleThreadExecutor();

    /**
     * @param directory the conductor's data directory.
     */
    public ConductorBackend(final Path directory)
    {
        this.directory = directory;
        this.conductor = DesiredStateConductor.open(directory);
    }

    @Override
    public long submit(final Command command)
    {
        final Future<Long> result = conductorThread.submit(() ->
        {
            synchronized (this)
            {
                final long sequence = conductor.submit(command);
                submitted++;
                return sequence;
            }
        });
        try
        {
            return result.get(10, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex);
        }
        catch (final InterruptedException | TimeoutException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public synchronized DesiredState state()
    {
        return conductor.state();
    }

    @Override
    public Map<String, NodeStatus> nodeStatus()
    {
        return Map.copyOf(statuses);
    }

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    @Override
    public synchronized long journal(final long afterSequence, final int limit,
        final CommandJournal.EntryHandler handler)
    {
        final long after = Math.min(afterSequence, conductor.state().sequence());
        final long[] last = {after};
        final int[] count = {0};
        try (CommandJournal journal = CommandJournal.open(directory.resolve("journal")))
        {
            journal.replay(after, (sequence, command) ->
            {
                if (count[0] < limit)
                {
                    count[0]++;
                    last[0] = sequence;
                    handler.onEntry(sequence, command);
                }
            });
        }
        return last[0];
    }

    @Override
    public synchronized Path compact()
    {
        return conductor.snapshot();
    }

    @Override
    public void close()
    {
        conductorThread.shutdown();
        synchronized (this)
        {
            conductor.close();
        }
    }
}
