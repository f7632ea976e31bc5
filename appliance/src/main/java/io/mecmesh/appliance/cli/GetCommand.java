package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh get slices|services|nodes|apps|state [NAME] [-o table|json|yaml]}: the desired state as the control
 * plane holds it. {@code -o yaml} of a list or of the state is a document {@code mecmesh apply -f} takes back.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Show slices, services, nodes, MEC apps or the whole desired state.")
final class GetCommand implements Callable<Integer>
{
    /** What {@code get} can show. */
    enum Kind
    {
        SLICES, SERVICES, NODES, APPS, STATE;

        String path()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Parameters(index = "0", paramLabel = "KIND", description = "slices, services, nodes, apps or state.")
    Kind kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
        description = "One object: a slice's S-NSSAI or name, a service's name, a node's or an app's id.")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
        description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
    ClientOutput.Format format;

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            if (kind == Kind.STATE && name != null)
            {
                throw new CommandFailedException(ExitCode.USAGE, "get state takes no NAME");
            }
            final ControlPlaneClient client = server.client();
            final PrintWriter out = spec.commandLine().getOut();
            if (kind == Kind.STATE)
            {
                printState(out, client.get("state"), format);
            }
            else if (name == null)
            {
                printList(out, kind, client.get(kind.path()).path("items"), format);
            }
            else
            {
                printOne(out, kind, client.get(kind.path() + "/" + encode(name)), format);
            }
            client.staleNotice().ifPresent(notice ->
            {
                final PrintWriter err = spec.commandLine().getErr();
                err.println(notice);
                err.flush();
            });
            return ExitCode.OK;
        });
    }

    static String encode(final String segment)
    {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static void printState(final PrintWriter out, final JsonNode state, final ClientOutput.Format format)
    {
        switch (format)
        {
            case JSON -> out.println(ClientOutput.json(state));
            case YAML ->
            {
                final ObjectNode document = state.deepCopy();
                document.remove("version");
                out.println("# version " + state.path("version").asLong());
                out.print(ClientOutput.yaml(document));
            }
            default ->
            {
                out.println("version " + state.path("version").asLong());
                for (final Kind each : List.of(Kind.SLICES, Kind.SERVICES, Kind.NODES))
                {
                    out.println();
                    out.print(table(each, state.path(each.path())));
                }
            }
        }
        out.flush();
    }

    static void printList(final PrintWriter out, final Kind kind, final JsonNode items,
        final ClientOutput.Format format)
    {
        final ObjectNode document = ClientOutput.JSON.createObjectNode();
        document.set(kind.path(), items);
        switch (format)
        {
            case JSON -> out.println(ClientOutput.json(document));
            case YAML -> out.print(ClientOutput.yaml(document));
            default -> out.print(items.isEmpty() ? "no " + kind.path() + System.lineSeparator() : table(kind, items));
        }
        out.flush();
    }

    static void printOne(final PrintWriter out, final Kind kind, final JsonNode item,
        final ClientOutput.Format format)
    {
        switch (format)
        {
            case JSON -> out.println(ClientOutput.json(item));
            case YAML -> out.print(ClientOutput.yaml(item));
            default ->
            {
                final List<JsonNode> one = List.of(item);
                out.print(table(kind, ClientOutput.JSON.valueToTree(one)));
            }
        }
        out.flush();
    }

    static String table(final Kind kind, final JsonNode items)
    {
        final List<List<String>> rows = new ArrayList<>();
        switch (kind)
        {
            case SLICES ->
            {
                for (final JsonNode slice : items)
                {
                    final JsonNode fiveQi = slice.path("fiveQi");
                    rows.add(List.of(slice.path("snssai").asText(), slice.path("name").asText(),
                        fiveQi.isObject() ? fiveQi.path("value").asText() + "*" : fiveQi.asText(),
                        slice.path("priorityLevel").asText(), slice.path("dscp").asText()));
                }
                return ClientOutput.table(List.of("SNSSAI", "NAME", "5QI", "PRIORITY", "DSCP"), rows);
            }
            case SERVICES ->
            {
                for (final JsonNode service : items)
                {
                    final List<String> endpoints = new ArrayList<>();
                    service.path("endpoints").forEach(endpoint -> endpoints.add(endpoint.path("address").asText()
                        + ":" + endpoint.path("port").asText()));
                    final List<String> routes = new ArrayList<>();
                    service.path("routes").forEach(route -> routes.add(route.path("host").asText()
                        + route.path("pathPrefix").asText()));
                    rows.add(List.of(service.path("name").asText(), service.path("slice").asText(),
                        String.join(",", endpoints), String.join(",", routes),
                        service.path("timeouts").path("requestTimeoutMs").asText()));
                }
                return ClientOutput.table(List.of("NAME", "SLICE", "ENDPOINTS", "ROUTES", "TIMEOUT-MS"), rows);
            }
            case APPS ->
            {
                for (final JsonNode app : items)
                {
                    rows.add(List.of(app.path("id").asText(), app.path("name").asText(), app.path("node").asText(),
                        app.path("slice").asText(), String.valueOf(app.path("trafficRules").size()),
                        String.valueOf(app.path("dnsRules").size()), String.valueOf(app.path("services").size())));
                }
                return ClientOutput.table(List.of("ID", "NAME", "NODE", "SLICE", "TRAFFIC-RULES", "DNS-RULES",
                    "SERVICES"), rows);
            }
            default ->
            {
                for (final JsonNode node : items)
                {
                    final List<String> services = new ArrayList<>();
                    node.path("services").forEach(service -> services.add(service.asText()));
                    rows.add(List.of(node.path("id").asText(), node.path("site").asText(), node.path("zone").asText(),
                        services.isEmpty() ? "-" : String.join(",", services)));
                }
                return ClientOutput.table(List.of("ID", "SITE", "ZONE", "SERVICES"), rows);
            }
        }
    }
}
