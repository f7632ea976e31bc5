package io.mecmesh.slicemanager.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ClusterMembership;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import static java.util.Objects.requireNonNull;

/**
 * A one-member control-plane cluster on the process's media driver (slice-manager/DESIGN-ha.md section 8, step 1):
 * an archive, a consensus module and a service container running a {@link ControlPlaneService}, and a
 * {@link ClusterGateway} connected over {@code aeron:ipc}. The member elects itself (quorum of one); a write is
 * answered after it is in the cluster log (recorded by the archive) and applied.
 *
 * <p>Directories under {@link Settings#clusterDirectory()}: {@code consensus/} (the consensus module's and the
 * service container's mark files and recording log) and {@code archive/} (the log recording and snapshots).
 * Idle strategies sleep 1 ms (the control plane must not take a core from the data plane).
 *
 * <p>{@link #submit} may be called from any thread.
 */
public final class ControlPlaneCluster implements AutoCloseable
{
    /** Large enough for the largest desired-state document (4 MiB): messages up to term-length / 8. */
    static final String LOG_CHANNEL = "aeron:ipc?term-length=64m";
    static final String INGRESS_CHANNEL = "aeron:ipc?term-length=64m";
    static final String EGRESS_CHANNEL = "aeron:ipc?term-length=1m";
    /** Between members: the same message size limit as over IPC. */
    static final String UDP_LOG_CHANNEL = "aeron:udp?term-length=64m";
    static final String UDP_INGRESS_CHANNEL = "aeron:udp?term-length=64m";
    static final String UDP_CLIENT_INGRESS_CHANNEL = "aeron:udp?term-length=64m";
    private static final int ARCHIVE_OFFSET = 4;
    private static final long MEMBERS_QUERY_TIMEOUT_MS = 500;
    private static final String LOCAL_CONTROL = "aeron:ipc?term-length=64k";
    private static final String UNUSED_UDP = "aeron:udp?endpoint=127.0.0.1:0";
    private static final long AWAIT_POLL_MS = 1;
    /** Longer than Aeron's mark-file activity timeout (the driver timeout, 10 s by default). */
    private static final long STALE_MARK_FILE_WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneCluster.class);

    private final Settings settings;
    private final ControlPlaneService service;
    private Archive archive;
    private ConsensusModule consensusModule;
    private ClusteredServiceContainer container;
    private ClusterGateway gateway;
    private QuorumWatch quorum;
    private AgentRunner gatewayRunner;

    private ControlPlaneCluster(final Settings settings, final ControlPlaneService service)
    {
        this.settings = settings;
        this.service = service;
    }

    /**
     * Launches the member, waits until it leads, and connects the gateway.
     *
     * @param settings where and how.
     * @param service  the service (its state directory holds the journal and local snapshots).
     * @return the running member.
     * @throws IllegalStateException if it does not become leader within the commit timeout (10 s at least).
     */
    public static ControlPlaneCluster launch(final Settings settings, final ControlPlaneService service)
    {
        requireNonNull(settings, "settings");
        requireNonNull(service, "service");
        final long deadlineNs = System.nanoTime() + STALE_MARK_FILE_WAIT_NS;
        while (true)
        {
            final ControlPlaneCluster cluster = new ControlPlaneCluster(settings, service);
            try
            {
                cluster.start();
                return cluster;
            }
            catch (final RuntimeException ex)
            {
                cluster.close();
                if (!isActiveMarkFile(ex) || System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                // A process killed (kill -9) without closing its archive or consensus module leaves mark files that
                // look active until Aeron's timeout passes (the data directory's lock says that process is gone):
                // wait for them to go stale rather than fail the start. Nothing of the service ran yet.
                LOG.info("control-plane cluster: {}; waiting for it to go stale", ex.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    private static boolean isActiveMarkFile(final Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause())
        {
            final String message = cause.getMessage();
            if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("active mark file detected"))
            {
                return true;
            }
        }
        return false;
    }

    private void start()
    {
        final String aeronDir = settings.aeronDirectoryName();
        final Path consensusDir = settings.clusterDirectory().resolve("consensus");
        final boolean multi = settings.isMultiMember();
        final String anyPort = multi ? "aeron:udp?endpoint=" + settings.self().host() + ":0" : UNUSED_UDP;
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(LOCAL_CONTROL)
            .controlResponseChannel(LOCAL_CONTROL)
            .aeronDirectoryName(aeronDir);
        final Archive.Context archiveContext = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(settings.clusterDirectory().resolve("archive").toFile())
            .controlChannelEnabled(multi)
            .localControlChannel(LOCAL_CONTROL)
            .replicationChannel(anyPort)
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel(anyPort))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(AWAIT_POLL_MS));
        if (multi)
        {
            // Other members' archives replicate snapshots and the log from this one (DESIGN-ha.md 2.1, +4).
            archiveContext.controlChannel("aeron:udp?endpoint=" + settings.self().endpoint(ARCHIVE_OFFSET));
        }
        archive = Archive.launch(archiveContext);
        final ConsensusModule.Context consensus = new ConsensusModule.Context()
            .aeronDirectoryName(aeronDir)
            .clusterMemberId(settings.memberId())
            .clusterMembers(multi ? settings.clusterMembers()
                : "0,127.0.0.1:0,127.0.0.1:0,127.0.0.1:0,127.0.0.1:0,127.0.0.1:0")
            .clusterDir(consensusDir.toFile())
            .archiveContext(archiveClient.clone())
            .ingressChannel(multi ? UDP_INGRESS_CHANNEL : INGRESS_CHANNEL)
            .logChannel(multi ? UDP_LOG_CHANNEL : LOG_CHANNEL)
            .replicationChannel(anyPort)
            .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(AWAIT_POLL_MS));
        if (multi)
        {
            consensus.leaderHeartbeatTimeoutNs(settings.leaderHeartbeatTimeout().toNanos());
        }
        consensusModule = ConsensusModule.launch(consensus);
        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(consensusDir.toFile())
            .clusteredService(service)
            .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(AWAIT_POLL_MS)));
        quorum = new QuorumWatch(consensusModule.context().electionStateCounter(), System::currentTimeMillis);
        gateway = new ClusterGateway(SystemNanoClock.INSTANCE, ClusterGateway.DEFAULT_KEEP_ALIVE_INTERVAL_NS);
        if (multi)
        {
            // Members start one by one: the API serves (reads marked stale, writes 503 "no quorum") before the
            // first election, and the gateway connects to whichever member leads once there is one.
            gateway.connectLater(() -> new AeronCluster.Context()
                .aeronDirectoryName(aeronDir)
                .ingressChannel(UDP_CLIENT_INGRESS_CHANNEL)
                .ingressEndpoints(settings.ingressEndpoints())
                .egressChannel(anyPort));
        }
        else
        {
            await("the control-plane cluster's member to lead", () -> service.role() == Cluster.Role.LEADER,
                Math.max(settings.commitTimeout().toNanos(), TimeUnit.SECONDS.toNanos(10)));
            gateway.connect(() -> new AeronCluster.Context()
                .aeronDirectoryName(aeronDir)
                .ingressChannel(INGRESS_CHANNEL)
                .egressChannel(EGRESS_CHANNEL));
        }
        gatewayRunner = new AgentRunner(new SleepingMillisIdleStrategy(AWAIT_POLL_MS),
            ex -> LOG.error("control-plane cluster gateway failed", ex), null,
            new CompositeAgent(gateway, quorum));
        AgentRunner.startOnThread(gatewayRunner);
    }

    /**
     * Sends a command through the cluster log and waits for its outcome (committed and applied on this member).
     *
     * @param requestId       the caller's request id (a retry reuses it and gets the original outcome).
     * @param basedOnSequence 0, or the state sequence the caller read (CONFLICT if the state moved).
     * @param principal       who asks, for the audit.
     * @param command         the command.
     * @return the outcome.
     * @throws JournalException (IO) if no outcome arrives within the commit timeout: it may or may not be applied.
     */
    public Outcome submit(final UUID requestId, final long basedOnSequence, final String principal,
        final Command command)
    {
        requireNonNull(command, "command");
        return request(ClusterEnvelope.TYPE_COMMAND, requestId, basedOnSequence, principal,
            JournalCodec.encode(command));
    }

    /**
     * Appends a whole state taken from a pre-cluster data directory (applied only to an empty cluster state).
     *
     * @param state the state.
     * @return the outcome (REJECTED with category CONFLICT if the cluster's state is not empty).
     */
    public Outcome seed(final DesiredState state)
    {
        requireNonNull(state, "state");
        return request(ClusterEnvelope.TYPE_SEED, UUID.randomUUID(), 0, "cluster:seed", JournalCodec.encode(state));
    }

    /**
     * Sends a read barrier: its outcome's sequence is what this member had applied when the barrier committed.
     *
     * @return the outcome.
     */
    public Outcome readBarrier()
    {
        return request(ClusterEnvelope.TYPE_READ_BARRIER, UUID.randomUUID(), 0, "cluster:read", new byte[0]);
    }

    private Outcome request(final int type, final UUID requestId, final long basedOnSequence, final String principal,
        final byte[] body)
    {
        requireNonNull(requestId, "requestId");
        requireNonNull(principal, "principal");
        final long timeoutNs = settings.commitTimeout().toNanos();
        final long deadlineNs = System.nanoTime() + timeoutNs;
        awaitQuorum(deadlineNs);
        final byte[] message = ClusterEnvelope.encode(type, requestId, basedOnSequence, principal, body);
        final CompletableFuture<Outcome> future = gateway.submit(requestId, message, deadlineNs);
        final Outcome outcome;
        try
        {
            outcome = future.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            gateway.abandon(requestId);
            throw notAcknowledged(requestId, ex instanceof ExecutionException ? ex.getCause().getMessage()
                : "no answer");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            gateway.abandon(requestId);
            throw notAcknowledged(requestId, "interrupted");
        }
        if (outcome.kind() == Outcome.Kind.ACCEPTED)
        {
            // This member's reader sees the caller's write: the service publishes its applied sequence.
            await("state version " + outcome.sequence() + " applied on this member",
                () -> service.appliedSequence() >= outcome.sequence(), Math.max(0, deadlineNs - System.nanoTime()));
        }
        return outcome;
    }

    /**
     * Waits (until the deadline at most) for this member to be out of an election: a member that cannot reach a
     * majority stays in one (DESIGN-ha.md 2.5), and its writes are refused rather than left to hang.
     */
    private void awaitQuorum(final long deadlineNs)
    {
        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(AWAIT_POLL_MS);
        while (!quorum.hasLeader() || !gateway.isConnected())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new NoQuorumException(settings.memberId(), settings.memberApi(), quorum.noLeaderSinceMs());
            }
            idle.idle();
        }
    }

    /**
     * @param logPositions whether to ask the consensus module for each member's log position (on the leader only).
     * @return this member's view of the cluster (any thread).
     */
    public ClusterView view(final boolean logPositions)
    {
        final boolean hasLeader = quorum.hasLeader();
        return new ClusterView(settings.memberId(), settings.members(), hasLeader ? service.leaderMemberId() : -1,
            service.leadershipTermId(), consensusModule.context().commitPositionCounter().get(),
            service.appliedSequence(), service.role().name(), quorum.noLeaderSinceMs(),
            logPositions && hasLeader && service.role() == Cluster.Role.LEADER ? memberPositions()
            : java.util.Map.of());
    }

    /** On the leader: each member's appended log position as the consensus module knows it (best effort). */
    private java.util.Map<Integer, Long> memberPositions()
    {
        final ClusterMembership membership = new ClusterMembership();
        try
        {
            if (!ClusterTool.listMembers(membership, settings.clusterDirectory().resolve("consensus").toFile(),
                MEMBERS_QUERY_TIMEOUT_MS))
            {
                return java.util.Map.of();
            }
        }
        catch (final RuntimeException ex)
        {
            return java.util.Map.of();
        }
        final java.util.Map<Integer, Long> positions = new java.util.TreeMap<>();
        for (final ClusterMember member : membership.activeMembers)
        {
            positions.put(member.id(), member.logPosition());
        }
        return positions;
    }

    private JournalException notAcknowledged(final UUID requestId, final String why)
    {
        return new JournalException(JournalException.Category.IO, "not acknowledged within "
            + settings.commitTimeout().toMillis() + " ms (" + why + "); it may or may not be applied; retry with"
            + " the same request id " + requestId);
    }

    /**
     * Asks the consensus module for a snapshot (all services snapshot at the same log position) and waits until it
     * is taken.
     *
     * @return how many snapshots this member has taken since it started.
     * @throws IllegalStateException if it is not taken within the commit timeout (10 s at least).
     */
    public long takeSnapshot()
    {
        final var snapshotCounter = consensusModule.context().snapshotCounter();
        final long before = snapshotCounter.get();
        final var toggle = consensusModule.context().controlToggleCounter();
        final long timeoutNs = Math.max(settings.commitTimeout().toNanos(), TimeUnit.SECONDS.toNanos(10));
        await("the control toggle to be neutral", () -> ClusterControl.ToggleState.get(toggle)
            == ClusterControl.ToggleState.NEUTRAL, timeoutNs);
        if (!ClusterControl.ToggleState.SNAPSHOT.toggle(toggle))
        {
            throw new IllegalStateException("control-plane cluster: the snapshot toggle was not taken");
        }
        await("the snapshot to be taken", () -> snapshotCounter.get() > before, timeoutNs);
        return snapshotCounter.get();
    }

    /**
     * @return the gateway (package-private: tests drop its session).
     */
    ClusterGateway gateway()
    {
        return gateway;
    }

    /**
     * @return the service (its state and applied sequence are readable from any thread).
     */
    public ControlPlaneService service()
    {
        return service;
    }

    private static void await(final String what, final java.util.function.BooleanSupplier condition,
        final long timeoutNs)
    {
        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(AWAIT_POLL_MS);
        final long deadline = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("control-plane cluster: timed out waiting for " + what);
            }
            idle.idle();
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(gatewayRunner, container, consensusModule, archive);
        if (gatewayRunner == null)
        {
            CloseHelper.quietClose(gateway);
        }
        service.closeJournal();
    }

    /**
     * Where and how the member runs.
     *
     * @param clusterDirectory       Aeron's directories for this member ({@code consensus/}, {@code archive/}).
     * @param aeronDirectoryName     the process's media driver directory.
     * @param commitTimeout          how long a write waits for its outcome before it is answered "not acknowledged".
     * @param memberId               this member's id (0 for one member).
     * @param members                all members, ids 0..n-1; empty for one member over IPC.
     * @param leaderHeartbeatTimeout how long without the leader before an election (several members).
     */
    public record Settings(Path clusterDirectory, String aeronDirectoryName, Duration commitTimeout, int memberId,
        List<MemberAddress> members, Duration leaderHeartbeatTimeout)
    {
        /** DESIGN-ha.md 1.3. */
        public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(5);
        /** DESIGN-ha.md 2.1 (Aeron's default is 10 s). */
        public static final Duration DEFAULT_LEADER_HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);

        /**
         * One member on this host, over IPC.
         *
         * @param clusterDirectory   Aeron's directories for this member.
         * @param aeronDirectoryName the process's media driver directory.
         * @param commitTimeout      how long a write waits for its outcome.
         */
        public Settings(final Path clusterDirectory, final String aeronDirectoryName, final Duration commitTimeout)
        {
            this(clusterDirectory, aeronDirectoryName, commitTimeout, 0, List.of(), DEFAULT_LEADER_HEARTBEAT_TIMEOUT);
        }

        public Settings
        {
            requireNonNull(clusterDirectory, "clusterDirectory");
            requireNonNull(aeronDirectoryName, "aeronDirectoryName");
            requireNonNull(commitTimeout, "commitTimeout");
            requireNonNull(leaderHeartbeatTimeout, "leaderHeartbeatTimeout");
            members = List.copyOf(requireNonNull(members, "members"));
            if (commitTimeout.isNegative() || commitTimeout.isZero())
            {
                throw new IllegalArgumentException("commitTimeout: must be positive, was " + commitTimeout);
            }
            if (!members.isEmpty() && (memberId < 0 || memberId >= members.size()))
            {
                throw new IllegalArgumentException("memberId: " + memberId + " is not among " + members.size()
                    + " members");
            }
        }

        /**
         * @return whether the members talk over UDP (more than one).
         */
        public boolean isMultiMember()
        {
            return members.size() > 1;
        }

        MemberAddress self()
        {
            return members.get(memberId);
        }

        String memberApi()
        {
            return members.isEmpty() ? "" : self().api();
        }

        /** {@code id,ingress,consensus,log,catchup,archive|...} as {@code ClusterMember.parse} reads it. */
        String clusterMembers()
        {
            final StringBuilder text = new StringBuilder();
            for (final MemberAddress member : members)
            {
                text.append(text.length() == 0 ? "" : "|").append(member.id());
                for (int offset = 0; offset < MemberAddress.PORTS; offset++)
                {
                    text.append(',').append(member.endpoint(offset));
                }
            }
            return text.toString();
        }

        /** {@code 0=host:ingress,1=...} for the gateway's client. */
        String ingressEndpoints()
        {
            final StringBuilder text = new StringBuilder();
            for (final MemberAddress member : members)
            {
                text.append(text.length() == 0 ? "" : ",").append(member.id()).append('=').append(member.endpoint(0));
            }
            return text.toString();
        }
    }
}
