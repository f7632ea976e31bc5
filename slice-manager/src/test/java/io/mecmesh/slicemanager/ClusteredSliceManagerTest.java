package io.mecmesh.slicemanager;

import io.mecmesh.slicemanager.agent.NodeAgent;
import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.distribution.AeronMessaging;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionFixtures;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.ModelFixtures;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mecmesh.slicemanager.distribution.DistributionFixtures.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The slice manager with {@code controlPlane.cluster.enabled}: the same backend contract (submit, state, journal,
 * compact) on a one-member Aeron Cluster, the compiled configuration distributed to an edge, and the migration of a
 * pre-cluster data directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusteredSliceManagerTest
{
    private static final SliceManager.ClusterSettings CLUSTER =
        new SliceManager.ClusterSettings(true, Duration.ofSeconds(20));

    @TempDir
    Path directory;

    private AeronMessaging messaging;
    private SliceManager sliceManager;
    private EdgeNode edge;

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(edge, sliceManager, messaging);
    }

    private SliceManager start(final SliceManager.ClusterSettings cluster)
    {
        if (messaging == null)
        {
            messaging = AeronMessaging.launch(directory.resolve("aeron"));
        }
        sliceManager = SliceManager.start(new SliceManager.Settings(directory.resolve("control"),
            DistributionChannels.ipc(), DistributionFixtures.KEY, CompilerSettings.DEFAULT,
            ConfigSigningKeys.openOrCreate(directory.resolve("keys")), cluster), messaging.aeron());
        return sliceManager;
    }

    /** As a process restart: the slice manager and the media driver go, the data directory stays. */
    private void stopProcess()
    {
        CloseHelper.closeAll(edge, sliceManager, messaging);
        edge = null;
        sliceManager = null;
        messaging = null;
    }

    @Test
    void shouldAnswerWritesAfterCommitRejectInvalidOnesAndDistributeTheCompiledConfiguration()
    {
        start(CLUSTER);
        edge = EdgeNode.start(new NodeAgent.Context("node-a", messaging.aeron(), DistributionChannels.ipc(),
            DistributionFixtures.KEY, directory.resolve("lkg"), compiled -> { }));

        long sequence = 0;
        for (final Command command : ModelFixtures.commands())
        {
            sequence = sliceManager.submit(command);
        }
        assertThatThrownBy(() -> sliceManager.submit(new Command.DeleteSlice(ModelFixtures.EMBB)))
            .isInstanceOf(CommandRejectedException.class)
            .extracting(ex -> ((CommandRejectedException)ex).category())
            .isEqualTo(CommandRejectedException.Category.CONFLICT);

        assertThat(sequence).isEqualTo(ModelFixtures.commands().size());
        assertThat(sliceManager.state()).isEqualTo(ModelFixtures.state());
        awaitUntil("node-a runs the configuration compiled from the committed state",
            () -> edge.runningVersion() >= 6);
    }

    @Test
    void shouldKeepJournalTailCompactionAndRecoveryWorkingOnTheCluster()
    {
        start(CLUSTER);
        ModelFixtures.commands().forEach(sliceManager::submit);

        final List<Long> tailed = new ArrayList<>();
        final long last = sliceManager.journal(2, 3, (sequence, command) -> tailed.add(sequence));
        final Path snapshot = sliceManager.compact();

        assertThat(tailed).containsExactly(3L, 4L, 5L);
        assertThat(last).isEqualTo(5);
        assertThat(snapshot.getFileName()).hasToString("snapshot-00000000000000000008.json");
        assertThat(sliceManager.journalSize().entries()).isEqualTo(8);
        sliceManager.submit(new Command.DeleteNode("node-c"));
        final DesiredState written = sliceManager.state();
        stopProcess();

        start(CLUSTER);

        assertThat(sliceManager.state()).isEqualTo(written);
        final List<Long> all = new ArrayList<>();
        sliceManager.journal(0, 100, (sequence, command) -> all.add(sequence));
        assertThat(all).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void shouldSeedTheClusterOnceFromAPreClusterDataDirectoryAndContinueItsSequence()
    {
        start(SliceManager.ClusterSettings.DISABLED);
        final List<Command> commands = ModelFixtures.commands();
        commands.subList(0, 5).forEach(sliceManager::submit);
        sliceManager.compact();
        commands.subList(5, commands.size()).forEach(sliceManager::submit);
        final DesiredState before = sliceManager.state();
        stopProcess();
        assertThat(Files.exists(directory.resolve("control").resolve("cluster"))).isFalse();

        start(CLUSTER);
        assertThat(sliceManager.state()).isEqualTo(before);
        assertThat(sliceManager.submit(new Command.DeleteNode("node-c"))).isEqualTo(commands.size() + 1);
        stopProcess();

        start(CLUSTER);
        assertThat(sliceManager.state().sequence()).isEqualTo(commands.size() + 1);
        assertThat(sliceManager.state().nodes()).containsOnlyKeys("node-a", "node-b");
        final List<Long> all = new ArrayList<>();
        sliceManager.journal(0, 100, (sequence, command) -> all.add(sequence));
        assertThat(all).hasSize(commands.size() + 1).last().isEqualTo((long)commands.size() + 1);
    }

    @Test
    void shouldRefuseToStartOnAClusterLogBehindTheJournalInsteadOfGoingBackInVersion()
    {
        start(CLUSTER);
        final List<Command> commands = ModelFixtures.commands();
        commands.subList(0, 2).forEach(sliceManager::submit);
        stopProcess();
        start(SliceManager.ClusterSettings.DISABLED);
        sliceManager.submit(commands.get(2));
        stopProcess();

        assertThatThrownBy(() -> start(CLUSTER))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining("is at version 3 but the cluster log only at 2")
            .hasMessageNotContaining("\n");
    }
}
