package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
            final ControlPlaneClient client = server.client();
            final JsonNode status = client.get("status");
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            client.staleNotice().ifPresent(notice ->
            {
                err.println(notice);
                err.flush();
            });
            final JsonNode cluster = clusterOrEmpty(client);
            final boolean clustered = cluster.path("enabled").asBoolean(false);
            if (format == ClientOutput.Format.JSON)
            {
                if (clustered && status instanceof ObjectNode object)
                {
                    object.set("cluster", cluster);
                }
                out.println(ClientOutput.json(status));
                out.flush();
                return ExitCode.OK;
            }
            if (clustered)
            {
                printControlPlane(out, cluster);
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

    /**
     * The "Control plane" section: one header line (members, leader, term, commit position, applied version, stale)
     * and one line per member (role, log position and lag where the member asked knows them).
     */
    static void printControlPlane(final PrintWriter out, final JsonNode cluster)
    {
        final JsonNode members = cluster.path("members");
        final JsonNode leader = cluster.path("leaderMemberId");
        out.println("Control plane: " + members.size() + " member" + (members.size() == 1 ? "" : "s") + ", leader "
            + (leader.isNumber() ? leader.asText() : "none") + ", term " + cluster.path("leadershipTermId").asLong()
            + ", commit position " + cluster.path("commitPosition").asLong() + ", applied version "
            + cluster.path("appliedSequence").asLong() + " (asked member " + cluster.path("memberId").asInt() + ")"
            + (cluster.path("stale").isObject() ? ", stale since " + cluster.path("stale").path("since").asText()
            : ""));
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode member : members)
        {
            rows.add(List.of(member.path("id").asText(), member.path("api").asText("").isEmpty() ? "-"
                : member.path("api").asText(), member.path("role").asText(), optional(member.path("logPosition")),
                optional(member.path("lag"))));
        }
        out.print(ClientOutput.table(List.of("MEMBER", "API", "ROLE", "LOG-POSITION", "LAG"), rows));
    }

    /** {@code GET /v1/cluster}, or an empty object from a control plane older than it. */
    private static JsonNode clusterOrEmpty(final ControlPlaneClient client)
    {
        try
        {
            return client.get("cluster");
        }
        catch (final CommandFailedException ex)
        {
            return ClientOutput.JSON.createObjectNode();
        }
    }

    private static String optional(final JsonNode value)
    {
        return value.isNumber() ? value.asText() : "-";
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
