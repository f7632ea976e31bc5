package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.DesiredStateDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh app create|get|list|delete|rules}: pre-provisioned MEC application instances (the desired state's
 * {@code apps}), one at a time, over the control-plane API (viewer reads, operator writes).
 */
@Command(name = "app", mixinStandardHelpOptions = true,
    description = "Create (from a YAML object), show, list or delete MEC app instances; show rules.",
    subcommands = {AppCommand.Create.class, AppCommand.Get.class, AppCommand.List.class, AppCommand.Delete.class,
        AppCommand.Rules.class})
final class AppCommand
{
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create or replace an application instance from a file with one apps object.")
    static final class Create extends ObjectCommands.CreateFromFile
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.APPS;
        }

        @Override
        String label()
        {
            return "app";
        }

        @Override
        String validate(final JsonNode json)
        {
            return DesiredStateDocument.standard().app(json, "").id();
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one application instance.")
    static final class Get extends ObjectCommands.GetOne
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.APPS;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the application instances.")
    static final class List extends ObjectCommands.ListAll
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.APPS;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete an application instance (its rules and registered services' records with it).")
    static final class Delete extends ObjectCommands.DeleteOne
    {
        @Override
        GetCommand.Kind kind()
        {
            return GetCommand.Kind.APPS;
        }

        @Override
        String label()
        {
            return "app";
        }

        /**
         * Deletes, and says so when the instance subscribed to its termination (with a MEC API): then it was notified
         * and stays until it confirms or its grace lapses.
         */
        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final String path = kind().path() + "/" + GetCommand.encode(name);
                final long version = server.client().delete(path).path("version").asLong();
                final JsonNode app = pending(server.client().get(kind().path()));
                if (app != null)
                {
                    spec.commandLine().getOut().println(label() + "/" + name + " terminating (version " + version
                        + "): notified, removed when it confirms or at " + app.path("terminationDeadline").asText()
                        + "; delete again to remove it now");
                }
                else
                {
                    spec.commandLine().getOut().println(label() + "/" + name + " deleted (version " + version + ")");
                }
                spec.commandLine().getOut().flush();
                return ExitCode.OK;
            });
        }

        private JsonNode pending(final JsonNode list)
        {
            for (final JsonNode app : list.path("items"))
            {
                if (name.equals(app.path("id").asText()) && app.has("terminationDeadline"))
                {
                    return app;
                }
            }
            return null;
        }
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Show an application instance's traffic and DNS rules.")
    static final class Rules implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        ServerOption server;

        @Parameters(index = "0", paramLabel = "ID", description = "The application instance's id.")
        String id;

        @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
        ClientOutput.Format format;

        @Override
        public Integer call() throws Exception
        {
            return ClientOutput.run(spec, () ->
            {
                final JsonNode app = server.client().get("apps/" + GetCommand.encode(id));
                final ObjectNode rules = ClientOutput.JSON.createObjectNode();
                rules.set("trafficRules", app.path("trafficRules").isArray() ? app.get("trafficRules")
                    : ClientOutput.JSON.createArrayNode());
                rules.set("dnsRules", app.path("dnsRules").isArray() ? app.get("dnsRules")
                    : ClientOutput.JSON.createArrayNode());
                final PrintWriter out = spec.commandLine().getOut();
                switch (format)
                {
                    case JSON -> out.println(ClientOutput.json(rules));
                    case YAML -> out.print(ClientOutput.yaml(rules));
                    default -> out.print(table(rules));
                }
                out.flush();
                return ExitCode.OK;
            });
        }

        private static String table(final JsonNode rules)
        {
            final java.util.List<java.util.List<String>> rows = new ArrayList<>();
            for (final JsonNode rule : rules.get("trafficRules"))
            {
                final java.util.List<String> destinations = new ArrayList<>();
                rule.path("trafficFilter").forEach(filter -> filter.path("dstAddress")
                    .forEach(address -> destinations.add(address.asText())));
                rows.add(java.util.List.of("traffic", rule.path("trafficRuleId").asText(),
                    rule.path("priority").asText(), rule.path("action").asText(),
                    destinations.isEmpty() ? "-" : String.join(",", destinations), rule.path("state").asText()));
            }
            for (final JsonNode rule : rules.get("dnsRules"))
            {
                rows.add(java.util.List.of("dns", rule.path("dnsRuleId").asText(), "-",
                    rule.path("ipAddress").asText(), rule.path("domainName").asText(), rule.path("state").asText()));
            }
            return ClientOutput.table(java.util.List.of("KIND", "ID", "PRIORITY", "ACTION/ADDRESS", "MATCH/DOMAIN",
                "STATE"), rows);
        }
    }
}
