package io.mecmesh.slicemanager.journal;

import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DesiredStateConductorTest
{
    @TempDir
    Path directory;

    @Test
    void shouldRebuildTheSameStateFromTheJournalAfterARestart()
    {
        final DesiredState written;
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            long sequence = 0;
            for (final Command command : ModelFixtures.commands())
            {
                sequence = conductor.submit(command);
            }
            assertThat(sequence).isEqualTo(8);
            written = conductor.state();
        }

        try (DesiredStateConductor reopened = DesiredStateConductor.open(directory))
        {
            assertThat(reopened.state()).isEqualTo(written).isEqualTo(ModelFixtures.state());
        }
    }

    @Test
    void shouldRebuildFromTheLatestSnapshotPlusTheCommandsAfterIt()
    {
        final DesiredState written;
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            final List<Command> commands = ModelFixtures.commands();
            commands.subList(0, 5).forEach(conductor::submit);
            final Path snapshot = conductor.snapshot();
            assertThat(snapshot.getFileName()).hasToString("snapshot-00000000000000000005.json");
            commands.subList(5, commands.size()).forEach(conductor::submit);
            conductor.submit(new Command.DeleteNode("node-b"));
            written = conductor.state();
        }

        try (DesiredStateConductor reopened = DesiredStateConductor.open(directory))
        {
            assertThat(reopened.state()).isEqualTo(written);
            assertThat(reopened.state().sequence()).isEqualTo(9);
            assertThat(reopened.state().nodes()).containsOnlyKeys("node-a", "node-c");
            assertThat(reopened.submit(new Command.DeleteNode("node-c"))).isEqualTo(10);
        }
    }

    @Test
    void shouldAcceptCommandsOnAnotherThreadThanTheOneThatOpenedIt() throws InterruptedException
    {
        final DesiredState written;
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
            final Thread dutyCycle = new Thread(() ->
            {
                try
                {
                    ModelFixtures.commands().forEach(conductor::submit);
                    for (int i = 0; i < 1000; i++)
                    {
                        conductor.submit(new Command.PutNode(new Node("node-x", "site-x", "metro-9",
                            i % 2 == 0 ? List.of("video") : List.of("cdn", "plc"))));
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "conductor");
            dutyCycle.start();
            dutyCycle.join(30_000);
            assertThat(failure.get()).isNull();
            written = conductor.state();
        }

        try (DesiredStateConductor reopened = DesiredStateConductor.open(directory))
        {
            assertThat(reopened.state()).isEqualTo(written);
            assertThat(reopened.state().sequence()).isEqualTo(1008);
            assertThat(reopened.state().nodes().get("node-x").services()).containsExactly("cdn", "plc");
        }
    }

    @Test
    void shouldNotJournalARejectedCommand()
    {
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            ModelFixtures.commands().forEach(conductor::submit);
            assertThatThrownBy(() -> conductor.submit(
                new Command.PutNode(new Node("node-d", "site-d", "metro-1", List.of("missing")))))
                .isInstanceOf(CommandRejectedException.class)
                .hasMessage("node.services[0]: no service \"missing\"");
            assertThat(conductor.state().sequence()).isEqualTo(8);
            assertThat(conductor.submit(new Command.DeleteNode("node-a"))).isEqualTo(9);
        }

        try (DesiredStateConductor reopened = DesiredStateConductor.open(directory))
        {
            assertThat(reopened.state().sequence()).isEqualTo(9);
            assertThat(reopened.state().nodes()).doesNotContainKeys("node-a", "node-d");
        }
    }

    @Test
    void shouldReportADamagedTailEntryInsteadOfDroppingIt() throws IOException
    {
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            ModelFixtures.commands().forEach(conductor::submit);
        }
        flipLastOccurrence(directory.resolve("journal"), "\"node-c\"");

        assertThatThrownBy(() -> DesiredStateConductor.open(directory))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining("entry 8 (index 0x")
            .hasMessageContaining("checksum mismatch")
            .satisfies(ex -> assertThat(((JournalException)ex).category()).isEqualTo(JournalException.Category.CORRUPT));
    }

    @Test
    void shouldReportATruncatedTailEntry()
    {
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            ModelFixtures.commands().subList(0, 2).forEach(conductor::submit);
        }
        final byte[] entry = CommandJournal.frame(3, "{\"format\":1,\"type\":\"delete-node\",\"id\":\"node-a\"}"
            .getBytes(StandardCharsets.UTF_8));
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(directory.resolve("journal")).build();
            ExcerptAppender appender = queue.createAppender())
        {
            try (DocumentContext context = appender.writingDocument())
            {
                context.wire().bytes().write(entry, 0, entry.length - 10);
            }
        }

        assertThatThrownBy(() -> DesiredStateConductor.open(directory))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining("entry 3 (index 0x")
            .hasMessageContaining("truncated: the header announces");
    }

    @Test
    void shouldReportADamagedSnapshot() throws IOException
    {
        final Path snapshot;
        try (DesiredStateConductor conductor = DesiredStateConductor.open(directory))
        {
            ModelFixtures.commands().forEach(conductor::submit);
            snapshot = conductor.snapshot();
        }
        final byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length - 5] ^= 0x20;
        Files.write(snapshot, bytes);

        assertThatThrownBy(() -> DesiredStateConductor.open(directory))
            .isInstanceOf(JournalException.class)
            .hasMessageContaining(snapshot.toString())
            .hasMessageContaining("SHA-256 mismatch");
    }

    @Test
    void shouldRoundTripEveryCommandThroughTheCodec()
    {
        for (final Command command : ModelFixtures.commands())
        {
            assertThat(JournalCodec.decodeCommand(JournalCodec.encode(command))).isEqualTo(command);
        }
        assertThat(JournalCodec.decodeState(JournalCodec.encode(ModelFixtures.state())))
            .isEqualTo(ModelFixtures.state());
        assertThatThrownBy(() -> JournalCodec.decodeCommand(
            "{\"format\":2,\"type\":\"delete-node\",\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
            .hasMessage("format: expected 1, got 2");
        assertThatThrownBy(() -> JournalCodec.decodeCommand(("{\"format\":1,\"type\":\"put-node\",\"node\":"
            + "{\"id\":\"a\",\"site\":\"s\",\"zone\":\"z\",\"services\":[\"Bad\"]}}").getBytes(StandardCharsets.UTF_8)))
            .hasMessageStartingWith("node.services[0]: expected 1 to 63 lower-case");
    }

    private static void flipLastOccurrence(final Path journal, final String marker) throws IOException
    {
        final byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(journal))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList())
            {
                final byte[] bytes = Files.readAllBytes(file);
                for (int i = bytes.length - needle.length; i >= 0; i--)
                {
                    if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
                    {
                        bytes[i + 1] = (byte)'x';
                        Files.write(file, bytes);
                        return;
                    }
                }
            }
        }
        throw new AssertionError(marker + " not found in " + journal);
    }
}
