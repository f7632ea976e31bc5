package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh status [-o table|json]}: for each node, the version it runs, the newest published for it, when it
 * last acknowledged, and the last configuration it rejected.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show each node's applied and latest version, last ack, rejection.")
final class StatusCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    ClientOutput.Format format;

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            if (format == ClientOutput.Format.YAML)
            {
                throw new CommandFailedException(ExitCode.USAGE, "status: -o expects table or json");
            }
            final JsonNode status = server.client().get("status");
            final PrintWriter out = spec.commandLine().getOut();
            if (format == ClientOutput.Format.JSON)
            {
                out.println(ClientOutput.json(status));
                out.flush();
                return ExitCode.OK;
            }
            out.println("desired state version " + status.path("version").asLong());
            final List<List<String>> rows = new ArrayList<>();
            for (final JsonNode node : status.path("nodes"))
            {
                final JsonNode rejected = node.path("rejected");
                rows.add(List.of(node.path("id").asText(), version(node.path("appliedVersion")),
                    version(node.path("latestVersion")), node.path("upToDate").asBoolean() ? "yes" : "no",
                    ago(node.path("lastContactMsAgo")),
                    rejected.isObject() ? "v" + rejected.path("version").asLong() + " "
                        + rejected.path("reason").asText() + ": " + rejected.path("detail").asText() : "-"));
            }
            out.print(rows.isEmpty() ? "no nodes" + System.lineSeparator() : ClientOutput.table(
                List.of("NODE", "APPLIED", "LATEST", "UP-TO-DATE", "LAST-ACK", "REJECTED"), rows));
            out.flush();
            return ExitCode.OK;
        });
    }

    private static String version(final JsonNode version)
    {
        return version.asLong(-1) < 0 ? "-" : version.asText();
    }

    /**
     * @param msAgo milliseconds since the last contact, or JSON null.
     * @return {@code never}, {@code 850ms ago}, {@code 3s ago}, {@code 2m ago}, {@code 5h ago} or {@code 2d ago}.
     */
    static String ago(final JsonNode msAgo)
    {
        if (msAgo == null || !msAgo.isNumber())
        {
            return "never";
        }
        final long ms = msAgo.asLong();
        if (ms < 1000)
        {
            return ms + "ms ago";
        }
        final long seconds = ms / 1000;
        if (seconds < 120)
        {
            return seconds + "s ago";
        }
        if (seconds < 7200)
        {
            return seconds / 60 + "m ago";
        }
        if (seconds < 172_800)
        {
            return seconds / 3600 + "h ago";
        }
        return seconds / 86_400 + "d ago";
    }
}
