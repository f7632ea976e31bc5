package io.mecmesh.slicemanager.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spike for issue 18 (slice-manager/DESIGN-ha.md): three Aeron Cluster members, each with its own embedded media
 * driver, archive and consensus module, on loopback in one JVM. They elect one leader; a message sent through the
 * ingress is applied by all three services in log order; after the leader is closed the other two elect a new
 * leader in a later term and keep committing; when that leader goes too, the member left alone stays in an election
 * it cannot win (what DESIGN-ha.md 2.5 uses to call a member stale). Throwaway: it shows that aeron-cluster 1.51.0 runs here, nothing of
 * mecmesh uses it yet.
 */
class ThreeMemberClusterSpikeTest
{
    private static final System.Logger LOG = System.getLogger(ThreeMemberClusterSpikeTest.class.getName());
    private static final int MEMBERS = 3;
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;

    private final List<Member> members = new ArrayList<>();
    private AeronCluster client;
    private MediaDriver clientDriver;

    @AfterEach
    void closeAll()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(clientDriver);
        members.forEach(Member::close);
    }

    @Test
    void shouldElectOneLeaderCommitOnAllMembersElectAnotherWhenTheLeaderGoesAndNoneWhenAlone() throws IOException
    {
        final int[][] ports = new int[MEMBERS][5];
        final StringBuilder clusterMembers = new StringBuilder();
        final StringBuilder ingressEndpoints = new StringBuilder();
        for (int id = 0; id < MEMBERS; id++)
        {
            for (int p = 0; p < 5; p++)
            {
                ports[id][p] = freeUdpPort();
            }
            // id,ingress,consensus,log,catchup,archive (ClusterMember.parse)
            clusterMembers.append(id).append(",127.0.0.1:").append(ports[id][0]).append(",127.0.0.1:")
                .append(ports[id][1]).append(",127.0.0.1:").append(ports[id][2]).append(",127.0.0.1:")
                .append(ports[id][3]).append(",127.0.0.1:").append(ports[id][4]).append('|');
            ingressEndpoints.append(id == 0 ? "" : ",").append(id).append("=127.0.0.1:").append(ports[id][0]);
        }
        for (int id = 0; id < MEMBERS; id++)
        {
            members.add(Member.launch(dir.resolve("member-" + id), id, clusterMembers.toString(), ports[id][4]));
        }

        await("one leader", () -> leaders().size() == 1);
        final Member first = leaders().get(0);

        final AtomicLong replies = new AtomicLong();
        final AtomicReference<Integer> announcedLeader = new AtomicReference<>();
        clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("client-driver").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        client = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(clientDriver.aeronDirectoryName())
            .ingressChannel("aeron:udp")
            .ingressEndpoints(ingressEndpoints.toString())
            .egressChannel("aeron:udp?endpoint=127.0.0.1:0")
            .egressListener(new EgressListener()
            {
                @Override
                public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
                    final int offset, final int length, final Header header)
                {
                    replies.incrementAndGet();
                }

                @Override
                public void onNewLeader(final long clusterSessionId, final long leadershipTermId,
                    final int leaderMemberId, final String ingressEndpoints)
                {
                    announcedLeader.set(leaderMemberId);
                }
            }));
        assertThat(client.leaderMemberId()).isEqualTo(first.id);

        send(1);
        await("the leader's reply to the first message", () -> pollUntil(replies, 1));
        await("all three services applied it", () -> members.stream().allMatch(m -> m.service.applied.get() == 1));

        final long firstTerm = client.leadershipTermId();
        final long closedAtNs = System.nanoTime();
        first.close();
        await("a new leader among the other two", () -> leaders().size() == 1 && leaders().get(0) != first);
        final Member second = leaders().get(0);
        LOG.log(System.Logger.Level.INFO, "member {0} leads {1} ms after leader {2} closed (heartbeat timeout 2 s)",
            second.id, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAtNs), first.id);

        await("the client follows the new leader", () ->
        {
            client.pollEgress();
            return client.leaderMemberId() == second.id;
        });
        assertThat(client.leadershipTermId()).isGreaterThan(firstTerm);
        send(2);
        await("the new leader's reply", () -> pollUntil(replies, 2));
        await("both survivors applied both messages", () -> members.stream().filter(m -> m != first)
            .allMatch(m -> m.service.applied.get() == 2));
        assertThat(announcedLeader.get()).isEqualTo(second.id);

        second.close();
        final Member alone = members.stream().filter(m -> !m.closed).findFirst().orElseThrow();
        await("the member left alone is in an election", () -> alone.electionState() != ElectionState.CLOSED);
        assertThat(alone.service.role).isNotEqualTo(Cluster.Role.LEADER);
        assertThat(alone.service.applied.get()).isEqualTo(2);
    }

    private List<Member> leaders()
    {
        return members.stream().filter(m -> !m.closed && m.service.role == Cluster.Role.LEADER).toList();
    }

    private void send(final long value)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[Long.BYTES]);
        message.putLong(0, value);
        await("ingress accepts message " + value, () ->
        {
            client.pollEgress();
            return client.offer(message, 0, Long.BYTES) > 0;
        });
    }

    private boolean pollUntil(final AtomicLong replies, final long expected)
    {
        client.pollEgress();
        return replies.get() >= expected;
    }

    private static void await(final String what, final BooleanSupplier condition)
    {
        final IdleStrategy idle = new SleepingMillisIdleStrategy(5);
        final long deadline = System.nanoTime() + AWAIT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out awaiting " + what);
            }
            idle.idle();
        }
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** Counts applied messages and echoes each one to its session (only the leader's echo leaves the member). */
    private static final class CountingService implements ClusteredService
    {
        final AtomicLong applied = new AtomicLong();
        volatile Cluster.Role role = Cluster.Role.FOLLOWER;
        private final IdleStrategy idle = new BackoffIdleStrategy();

        @Override
        public void onStart(final Cluster cluster, final Image snapshotImage)
        {
        }

        @Override
        public void onSessionOpen(final ClientSession session, final long timestamp)
        {
        }

        @Override
        public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
        {
        }

        @Override
        public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
            final int offset, final int length, final Header header)
        {
            applied.incrementAndGet();
            idle.reset();
            while (session.offer(buffer, offset, length) < 0)
            {
                idle.idle();
            }
        }

        @Override
        public void onTimerEvent(final long correlationId, final long timestamp)
        {
        }

        @Override
        public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
        {
        }

        @Override
        public void onRoleChange(final Cluster.Role newRole)
        {
            role = newRole;
        }

        @Override
        public void onTerminate(final Cluster cluster)
        {
        }
    }

    private static final class Member
    {
        final int id;
        final CountingService service = new CountingService();
        volatile boolean closed;
        private ClusteredMediaDriver driver;
        private ClusteredServiceContainer container;

        private Member(final int id)
        {
            this.id = id;
        }

        static Member launch(final Path base, final int id, final String clusterMembers, final int archivePort)
        {
            final Member member = new Member(id);
            final String aeronDir = base.resolve("aeron").toString();
            final String localControl = "aeron:ipc?term-length=64k";
            final AeronArchive.Context archiveClient = new AeronArchive.Context()
                .lock(NoOpLock.INSTANCE)
                .controlRequestChannel(localControl)
                .controlResponseChannel(localControl)
                .aeronDirectoryName(aeronDir);
            member.driver = ClusteredMediaDriver.launch(
                new MediaDriver.Context()
                    .aeronDirectoryName(aeronDir)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                    .termBufferSparseFile(true)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true),
                new Archive.Context()
                    .aeronDirectoryName(aeronDir)
                    .archiveDir(base.resolve("archive").toFile())
                    .controlChannel("aeron:udp?endpoint=127.0.0.1:" + archivePort)
                    .localControlChannel(localControl)
                    .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
                    .archiveClientContext(new AeronArchive.Context()
                        .controlResponseChannel("aeron:udp?endpoint=127.0.0.1:0"))
                    .recordingEventsEnabled(false)
                    .threadingMode(ArchiveThreadingMode.SHARED)
                    .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1))
                    .deleteArchiveOnStart(true),
                new ConsensusModule.Context()
                    .aeronDirectoryName(aeronDir)
                    .clusterMemberId(id)
                    .clusterMembers(clusterMembers)
                    .clusterDir(base.resolve("cluster").toFile())
                    .archiveContext(archiveClient.clone())
                    .ingressChannel("aeron:udp")
                    .logChannel("aeron:udp?term-length=256k")
                    .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
                    .leaderHeartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(2))
                    .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1))
                    .deleteDirOnStart(true));
            member.container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
                .aeronDirectoryName(aeronDir)
                .archiveContext(archiveClient.clone())
                .clusterDir(base.resolve("cluster").toFile())
                .clusteredService(member.service)
                .idleStrategySupplier(() -> new SleepingMillisIdleStrategy(1)));
            return member;
        }

        ElectionState electionState()
        {
            return ElectionState.get(driver.consensusModule().context().electionStateCounter());
        }

        void close()
        {
            if (!closed)
            {
                closed = true;
                CloseHelper.closeAll(container, driver);
            }
        }
    }
}
