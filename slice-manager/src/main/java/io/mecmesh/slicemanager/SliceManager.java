package io.mecmesh.slicemanager;

import io.aeron.Aeron;
import io.mecmesh.slicemanager.compiler.CompiledMesh;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.distribution.ConfigPublisherAgent;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.journal.DesiredStateConductor;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The control plane, assembled in one place and reading in one direction: a command is validated and journaled by
 * the {@link DesiredStateConductor}, the new state is compiled by the {@link MeshCompiler} (incrementally), and the
 * changed nodes' configurations are handed to the {@link ConfigPublisherAgent}, which sends them over Aeron and
 * collects the nodes' acknowledgements.
 *
 * <p>Threads: commands arrive on the caller's thread (the API server) and are serialized by this object's lock;
 * the publisher runs on its own agent thread (sleeping 1 ms when idle: the control plane must not take a core from
 * the data plane).
 */
public final class SliceManager implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SliceManager.class);

    private final Settings settings;
    private final DesiredStateConductor conductor;
    private final MeshCompiler compiler = new MeshCompiler();
    private final ConfigPublisherAgent publisher;
    private final AgentRunner publisherRunner;
    private CompiledMesh compiled;

    private SliceManager(
        final Settings settings, final DesiredStateConductor conductor, final ConfigPublisherAgent publisher,
        final AgentRunner publisherRunner, final CompiledMesh compiled)
    {
        this.settings = settings;
        this.conductor = conductor;
        this.publisher = publisher;
        this.publisherRunner = publisherRunner;
        this.compiled = compiled;
    }

    /**
     * Recovers the desired state from the data directory, compiles it, starts the publisher and publishes every
     * node's configuration.
     *
     * @param settings the settings.
     * @param aeron    the process's Aeron client (not closed here).
     * @return the running slice manager.
     */
    public static SliceManager start(final Settings settings, final Aeron aeron)
    {
        requireNonNull(settings, "settings");
        requireNonNull(aeron, "aeron");
        final DesiredStateConductor conductor = DesiredStateConductor.open(settings.stateDirectory());
        try
        {
            final MeshCompiler compiler = new MeshCompiler();
            final CompiledMesh compiled = compiler.compile(conductor.state(), settings.compilerSettings());
            final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
                settings.channels(), settings.key(), SystemNanoClock.INSTANCE,
                ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS));
            publisher.publish(compiled);
            final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1),
                ex -> LOG.error("config publisher failed", ex), null, publisher);
            AgentRunner.startOnThread(runner);
            LOG.info("slice manager started: state version {} ({} slices, {} services, {} nodes) from {}",
                conductor.state().sequence(), conductor.state().slices().size(), conductor.state().services().size(),
                conductor.state().nodes().size(), settings.stateDirectory());
            return new SliceManager(settings, conductor, publisher, runner, compiled);
        }
        catch (final RuntimeException ex)
        {
            conductor.close();
            throw ex;
        }
    }

    /**
     * Validates, journals and applies a command, then compiles and publishes what changed.
     *
     * @param command the command.
     * @return the sequence number acknowledged (the command is in the journal).
     * @throws io.mecmesh.slicemanager.model.CommandRejectedException if it is not valid (nothing changed).
     * @throws io.mecmesh.slicemanager.journal.JournalException        if it cannot be journaled (nothing changed).
     */
    public synchronized long submit(final Command command)
    {
        final long sequence = conductor.submit(command);
        compiled = compiler.compile(conductor.state(), compiled, settings.compilerSettings());
        publisher.publish(compiled);
        return sequence;
    }

    /**
     * @return the acknowledged desired state.
     */
    public synchronized DesiredState state()
    {
        return conductor.state();
    }

    /**
     * @return every known node's distribution status.
     */
    public Map<String, NodeStatus> nodeStatus()
    {
        return publisher.status();
    }

    /**
     * @return the clock of {@link NodeStatus#lastContactNs()}.
     */
    public long nanoTime()
    {
        return SystemNanoClock.INSTANCE.nanoTime();
    }

    /**
     * Hands over journal entries after a sequence number, at most {@code limit} of them.
     *
     * @param afterSequence entries up to this one are skipped.
     * @param limit         most entries handed over.
     * @param handler       receives them in order.
     * @return the sequence number of the last entry in the journal (or {@code afterSequence}).
     */
    public synchronized long journal(final long afterSequence, final int limit, final CommandJournal.EntryHandler handler)
    {
        requireNonNull(handler, "handler");
        final int[] count = {0};
        return conductor.replayJournal(afterSequence, (sequence, command) ->
        {
            if (count[0]++ < limit)
            {
                handler.onEntry(sequence, command);
            }
        });
    }

    /**
     * Writes a snapshot of the state: later restarts replay only the journal after it.
     *
     * @return the snapshot file.
     */
    public synchronized Path compact()
    {
        return conductor.snapshot();
    }

    /**
     * @return the publisher's counters.
     */
    public DistributionCounters counters()
    {
        return publisher.counters();
    }

    @Override
    public synchronized void close()
    {
        CloseHelper.closeAll(publisherRunner, conductor);
        LOG.info("slice manager stopped");
    }

    /**
     * The control plane's settings.
     *
     * @param stateDirectory   where the journal ({@code journal/}) and snapshots ({@code snapshots/}) live.
     * @param channels         the control plane's side of the distribution channels.
     * @param key              the HMAC key shared with the nodes (at least 32 bytes).
     * @param compilerSettings what every node's configuration shares.
     */
    public record Settings(Path stateDirectory, DistributionChannels channels, byte[] key,
        CompilerSettings compilerSettings)
    {
        public Settings
        {
            requireNonNull(stateDirectory, "stateDirectory");
            requireNonNull(channels, "channels");
            requireNonNull(key, "key");
            requireNonNull(compilerSettings, "compilerSettings");
            key = key.clone();
        }
    }
}
