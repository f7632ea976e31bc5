package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import io.mecmesh.slicemanager.journal.DesiredStateConductor;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.DesiredState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh journal tail|compact|replay}: the control plane's command journal. {@code tail} and {@code compact}
 * go through the API; {@code replay} reads a data directory on disk, offline.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = "Tail or compact the command journal, or replay it offline.",
    subcommands = {JournalCommand.Tail.class, JournalCommand.Compact.class, JournalCommand.Replay.class})
final class JournalCommand
{
    @Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print journal entries after a sequence number, one line each.")
    static final class Tail implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Option(names = "--after", defaultValue = "0", paramLabel = "SEQ",
            description = "Start after this sequence number (default: ${DEFAULT-VALUE}, from the start).")
        long after;

        @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
            description = "At most N entries, 1 to 1000 (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table (one line per entry) or json (default: ${DEFAULT-VALUE}).")
        ClientOutput.Format format;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final JsonNode entries = server.client().get("journal?after=" + after + "&limit=" + limit);
                final PrintWriter out = spec.commandLine().getOut();
                if (format == ClientOutput.Format.JSON)
                {
                    out.println(ClientOutput.json(entries));
                }
                else
                {
                    final List<List<String>> rows = new ArrayList<>();
                    for (final JsonNode entry : entries.path("entries"))
                    {
                        final JsonNode command = entry.path("command");
                        rows.add(List.of(entry.path("sequence").asText(), command.path("type").asText(),
                            summary(command)));
                    }
                    out.print(rows.isEmpty() ? "no entries after " + after + System.lineSeparator()
                        : ClientOutput.table(List.of("SEQ", "TYPE", "OBJECTS"), rows));
                }
                out.flush();
                return ExitCode.OK;
            });
        }

        private static String summary(final JsonNode command)
        {
            final String type = command.path("type").asText();
            if ("batch".equals(type))
            {
                final List<String> members = new ArrayList<>();
                command.path("commands").forEach(member -> members.add(member.path("type").asText() + " "
                    + summary(member)));
                return String.join(", ", members);
            }
            return switch (type)
            {
                case "put-slice" -> command.path("slice").path("snssai").asText() + " ("
                    + command.path("slice").path("name").asText() + ")";
                case "delete-slice" -> command.path("snssai").asText();
                case "put-service" -> command.path("service").path("name").asText();
                case "put-node" -> command.path("node").path("id").asText();
                case "delete-service" -> command.path("name").asText();
                default -> command.path("id").asText();
            };
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Snapshot the state now; restarts replay only what follows.")
    static final class Compact implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final JsonNode result = server.client().post("journal/compact", ClientOutput.JSON.createObjectNode());
                spec.commandLine().getOut().println("snapshot written: " + result.path("snapshot").asText());
                spec.commandLine().getOut().flush();
                return ExitCode.OK;
            });
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Rebuild the state from a data directory offline; print it.")
    static final class Replay implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "The control plane's data directory (holding journal/ and snapshots/).")
        Path dataDir;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                if (!Files.isDirectory(dataDir))
                {
                    throw new CommandFailedException(ExitCode.NO_INPUT, dataDir + ": no such directory");
                }
                if (!Files.isDirectory(dataDir.resolve("journal")))
                {
                    throw new CommandFailedException(ExitCode.NO_INPUT, dataDir + ": no journal/ here: not the data"
                        + " directory of a control plane");
                }
                final DesiredState state;
                try (DesiredStateConductor conductor = DesiredStateConductor.open(dataDir))
                {
                    state = conductor.state();
                }
                catch (final JournalException ex)
                {
                    throw new CommandFailedException(ExitCode.FAILURE, ex.getMessage());
                }
                final PrintWriter out = spec.commandLine().getOut();
                out.println("replayed " + dataDir + ": version " + state.sequence() + ", "
                    + state.slices().size() + " slices, " + state.services().size() + " services, "
                    + state.nodes().size() + " nodes");
                final ObjectNode rendered = ClientOutput.JSON.createObjectNode().put("version", state.sequence());
                rendered.setAll(DesiredStateDocument.standard().render(state));
                GetCommand.printState(out, rendered, ClientOutput.Format.TABLE);
                out.flush();
                return ExitCode.OK;
            });
        }
    }
}
