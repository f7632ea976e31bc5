package io.mecmesh.slicemanager;

import io.aeron.Aeron;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.cluster.ClusterView;
import io.mecmesh.slicemanager.cluster.ControlPlaneCluster;
import io.mecmesh.slicemanager.cluster.ControlPlaneService;
import io.mecmesh.slicemanager.cluster.MemberAddress;
import io.mecmesh.slicemanager.cluster.Outcome;
import io.mecmesh.slicemanager.compiler.CompiledMesh;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.distribution.ConfigPublisherAgent;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.journal.DesiredStateConductor;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

import static java.util.Objects.requireNonNull;

/**
 * The control plane, assembled in one place and reading in one direction: a command is validated and journaled by
 * the {@link DesiredStateConductor}, the new state is compiled by the {@link MeshCompiler} (incrementally), and the
 * changed nodes' configurations are handed to the {@link ConfigPublisherAgent}, which sends them over Aeron and
 * collects the nodes' acknowledgements.
 *
 * <p>Threads: the conductor (its Chronicle appender is bound to one thread) runs on one thread of its own; callers
 * (the API server's threads) hand it their work and wait for the answer. The publisher runs on its own agent thread
 * (sleeping 1 ms when idle: the control plane must not take a core from the data plane).
 *
 * <p>With {@link ClusterSettings#enabled()} (issue 18 step 1, slice-manager/DESIGN-ha.md) the desired state is a
 * one-member Aeron Cluster instead: a command goes through the cluster log and is answered after it is committed
 * and applied by the {@link ControlPlaneService}, which compiles and publishes on the cluster service's thread and
 * keeps the journal as a derived record. A pre-cluster data directory (journal, snapshots, no cluster log) is
 * migrated once by a {@code SEED} entry holding its recovered state.
 */
