package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mecmesh proxy-config}: what an appliance's data plane runs now (its admin endpoint's {@code /config_dump}):
 * listeners, routes and clusters as tables, or the whole dump as JSON or YAML. On an edge with a control plane this
 * is the file's static configuration merged with the last compiled one, with its version. {@code dns} shows the
 * records the node's MEC DNS responder answers (its admin endpoint's {@code /dns}).
 */
@Command(name = "proxy-config", mixinStandardHelpOptions = true,
    description = "Show what a data plane runs: listeners, routes, clusters, DNS (admin endpoint).")
final class ProxyConfigCommand implements Callable<Integer>
{
    /** The environment variable that sets the default admin endpoint. */
    static final String VARIABLE = "MECMESH_ADMIN";
    /** The default without the variable: the admin endpoint of {@code mecmesh run} on this host. */
    static final String DEFAULT = "http://127.0.0.1:15000";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "WHAT", defaultValue = "all",
        description = "listeners, routes, clusters, slices, all (default) or dns (not part of all).")
    String what;

    @Option(names = "--admin", paramLabel = "URL", defaultValue = "${env:" + VARIABLE + ":-" + DEFAULT + "}",
        description = "The appliance's admin endpoint (default: $" + VARIABLE + ", else " + DEFAULT + ").")
    String admin;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
        description = "table, json or yaml (default: table; json and yaml print the whole dump).")
    String output;

    @Override
    public Integer call() throws Exception
    {
        return ClientOutput.run(spec, () ->
        {
            final String kind = what.toLowerCase(Locale.ROOT);
            if (!List.of("listeners", "routes", "clusters", "slices", "all", "dns").contains(kind))
            {
                throw new CommandFailedException(ExitCode.USAGE, "WHAT: expected listeners, routes, clusters, slices, "
                    + "all or dns, got \"" + what + "\"");
            }
            final String format = output.toLowerCase(Locale.ROOT);
            if (!List.of("table", "json", "yaml").contains(format))
            {
                throw new CommandFailedException(ExitCode.USAGE, "--output: expected table, json or yaml, got \""
                    + output + "\"");
            }
            final JsonNode dump = fetch("dns".equals(kind) ? "dns" : "config_dump");
            final PrintWriter out = spec.commandLine().getOut();
            if ("json".equals(format))
            {
                out.print(ClientOutput.json(dump));
                out.flush();
                return ExitCode.OK;
            }
            if ("yaml".equals(format))
            {
                out.print(ClientOutput.yaml(dump));
                out.flush();
                return ExitCode.OK;
            }
            out.println("version " + dump.path("version").asLong());
            if ("dns".equals(kind))
            {
                out.print(dns(dump));
            }
            if ("all".equals(kind) || "listeners".equals(kind))
            {
                out.print(listeners(dump.path("listeners")));
            }
            if ("all".equals(kind) || "routes".equals(kind))
            {
                out.print(routes(dump.path("routes")));
            }
            if ("all".equals(kind) || "clusters".equals(kind))
            {
                out.print(clusters(dump.path("clusters")));
            }
            if ("all".equals(kind) || "slices".equals(kind))
            {
                out.print(slices(dump.path("qos"), dump.path("slices")));
            }
            out.flush();
            return ExitCode.OK;
        });
    }

    private JsonNode fetch(final String page)
    {
        final URI uri;
        try
        {
            uri = URI.create(admin.endsWith("/") ? admin : admin + "/").resolve(page);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandFailedException(ExitCode.USAGE, "--admin: expected a URL such as " + DEFAULT + ", got \""
                + admin + "\"");
        }
        final HttpResponse<byte[]> response;
        try
        {
            response = HttpClient.newBuilder().connectTimeout(TIMEOUT).build().send(
                HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "cannot reach the admin endpoint " + admin + " ("
                + ClientOutput.hostPort(uri) + "): " + ClientOutput.reason(ex));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "interrupted");
        }
        if (response.statusCode() != 200)
        {
            throw new CommandFailedException(ExitCode.FAILURE, uri + ": HTTP " + response.statusCode()
                + ("dns".equals(page) ? " (the appliance runs no MEC DNS responder: no dns section in its "
                + "appliance.yaml, or role control)"
                : " (an appliance without a data plane, such as role control, has no configuration to show)"));
        }
        try
        {
            final JsonNode dump = ClientOutput.JSON.readTree(response.body());
            if (dump == null || !dump.isObject())
            {
                throw new CommandFailedException(ExitCode.FAILURE, uri + ": no configuration (the data plane runs "
                    + "none)");
            }
            return dump;
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.FAILURE, uri + ": not JSON: " + ex.getMessage());
        }
    }

    /**
     * Each slice as the node runs it: its QoS settings and each of its policy records (route 0: the slice default).
     */
    private static String slices(final JsonNode qos, final JsonNode slices)
    {
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode slice : slices)
        {
            final String gbr = slice.path("gbrUplinkBps").asLong() + slice.path("gbrDownlinkBps").asLong() == 0 ? "-"
                : slice.path("gbrUplinkBps").asLong() + "/" + slice.path("gbrDownlinkBps").asLong();
            final String requests = slice.path("requestsPerSecond").asLong() == 0 ? "-"
                : slice.path("requestsPerSecond").asText();
            final String mode = slice.path("mode").asText() + ("shape".equals(slice.path("mode").asText())
                ? " " + slice.path("maxShapingWaitMs").asLong() + "ms" : "");
            final JsonNode records = slice.path("records");
            if (records.isEmpty())
            {
                rows.add(List.of(slice.path("slice").asText(), "-", mode, requests, gbr, "-", "-", "-", "-", "-"));
            }
            for (final JsonNode record : records)
            {
                rows.add(List.of(slice.path("slice").asText(), record.path("routeId").asText(), mode, requests, gbr,
                    record.path("priorityLevel").asText(), record.path("dscp").asText(),
                    bitsPerSecond(record.path("uplinkRateBytesPerSecond").asLong()) + "/"
                        + bitsPerSecond(record.path("downlinkRateBytesPerSecond").asLong()),
                    record.path("burstBytes").asText(), record.path("requestTimeoutMs").asText() + "ms"));
            }
        }
        return "qos linkCapacityBps " + qos.path("linkCapacityBps").asLong() + ", GBR admitted "
            + qos.path("admittedGbrBps").asLong() + " bps\n"
            + ClientOutput.table(List.of("SLICE", "ROUTE", "MODE", "REQ/S", "GBR UL/DL BPS", "PRIORITY", "DSCP",
            "MBR UL/DL BPS", "BURST", "TIMEOUT"), rows);
    }

    /** The MEC DNS responder's address and upstreams, then each record it answers. */
    private static String dns(final JsonNode dns)
    {
        final List<String> upstreams = new ArrayList<>();
        dns.path("upstreams").forEach(upstream -> upstreams.add(upstream.asText()));
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode record : dns.path("records"))
        {
            rows.add(List.of(record.path("name").asText(), record.path("type").asText(),
                record.path("address").asText(), record.path("ttl").asText(), record.path("source").asText()));
        }
        return "dns " + dns.path("address").asText() + ", upstreams "
            + (upstreams.isEmpty() ? "none (other names refused)" : String.join(", ", upstreams)) + "\n"
            + ClientOutput.table(List.of("NAME", "TYPE", "ADDRESS", "TTL", "SOURCE"), rows);
    }

    private static String bitsPerSecond(final long bytesPerSecond)
    {
        return bytesPerSecond == 0 ? "-" : Long.toString(bytesPerSecond * 8);
    }

    private static String listeners(final JsonNode listeners)
    {
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode listener : listeners)
        {
            final JsonNode tls = listener.path("tls");
            rows.add(List.of(listener.path("name").asText(), listener.path("address").asText() + ":"
                + listener.path("port").asInt(), present(listener.path("tcpCluster")) ? "tcp → "
                + listener.path("tcpCluster").asText() : "http",
                present(tls) ? tls.path("mode").asText().toLowerCase(Locale.ROOT) : "-"));
        }
        return ClientOutput.table(List.of("LISTENER", "ADDRESS", "PROTOCOL", "TLS"), rows);
    }

    private static String routes(final JsonNode routes)
    {
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode route : routes)
        {
            final JsonNode match = route.path("match");
            final JsonNode path = match.path("path");
            final JsonNode action = route.path("action");
            final String to = switch (action.path("type").asText())
            {
                case "Forward" ->
                {
                    final List<String> clusters = new ArrayList<>();
                    for (final JsonNode cluster : action.path("clusters"))
                    {
                        clusters.add(cluster.path("cluster").asText() + (action.path("clusters").size() > 1
                            ? " (" + cluster.path("weight").asInt() + ")" : ""));
                    }
                    yield "→ " + String.join(", ", clusters);
                }
                case "Respond" -> "respond " + action.path("status").asInt();
                case "Redirect" -> "redirect " + action.path("status").asInt();
                default -> action.path("type").asText();
            };
            final JsonNode authorization = route.path("authorization");
            final int rules = authorization.path("allow").size() + authorization.path("deny").size();
            rows.add(List.of(route.path("name").asText(), match.path("authority").asText(),
                path.path("kind").asText().toLowerCase(Locale.ROOT) + " " + path.path("value").asText(), to,
                rules == 0 ? "-" : rules + " rules"));
        }
        return ClientOutput.table(List.of("ROUTE", "HOST", "PATH", "ACTION", "AUTHZ"), rows);
    }

    private static String clusters(final JsonNode clusters)
    {
        final List<List<String>> rows = new ArrayList<>();
        for (final JsonNode cluster : clusters)
        {
            final List<String> endpoints = new ArrayList<>();
            for (final JsonNode endpoint : cluster.path("endpoints"))
            {
                endpoints.add(endpoint.path("host").asText() + ":" + endpoint.path("port").asInt());
            }
            final JsonNode tls = cluster.path("tls");
            rows.add(List.of(cluster.path("name").asText(), cluster.path("protocol").asText().toLowerCase(Locale.ROOT),
                cluster.path("lbPolicy").asText().toLowerCase(Locale.ROOT), String.join(", ", endpoints),
                present(tls) ? "mtls, peer " + tls.path("expectedPeer").asText() : "-"));
        }
        return ClientOutput.table(List.of("CLUSTER", "PROTOCOL", "LB", "ENDPOINTS", "TLS"), rows);
    }

    private static boolean present(final JsonNode node)
    {
        return !node.isMissingNode() && !node.isNull();
    }
}
