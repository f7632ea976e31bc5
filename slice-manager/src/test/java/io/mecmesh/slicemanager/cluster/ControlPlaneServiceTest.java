package io.mecmesh.slicemanager.cluster;

import io.mecmesh.slicemanager.distribution.AeronMessaging;
import io.mecmesh.slicemanager.journal.CommandJournal;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The control-plane service on a real one-member Aeron Cluster (media driver, archive, consensus module and service
 * container in this JVM, directories under a temporary directory, ingress and log over {@code aeron:ipc}).
 */
class ControlPlaneServiceTest
{
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private AeronMessaging messaging;
    private ControlPlaneCluster cluster;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(cluster, messaging);
    }

    private ControlPlaneCluster launch(final Path stateDirectory, final ControlPlaneService.StateListener listener)
    {
        if (messaging == null)
        {
            messaging = AeronMessaging.launch(dir.resolve("aeron"));
        }
        cluster = ControlPlaneCluster.launch(new ControlPlaneCluster.Settings(dir.resolve("cluster"),
            messaging.aeron().context().aeronDirectoryName(), COMMIT_TIMEOUT),
            new ControlPlaneService(stateDirectory, listener, ControlPlaneService.DEFAULT_OUTCOME_CAPACITY));
        return cluster;
    }

    private ControlPlaneCluster launch(final Path stateDirectory)
    {
        return launch(stateDirectory, state ->
        {
        });
    }

    /** As a process restart: the member and the media driver go; the directories stay. */
    private void restart()
    {
        CloseHelper.closeAll(cluster, messaging);
        cluster = null;
        messaging = null;
    }

    @Test
    void shouldAnswerAcceptedAfterCommitAndApplyAndJournalEveryCommandInOrder()
    {
        final AtomicInteger heard = new AtomicInteger();
        launch(dir.resolve("control"), state -> heard.incrementAndGet());
        final int heardAtStart = heard.get();

        long sequence = 0;
        for (final Command command : ModelFixtures.commands())
        {
            final Outcome outcome = cluster.submit(UUID.randomUUID(), 0, "test", command);
            assertThat(outcome.kind()).isEqualTo(Outcome.Kind.ACCEPTED);
            assertThat(outcome.duplicate()).isFalse();
            assertThat(outcome.sequence()).isEqualTo(++sequence);
            assertThat(outcome.logPosition()).isPositive();
            assertThat(cluster.service().appliedSequence()).isEqualTo(sequence);
        }

        assertThat(cluster.service().state()).isEqualTo(ModelFixtures.state());
        assertThat(heard.get() - heardAtStart).isEqualTo(ModelFixtures.commands().size());
        restart();
        assertThat(journal(dir.resolve("control"))).containsExactlyElementsOf(ModelFixtures.commands());
    }

    @Test
    void shouldRejectAnInvalidCommandWithTheConductorsCategoryAndChangeNothing()
    {
        launch(dir.resolve("control"));
        final Command orphan = new Command.PutService(ModelFixtures.video());
        final CommandRejectedException direct = catchRejection(() -> DesiredState.empty().apply(orphan));

        final Outcome outcome = cluster.submit(UUID.randomUUID(), 0, "test", orphan);

        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.REJECTED);
        assertThat(outcome.category()).isEqualTo(direct.category()).isEqualTo(CommandRejectedException.Category.INVALID);
        assertThat(outcome.field()).isEqualTo("service.slice");
        assertThat(outcome.toRejection()).hasMessage(direct.getMessage());
        assertThat(cluster.service().state()).isEqualTo(DesiredState.empty());
        restart();
        assertThat(journal(dir.resolve("control"))).isEmpty();
    }

    @Test
    void shouldAnswerARetriedRequestIdWithTheOriginalOutcomeAndApplyItOnce()
    {
        launch(dir.resolve("control"));
        final UUID requestId = UUID.randomUUID();
        final Command slice = new Command.PutSlice(ModelFixtures.embb());
        final Outcome first = cluster.submit(requestId, 0, "test", slice);
        cluster.submit(UUID.randomUUID(), 0, "test", new Command.PutSlice(ModelFixtures.urllc()));

        final Outcome retried = cluster.submit(requestId, 0, "test", slice);

        assertThat(first.kind()).isEqualTo(Outcome.Kind.ACCEPTED);
        assertThat(retried.duplicate()).isTrue();
        assertThat(retried.kind()).isEqualTo(Outcome.Kind.ACCEPTED);
        assertThat(retried.sequence()).isEqualTo(first.sequence()).isEqualTo(1);
        assertThat(cluster.service().state().sequence()).isEqualTo(2);

        final UUID rejectedId = UUID.randomUUID();
        final Command deleteMissing = new Command.DeleteNode("node-x");
        final Outcome rejected = cluster.submit(rejectedId, 0, "test", deleteMissing);
        // Retried after node-x exists: still the original answer, and it is not deleted.
        cluster.submit(UUID.randomUUID(), 0, "test", new Command.PutNode(new Node("node-x", "site-x", "metro-1",
            List.of())));
        final Outcome rejectedAgain = cluster.submit(rejectedId, 0, "test", deleteMissing);
        assertThat(rejected.kind()).isEqualTo(Outcome.Kind.REJECTED);
        assertThat(rejectedAgain).isEqualTo(rejected.asDuplicate());
        assertThat(cluster.service().state().nodes()).containsKey("node-x");
    }

    @Test
    void shouldAnswerConflictWhenTheStateMovedSinceTheBasedOnSequence()
    {
        launch(dir.resolve("control"));
        cluster.submit(UUID.randomUUID(), 0, "test", new Command.PutSlice(ModelFixtures.embb()));
        cluster.submit(UUID.randomUUID(), 0, "test", new Command.PutSlice(ModelFixtures.urllc()));

        final UUID requestId = UUID.randomUUID();
        final Outcome stale = cluster.submit(requestId, 1, "test", new Command.PutService(ModelFixtures.video()));
        assertThat(stale.kind()).isEqualTo(Outcome.Kind.CONFLICT);
        assertThat(stale.sequence()).isEqualTo(2);
        assertThat(cluster.service().state().services()).isEmpty();

        // The same request id, re-read and based on the current sequence, is a new decision.
        final Outcome current = cluster.submit(requestId, 2, "test", new Command.PutService(ModelFixtures.video()));
        assertThat(current.kind()).isEqualTo(Outcome.Kind.ACCEPTED);
        assertThat(current.sequence()).isEqualTo(3);
    }

    @Test
    void shouldRecoverTheSameStateAndRequestIdsFromAClusterSnapshotAfterARestart()
    {
        launch(dir.resolve("control"));
        final List<Command> commands = ModelFixtures.commands();
        final UUID beforeSnapshot = UUID.randomUUID();
        cluster.submit(beforeSnapshot, 0, "test", commands.get(0));
        commands.subList(1, 5).forEach(c -> cluster.submit(UUID.randomUUID(), 0, "test", c));
        assertThat(cluster.takeSnapshot()).isEqualTo(1);
        commands.subList(5, commands.size()).forEach(c -> cluster.submit(UUID.randomUUID(), 0, "test", c));
        final byte[] written = JournalCodec.encode(cluster.service().state());
        restart();

        launch(dir.resolve("control"));

        assertThat(JournalCodec.encode(cluster.service().state())).isEqualTo(written);
        assertThat(cluster.service().appliedSequence()).isEqualTo(commands.size());
        final Outcome retried = cluster.submit(beforeSnapshot, 0, "test", commands.get(0));
        assertThat(retried.duplicate()).isTrue();
        assertThat(retried.sequence()).isEqualTo(1);
        assertThat(cluster.submit(UUID.randomUUID(), 0, "test", new Command.DeleteNode("node-c")).sequence())
            .isEqualTo(commands.size() + 1);
        restart();
        // The log replayed after the snapshot did not journal its commands twice.
        assertThat(journal(dir.resolve("control"))).hasSize(commands.size() + 1);
    }

    @Test
    void shouldProduceByteIdenticalStatesWhenTwoFreshServicesAreFedTheSameLog()
    {
        launch(dir.resolve("first"));
        for (final Command command : ModelFixtures.commands())
        {
            cluster.submit(UUID.randomUUID(), 0, "test", command);
            cluster.submit(UUID.randomUUID(), 0, "test", new Command.DeleteNode("absent"));
        }
        cluster.submit(UUID.randomUUID(), 0, "test", new Command.DeleteNode("node-b"));
        final byte[] first = JournalCodec.encode(cluster.service().state());
        restart();

        // A fresh service (empty state directory, no snapshot) is fed the whole log by the consensus module.
        launch(dir.resolve("second"));

        assertThat(JournalCodec.encode(cluster.service().state())).isEqualTo(first);
        assertThat(cluster.service().state().nodes()).containsOnlyKeys("node-a", "node-c");
        restart();
        assertThat(journal(dir.resolve("second"))).isEqualTo(journal(dir.resolve("first")));
    }

    @Test
    void shouldSeedAnEmptyClusterOnceAndRefuseASecondSeed()
    {
        launch(dir.resolve("control"));
        final DesiredState migrated = ModelFixtures.state();

        final Outcome seeded = cluster.seed(migrated);
        final Outcome again = cluster.seed(migrated);

        assertThat(seeded.kind()).isEqualTo(Outcome.Kind.ACCEPTED);
        assertThat(seeded.sequence()).isEqualTo(migrated.sequence());
        assertThat(again.kind()).isEqualTo(Outcome.Kind.REJECTED);
        assertThat(again.category()).isEqualTo(CommandRejectedException.Category.CONFLICT);
        assertThat(cluster.service().state()).isEqualTo(migrated);
        assertThat(cluster.submit(UUID.randomUUID(), 0, "test", new Command.DeleteNode("node-c")).sequence())
            .isEqualTo(migrated.sequence() + 1);
    }

    @Test
    void shouldConnectAgainAndAnswerWritesAfterTheClusterClosedTheGatewaysSession()
    {
        launch(dir.resolve("control"));
        cluster.submit(UUID.randomUUID(), 0, "test", new Command.PutSlice(ModelFixtures.embb()));

        cluster.gateway().dropSession();
        final Outcome after = cluster.submit(UUID.randomUUID(), 0, "test", new Command.PutSlice(ModelFixtures.urllc()));

        assertThat(after.kind()).isEqualTo(Outcome.Kind.ACCEPTED);
        assertThat(after.sequence()).isEqualTo(2);
        assertThat(cluster.gateway().reconnects()).isEqualTo(1);
    }

    private static List<Command> journal(final Path stateDirectory)
    {
        final List<Command> commands = new ArrayList<>();
        try (CommandJournal journal = CommandJournal.open(stateDirectory.resolve("journal")))
        {
            journal.replay(0, (sequence, command) ->
            {
                assertThat(sequence).isEqualTo(commands.size() + 1);
                commands.add(command);
            });
        }
        return commands;
    }

    private static CommandRejectedException catchRejection(final Runnable action)
    {
        assertThatThrownBy(action::run).isInstanceOf(CommandRejectedException.class);
        try
        {
            action.run();
            throw new AssertionError("not rejected");
        }
        catch (final CommandRejectedException ex)
        {
            return ex;
        }
    }
}