public final class SliceManager implements ControlPlaneBackend, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SliceManager.class);
    private static final long PUBLISHER_START_TIMEOUT_S = 30;

    private final Settings settings;
    private final DesiredStateConductor conductor;
    private final MeshCompiler compiler = new MeshCompiler();
    private final ConfigPublisherAgent publisher;
    private final AgentRunner publisherRunner;
    private final ExecutorService conductorThread;
    private final ClusteredState clustered;
    private CompiledMesh compiled;

    private SliceManager(
        final Settings settings, final DesiredStateConductor conductor, final ConfigPublisherAgent publisher,
        final AgentRunner publisherRunner, final CompiledMesh compiled, final ExecutorService conductorThread,
        final ClusteredState clustered)
    {
        this.settings = settings;
        this.conductorThread = conductorThread;
        this.conductor = conductor;
        this.publisher = publisher;
        this.publisherRunner = publisherRunner;
        this.compiled = compiled;
        this.clustered = clustered;
    }

    /**
     * Recovers the desired state from the data directory, compiles it, starts the publisher (once its channels are
     * bound) and publishes every node's configuration.
     *
     * @param settings the settings.
     * @param aeron    the process's Aeron client (not closed here).
     * @return the running slice manager.
     * @throws IllegalStateException naming the address when a distribution channel cannot bind.
     */
    public static SliceManager start(final Settings settings, final Aeron aeron)
    {
        requireNonNull(settings, "settings");
        requireNonNull(aeron, "aeron");
        if (settings.cluster().enabled())
        {
            return startClustered(settings, aeron);
        }
        final ExecutorService conductorThread = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-slice-manager");
            thread.setDaemon(true);
            return thread;
        });
        final DesiredStateConductor conductor;
        try
        {
            conductor = call(conductorThread, () -> DesiredStateConductor.open(settings.stateDirectory()));
        }
        catch (final RuntimeException ex)
        {
            conductorThread.shutdownNow();
            throw ex;
        }
        try
        {
            final MeshCompiler compiler = new MeshCompiler();
            final CompiledMesh compiled = compiler.compile(conductor.state(), settings.compilerSettings());
            final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
                settings.channels(), settings.key(), SystemNanoClock.INSTANCE,
                ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS, settings.signingKeys()::signingKeys));
            publisher.publish(compiled);
            final AgentRunner runner = StartedAgent.start(publisher, ex -> LOG.error("config publisher failed", ex),
                PUBLISHER_START_TIMEOUT_S);
            LOG.info("slice manager started: state version {} ({} slices, {} services, {} nodes) from {}",
                conductor.state().sequence(), conductor.state().slices().size(), conductor.state().services().size(),
                conductor.state().nodes().size(), settings.stateDirectory());
            return new SliceManager(settings, conductor, publisher, runner, compiled, conductorThread, null);
        }
        catch (final RuntimeException ex)
        {
            call(conductorThread, () ->
            {
                conductor.close();
                return null;
            });
            conductorThread.shutdownNow();
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
    @Override
    public long submit(final Command command)
    {
        requireNonNull(command, "command");
        if (clustered != null)
        {
            return clustered.submit(command);
        }
        return call(conductorThread, () ->
        {
            final long sequence = conductor.submit(command);
            compiled = compiler.compile(conductor.state(), compiled, settings.compilerSettings());
            publisher.publish(compiled);
            return sequence;
        });
    }

    /**
     * Like {@link #submit(Command)}; on the cluster, at most once per request id (a retry gets the first outcome).
     *
     * @param requestId the caller's request id.
     * @param command   the command.
     * @return the sequence number acknowledged.
     */
    @Override
    public long submit(final UUID requestId, final Command command)
    {
        requireNonNull(requestId, "requestId");
        requireNonNull(command, "command");
        if (clustered != null)
        {
            return clustered.submit(requestId, command);
        }
        return submit(command);
    }

    @Override
    public Optional<ClusterView> cluster(final boolean logPositions)
    {
        return clustered == null ? Optional.empty() : Optional.of(clustered.cluster.view(logPositions));
    }

    @Override
    public long readBarrier()
    {
        if (clustered == null)
        {
            return state().sequence();
        }
        final Outcome barrier = clustered.cluster.readBarrier();
        return barrier.sequence();
    }

    /**
     * @return the acknowledged desired state.
     */
    @Override
    public DesiredState state()
    {
        if (clustered != null)
        {
            return clustered.cluster.service().state();
        }
        return call(conductorThread, conductor::state);
    }

    /**
     * @return every known node's distribution status.
     */
    @Override
    public Map<String, NodeStatus> nodeStatus()
    {
        return publisher.status();
    }

    /**
     * @return the clock of {@link NodeStatus#lastContactNs()}.
     */
    @Override
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
     * @return the sequence number of the last entry handed over, or {@code afterSequence} if none.
     */
    @Override
    public long journal(final long afterSequence, final int limit, final CommandJournal.EntryHandler handler)
    {
        requireNonNull(handler, "handler");
        if (clustered != null)
        {
            return clustered.journal(afterSequence, limit, handler);
        }
        return call(conductorThread, () -> replayLimited(conductor::replayJournal, afterSequence, limit, handler));
    }

    /** Reads a journal from the start and hands over at most {@code limit} entries after {@code afterSequence}. */
    private static long replayLimited(final JournalReplay replay, final long afterSequence, final int limit,
        final CommandJournal.EntryHandler handler)
    {
        final long[] last = {afterSequence};
        final int[] count = {0};
        replay.replay(afterSequence, (sequence, command) ->
        {
            if (count[0]++ < limit)
            {
                handler.onEntry(sequence, command);
                last[0] = sequence;
            }
        });
        return last[0];
    }

    /** {@link CommandJournal#replay} of the conductor's journal or of the cluster service's. */
    @FunctionalInterface
    private interface JournalReplay
    {
        long replay(long afterSequence, CommandJournal.EntryHandler handler);
    }

    /**
     * Writes a snapshot of the state: later restarts replay only the journal after it.
     *
     * @return the snapshot file.
     */
    @Override
    public Path compact()
    {
        if (clustered != null)
        {
            return clustered.compact();
        }
        return call(conductorThread, conductor::snapshot);
    }

    /**
     * Sets who hears how long each node took to apply each new configuration (see
     * {@link ConfigPublisherAgent#onConfigApplied}).
     *
     * @param listener receives durations in nanoseconds, on the publisher's thread; must not block.
     */
    public void onConfigApplied(final LongConsumer listener)
    {
        publisher.onConfigApplied(listener);
    }

    /**
     * @return the command journal's size, for metrics (read without the conductor thread).
     */
    public CommandJournal.Size journalSize()
    {
        if (clustered != null)
        {
            return clustered.cluster.service().journalSize();
        }
        return conductor.journalSize();
    }

    /**
     * @return the publisher's counters.
     */
    public DistributionCounters counters()
    {
        return publisher.counters();
    }

    @Override
    public void close()
    {
        CloseHelper.close(publisherRunner);
        if (clustered != null)
        {
            clustered.close();
            LOG.info("slice manager stopped");
            return;
        }
        try
        {
            call(conductorThread, () ->
            {
                conductor.close();
                return null;
            });
        }
        finally
        {
            conductorThread.shutdownNow();
        }
        LOG.info("slice manager stopped");
    }

    /**
     * Runs work on the conductor's thread and returns its result; its exceptions are rethrown as they were.
     */
    private static <T> T call(final ExecutorService thread, final Callable<T> work)
    {
        final Future<T> future = thread.submit(work);
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new IllegalStateException("interrupted while waiting for the slice manager", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            if (cause instanceof Error error)
            {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /**
     * The control plane's settings.
     *
     * @param stateDirectory   where the journal ({@code journal/}) and snapshots ({@code snapshots/}) live.
     * @param channels         the control plane's side of the distribution channels.
     * @param key              the HMAC key shared with the nodes (at least 32 bytes).
     * @param compilerSettings what every node's configuration shares.
     * @param signingKeys      the configuration-signing keys ({@code ConfigSigningKeys}).
     * @param cluster          whether the desired state runs as a one-member Aeron Cluster.
     */
    public record Settings(Path stateDirectory, DistributionChannels channels, byte[] key,
        CompilerSettings compilerSettings, ConfigSigningKeys signingKeys, ClusterSettings cluster)
    {
        /**
         * Settings without the cluster (the single-process conductor).
         *
         * @param stateDirectory   where the journal and snapshots live.
         * @param channels         the control plane's side of the distribution channels.
         * @param key              the HMAC key shared with the nodes.
         * @param compilerSettings what every node's configuration shares.
         * @param signingKeys      the configuration-signing keys.
         */
        public Settings(final Path stateDirectory, final DistributionChannels channels, final byte[] key,
            final CompilerSettings compilerSettings, final ConfigSigningKeys signingKeys)
        {
            this(stateDirectory, channels, key, compilerSettings, signingKeys, ClusterSettings.DISABLED);
        }

        public Settings
        {
            requireNonNull(cluster, "cluster");
            requireNonNull(signingKeys, "signingKeys");
            requireNonNull(stateDirectory, "stateDirectory");
            requireNonNull(channels, "channels");
            requireNonNull(key, "key");
            requireNonNull(compilerSettings, "compilerSettings");
            key = key.clone();
        }
    }

    /**
     * {@code controlPlane.cluster}: the desired state as an Aeron Cluster (issue 18 steps 1 and 2).
     *
     * @param enabled                whether the cluster replaces the single-process conductor.
     * @param commitTimeout          how long a write waits for its commit before it is answered 503.
     * @param memberId               this process's member id (0 for one member).
     * @param members                every member (empty: one member on this host over IPC).
     * @param leaderHeartbeatTimeout how long without the leader before an election.
     */
    public record ClusterSettings(boolean enabled, Duration commitTimeout, int memberId, List<MemberAddress> members,
        Duration leaderHeartbeatTimeout)
    {
        /** The single-process conductor (the default this round). */
        public static final ClusterSettings DISABLED =
            new ClusterSettings(false, ControlPlaneCluster.Settings.DEFAULT_COMMIT_TIMEOUT);

        /**
         * One member on this host.
         *
         * @param enabled       whether the cluster replaces the single-process conductor.
         * @param commitTimeout how long a write waits for its commit.
         */
        public ClusterSettings(final boolean enabled, final Duration commitTimeout)
        {
            this(enabled, commitTimeout, 0, List.of(), ControlPlaneCluster.Settings.DEFAULT_LEADER_HEARTBEAT_TIMEOUT);
        }

        public ClusterSettings
        {
            requireNonNull(commitTimeout, "commitTimeout");
            requireNonNull(leaderHeartbeatTimeout, "leaderHeartbeatTimeout");
            members = List.copyOf(requireNonNull(members, "members"));
            if (commitTimeout.isNegative() || commitTimeout.isZero())
            {
                throw new IllegalArgumentException("commitTimeout: must be positive, was " + commitTimeout);
            }
        }
    }

    /**
     * The cluster path: the member launched on the process's media driver, the service's state listener compiling
     * and publishing, and a reader of the journal the service writes.
     */
    private static SliceManager startClustered(final Settings settings, final Aeron aeron)
    {
        final StateCompiler stateCompiler = new StateCompiler(settings.compilerSettings());
        final ControlPlaneService service = new ControlPlaneService(settings.stateDirectory(), stateCompiler,
            ControlPlaneService.DEFAULT_OUTCOME_CAPACITY);
        ControlPlaneCluster cluster = null;
        AgentRunner runner = null;
        try
        {
            final ClusterSettings clusterSettings = settings.cluster();
            cluster = ControlPlaneCluster.launch(new ControlPlaneCluster.Settings(
                settings.stateDirectory().resolve("cluster"), aeron.context().aeronDirectoryName(),
                clusterSettings.commitTimeout(), clusterSettings.memberId(), clusterSettings.members(),
                clusterSettings.leaderHeartbeatTimeout()), service);
            if (clusterSettings.members().size() <= 1)
            {
                // Several members start without a leader and replay their logs during the election: the seed of a
                // pre-cluster directory is for one member (NOTES "Design for issue 18").
                seedFromPreClusterState(cluster, settings.stateDirectory());
            }
            final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
                settings.channels(), settings.key(), SystemNanoClock.INSTANCE,
                ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS, settings.signingKeys()::signingKeys));
            stateCompiler.publishTo(publisher);
            runner = StartedAgent.start(publisher, ex -> LOG.error("config publisher failed", ex),
                PUBLISHER_START_TIMEOUT_S);
            final DesiredState state = service.state();
            LOG.info("slice manager started as cluster member {} of {}: state version {} ({} slices, {} services,"
                + " {} nodes) from {}", clusterSettings.memberId(), Math.max(1, clusterSettings.members().size()),
                state.sequence(), state.slices().size(), state.services().size(),
                state.nodes().size(), settings.stateDirectory());
            return new SliceManager(settings, null, publisher, runner, null, null,
                new ClusteredState(cluster, settings.stateDirectory()));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(runner, cluster);
            throw ex;
        }
    }

    /**
     * An empty cluster state over a data directory whose journal and snapshots hold a state (a pre-cluster data
     * directory, or a crash before the seed committed): the state recovered the old way is appended once as a
     * {@code SEED}, so sequences continue and no edge sees its version go back. Runs before the API starts.
     */
    private static void seedFromPreClusterState(final ControlPlaneCluster cluster, final Path stateDirectory)
    {
        final long applied = cluster.service().appliedSequence();
        final long journaled = cluster.service().journaledSequence();
        if (applied != 0 && journaled > applied)
        {
            throw new JournalException(JournalException.Category.CORRUPT, "journal " + stateDirectory.resolve(
                "journal") + " is at version " + journaled + " but the cluster log only at " + applied + ": the"
                + " control plane ran without controlPlane.cluster after running with it; run it without the cluster"
                + " again, or move " + stateDirectory.resolve("cluster") + " away to seed the cluster from the"
                + " journal");
        }
        if (applied != 0)
        {
            return;
        }
        final DesiredState preCluster;
        try (DesiredStateConductor old = DesiredStateConductor.open(stateDirectory))
        {
            preCluster = old.state();
        }
        if (preCluster.sequence() == 0)
        {
            return;
        }
        final Outcome seeded = cluster.seed(preCluster);
        if (seeded.kind() != Outcome.Kind.ACCEPTED)
        {
            throw new IllegalStateException("the cluster refused the pre-cluster state at version "
                + preCluster.sequence() + ": " + seeded.field() + ": " + seeded.reason());
        }
        LOG.info("slice manager: the cluster was seeded with the pre-cluster state at version {}",
            preCluster.sequence());
    }

    /**
     * Compiles each state the cluster service installs (on its thread) and, once the publisher runs, publishes it.
     */
    private static final class StateCompiler implements ControlPlaneService.StateListener
    {
        private final MeshCompiler compiler = new MeshCompiler();
        private final CompilerSettings compilerSettings;
        private CompiledMesh compiled;
        private ConfigPublisherAgent publisher;

        StateCompiler(final CompilerSettings compilerSettings)
        {
            this.compilerSettings = compilerSettings;
        }

        @Override
        public synchronized void onState(final DesiredState state)
        {
            compiled = compiled == null ? compiler.compile(state, compilerSettings)
                : compiler.compile(state, compiled, compilerSettings);
            if (publisher != null)
            {
                publisher.publish(compiled);
            }
        }

        synchronized void publishTo(final ConfigPublisherAgent publisher)
        {
            this.publisher = publisher;
            if (compiled == null)
            {
                compiled = compiler.compile(DesiredState.empty(), compilerSettings);
            }
            publisher.publish(compiled);
        }
    }

    /** The cluster member and a reader of the journal its service writes (read under this object's lock). */
    private static final class ClusteredState
    {
        final ControlPlaneCluster cluster;
        private final Path stateDirectory;
        private final CommandJournal reader;

        ClusteredState(final ControlPlaneCluster cluster, final Path stateDirectory)
        {
            this.cluster = cluster;
            this.stateDirectory = stateDirectory;
            this.reader = CommandJournal.open(stateDirectory.resolve("journal"));
        }

        long submit(final Command command)
        {
            return submit(UUID.randomUUID(), command);
        }

        long submit(final UUID requestId, final Command command)
        {
            final Outcome outcome = cluster.submit(requestId, 0, "control-plane-api", command);
            return switch (outcome.kind())
            {
                case ACCEPTED -> outcome.sequence();
                case REJECTED -> throw outcome.toRejection();
                case CONFLICT -> throw new IllegalStateException("an unconditional command got CONFLICT at "
                    + outcome.sequence());
            };
        }

        synchronized long journal(final long afterSequence, final int limit, final CommandJournal.EntryHandler handler)
        {
            return replayLimited(reader::replay, afterSequence, limit, handler);
        }

        Path compact()
        {
            cluster.takeSnapshot();
            final List<Path> snapshots = new io.mecmesh.slicemanager.journal.SnapshotStore(
                stateDirectory.resolve("snapshots")).snapshots();
            return snapshots.get(snapshots.size() - 1);
        }

        synchronized void close()
        {
            CloseHelper.quietClose(cluster);
            reader.close();
        }
    }
}
