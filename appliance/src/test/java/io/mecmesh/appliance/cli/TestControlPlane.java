package io.mecmesh.appliance.cli;

import com.sun.net.httpserver.HttpServer;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.api.ControlPlaneHttpHandler;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.journal.DesiredStateConductor;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;

import java.io.IOException;
import java.net.InetSocketAddress;
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
 * A control plane for CLI tests: the real API handler on a JDK HttpServer on 127.0.0.1, over a real conductor on a
 * directory, commands run on one conductor thread; node statuses from a map, the clock set by hand.
 */
final class TestControlPlane implements ControlPlaneBackend, AutoCloseable
{
    final Map<String, NodeStatus> statuses = new ConcurrentHashMap<>();
    volatile long nowNs = 100_000_000_000L;
    volatile int submitted;

    private final Path directory;
    private final DesiredStateConductor conductor;
    private final ExecutorService conductorThread = Executors.newSingleThreadExecutor();
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2);
    private final HttpServer server;

    TestControlPlane(final Path directory) throws IOException
    {
        this.directory = directory;
        this.conductor = DesiredStateConductor.open(directory);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(httpThreads);
        server.createContext("/v1/", new ControlPlaneHttpHandler(this));
        server.start();
    }

    String url()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort();
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
        server.stop(0);
        httpThreads.shutdownNow();
        conductorThread.shutdown();
        synchronized (this)
        {
            conductor.close();
        }
    }
}
