package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh apply -f FILE.yaml [--dry-run] [--diff] [--prune]}: a whole desired state in one document, applied
 * as one journal entry (all of it or none). The document is checked here first, then by the control plane; an
 * invalid one prints one line naming the file and the field, and nothing is applied.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Apply a desired-state document (slices, services, nodes) atomically.")
final class ApplyCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
        description = "The document, YAML or JSON ('-' for standard input).")
    Path file;

    @Option(names = "--dry-run", description = "Show what would change; apply nothing.")
    boolean dryRun;

    @Option(names = "--diff", description = "Also print a unified diff of each changed object, and unchanged ones.")
    boolean diff;

    @Option(names = "--prune",
        description = "Delete the slices, services and nodes of the control plane that the document leaves out.")
    boolean prune;

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            final String source = file.toString();
            final JsonNode document = ClientOutput.readYaml(file);
            ClientOutput.validate(source, () -> DesiredStateDocument.standard().validate(document));
            final JsonNode result;
            try
            {
                result = server.client().post("apply?dryRun=" + dryRun + "&prune=" + prune, document);
            }
            catch (final CommandFailedException ex)
            {
                throw ex.exitCode() == ExitCode.UNAVAILABLE ? ex : ex.about(source);
            }
            print(spec.commandLine().getOut(), result, source);
            return ExitCode.OK;
        });
    }

    private void print(final PrintWriter out, final JsonNode result, final String source)
    {
        final String suffix = dryRun ? " (dry run)" : "";
        int changed = 0;
        for (final JsonNode change : result.path("changes"))
        {
            final String op = change.path("op").asText();
            final String object = change.path("kind").asText() + "/" + change.path("name").asText();
            if ("unchanged".equals(op))
            {
                if (diff)
                {
                    out.println(object + " unchanged" + suffix);
                }
                continue;
            }
            changed++;
            out.println(object + " " + switch (op)
            {
                case "create" -> "created";
                case "update" -> "configured";
                case "delete" -> "deleted";
                default -> op;
            } + suffix);
            if (diff)
            {
                final JsonNode before = change.path("before");
                final JsonNode after = change.path("after");
                out.print(ClientOutput.unifiedDiff(object + " (control plane)", object + " (" + source + ")",
                    before.isObject() ? ClientOutput.yaml(before) : "",
                    after.isObject() ? ClientOutput.yaml(after) : ""));
            }
        }
        final long version = result.path("version").asLong();
        if (dryRun)
        {
            out.println("dry run: " + changed + " change" + (changed == 1 ? "" : "s") + ", nothing applied (version "
                + version + ")");
        }
        else
        {
            out.println("applied version " + version + (changed == 0 ? " (nothing changed)" : ""));
        }
        out.flush();
    }
}
