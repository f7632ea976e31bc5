package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command of README.md's command table, run as an operator runs it: through the installed launcher
 * ({@code packaging/target/mecmesh/bin/mecmesh}), each in its own JVM, against a live appliance of role {@code all}
 * (control plane and data plane, started with {@code mecmesh run}) and the demo. Each must exit as documented and
 * print something well formed: JSON that parses, YAML that parses, tables with their header. The tests that drove
 * the commands in-process never saw that {@code print} without a flush prints nothing from the launcher.
 *
 * <p>The command table is read from README.md: a row added there without a run here fails this test.
 */
class CommandTableConformanceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern ROW = Pattern.compile("^\\| (`mecmesh.*?) \\| .*\\|$");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern OPTIONAL = Pattern.compile("\\[[^\\]]*\\](\\.\\.\\.)?");
    private static final Pattern PLACEHOLDER = Pattern.compile("[A-Z][A-Z0-9_]*(\\.[a-z]+)?");
    private static final String CA_PASSPHRASE = "conformance-root-passphrase";
    private static final String SITE_PASSPHRASE = "conformance-site-passphrase";

    @TempDir
    Path dir;

    private final SoftAssertions softly = new SoftAssertions();
    private final List<List<String>> ran = new ArrayList<>();
    private String server;

    /** What a command prints on standard output. */
    private enum Output
    {
        /** Lines of text. */
        TEXT,
        /** One JSON document. */
        JSON,
        /** One YAML document. */
        YAML,
        /** A table: one of its lines is the header given with the expectation. */
        TABLE
    }

    @Test
    void shouldRunEveryCommandOfTheReadmeTableThroughTheLauncherWithWellFormedOutput() throws Exception
    {
        final int[] ports = FreePorts.take(6);
        final int admin = ports[0];
        server = "https://127.0.0.1:" + ports[2];
        final Path data = dir.resolve("data");
        final Path apiCa = dir.resolve("api-ca");
        final Path passphrase = Files.writeString(dir.resolve("api-ca.pass"), CA_PASSPHRASE);
        final String yaml = """
            role: all
            node: {id: edge-a, site: site-a, zone: zone-1}
            dataDirectory: %s
            admin: {address: 127.0.0.1, port: %d}
            controlPlane: {address: 127.0.0.1, api: {port: %d}, configPort: %d, ackPort: %d}
            ca: {directory: %s, passphraseFile: %s}
            accessLog: {enabled: true}
            dns: {port: %d}
            dataplane:
              listeners:
                - {name: ingress, address: 127.0.0.1, port: %d}
            """.formatted(data, admin, ports[2], ports[3], ports[4], apiCa, passphrase, ports[5], ports[1]);
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9}
            services:
              - name: video
                slice: 1-000001
                endpoints: [{address: 127.0.0.1, port: %d, site: site-a, zone: zone-1}]
                routes: [{host: video.example}]
            nodes:
              - {id: edge-a, site: site-a, zone: zone-1, services: [video]}
            """.formatted(ports[1]));
        final Path service = Files.writeString(dir.resolve("service.yaml"), """
            name: cdn
            slice: 1-000001
            endpoints: [{address: 127.0.0.1, port: %d, site: site-a, zone: zone-1}]
            routes: [{host: cdn.example}]
            """.formatted(ports[1]));
        final Path app = Files.writeString(dir.resolve("app.yaml"), """
            id: app-1
            name: video-analytics
            node: edge-a
            slice: 1-000001
            spiffeId: spiffe://mesh.test/app/video-analytics
            trafficRules:
              - {trafficRuleId: r1, filterType: FLOW, priority: 0, trafficFilter: [{dstAddress: [192.0.2.10/32]}],
                 action: DROP, state: INACTIVE}
            dnsRules:
              - {dnsRuleId: d1, domainName: video.example, ipAddressType: IP_V4, ipAddress: 192.0.2.10, ttl: 30,
                 state: ACTIVE}
            """);

        runOffline(Output.TEXT, null, "--version");
        runOffline(Output.TEXT, null, "--help");
        runOffline(Output.TEXT, null, "help", "status");
        runCertificateCommands();
        // The control plane's CA (its API is TLS) and the admin certificate every control-plane command presents.
        runOffline(Output.TEXT, null, "cert", "init", "--trust-domain", "api.test", "--dir", apiCa.toString());
        runOffline(Output.TEXT, null, "cert", "issue", "--ca-dir", apiCa.toString(), "--operator", "tester", "--role",
            "admin", "--out", dir.resolve("admin").toString());
        for (final String role : List.of("viewer", "operator"))
        {
            runOffline(Output.TEXT, null, "cert", "issue", "--ca-dir", apiCa.toString(), "--operator", role, "--role",
                role, "--out", dir.resolve("as-" + role).toString());
        }

        try (ApplianceProcess appliance = ApplianceProcess.start(dir, "all", admin, yaml))
        {
            appliance.awaitLive();   // its edge part is ready once it runs a configuration: after the apply
            ran.add(List.of("run", "--config", "all.yaml"));
            runOffline(Output.TEXT, null, "run", "--config", "all.yaml", "--check");
            runOffline(Output.TEXT, null, "check", "--config", "all.yaml", "-f", document.toString());

            atControlPlane(Output.TEXT, null, "apply", "-f", document.toString(), "--dry-run", "--diff");
            atControlPlane(Output.TEXT, null, "apply", "-f", document.toString());
            atControlPlane(Output.TABLE, "SNSSAI", "get", "slices");
            atControlPlane(Output.JSON, null, "get", "slices", "embb", "-o", "json");
            atControlPlane(Output.TABLE, "NAME", "get", "services");
            atControlPlane(Output.YAML, null, "get", "services", "-o", "yaml");
            atControlPlane(Output.TABLE, "ID", "get", "nodes");
            atControlPlane(Output.JSON, null, "get", "nodes", "-o", "json");
            final Launcher.Result state = atControlPlane(Output.YAML, null, "get", "state", "-o", "yaml");
            final Path fedBack = Files.writeString(dir.resolve("state.yaml"), state.out());
            atControlPlane(Output.TEXT, null, "apply", "-f", fedBack.toString(), "--prune");

            atControlPlane(Output.TEXT, null, "slice", "create", "--snssai", "2-000002", "--name", "urllc",
                "--5qi", "82");
            atControlPlane(Output.YAML, null, "slice", "get", "urllc");
            atControlPlane(Output.TABLE, "SNSSAI", "slice", "list");
            atControlPlane(Output.TEXT, null, "slice", "delete", "urllc");
            atControlPlane(Output.TEXT, null, "service", "create", "-f", service.toString());
            atControlPlane(Output.YAML, null, "service", "get", "cdn");
            atControlPlane(Output.TABLE, "NAME", "service", "list");
            atControlPlane(Output.TEXT, null, "service", "delete", "cdn");
            atControlPlane(Output.TEXT, null, "app", "create", "-f", app.toString());
            atControlPlane(Output.YAML, null, "app", "get", "app-1");
            atControlPlane(Output.TABLE, "ID", "app", "list");
            atControlPlane(Output.TABLE, "KIND", "app", "rules", "app-1");
            atControlPlane(Output.TABLE, "ID", "get", "apps");
            final Launcher.Result apps = atControlPlane(Output.YAML, null, "get", "apps", "-o", "yaml");
            final String before = atControlPlane(Output.YAML, null, "app", "get", "app-1").out();
            atControlPlane(Output.TEXT, null, "app", "delete", "app-1");
            atControlPlane(Output.TEXT, null, "apply", "-f", Files.writeString(dir.resolve("apps.yaml"), apps.out())
                .toString());
            softly.assertThat(atControlPlane(Output.YAML, null, "app", "get", "app-1").out())
                .as("get apps -o yaml applied back gives the same app").isEqualTo(before).contains("r1").contains("d1");

            atControlPlane(Output.TABLE, "NODE", "status");
            atControlPlane(Output.JSON, null, "status", "-o", "json");
            atControlPlane(Output.TABLE, "SEQ", "journal", "tail", "--after", "0", "--limit", "10");
            atControlPlane(Output.TEXT, null, "journal", "compact");
            atControlPlane(Output.TEXT, null, "node", "token", "create", "edge-a", "--ttl", "10m");
            runOffline(Output.TEXT, null, "cert", "signing-key", "--ca-dir", apiCa.toString());

            final String adminUrl = "http://127.0.0.1:" + admin;
            atAdmin(Output.TEXT, null, "proxy-config", "--admin", adminUrl);
            atAdmin(Output.TABLE, "LISTENER", "proxy-config", "listeners", "--admin", adminUrl);
            atAdmin(Output.TABLE, "ROUTE", "proxy-config", "routes", "--admin", adminUrl);
            atAdmin(Output.TABLE, "CLUSTER", "proxy-config", "clusters", "--admin", adminUrl);
            atAdmin(Output.JSON, null, "proxy-config", "--admin", adminUrl, "-o", "json");
            atAdmin(Output.YAML, null, "proxy-config", "--admin", adminUrl, "-o", "yaml");
            atAdmin(Output.TABLE, "NAME", "proxy-config", "dns", "--admin", adminUrl);
            atAdmin(Output.TEXT, null, "diagnose", "--config", "all.yaml", "-o", dir.resolve("diag.tar.gz").toString());
            // A request no route takes: the route stage answers 404 and the access log has it.
            Http.get(ports[1], "/not-routed");
            Processes.await(Duration.ofSeconds(30), () -> logsPrint404(), () -> "mecmesh logs shows the 404");
            runOffline(Output.TEXT, null, "logs", "--config", "all.yaml", "--status", "404", "--since", "1h");
        }
        runOffline(Output.TEXT, null, "journal", "replay", "--data-dir", data.resolve("control").toString());
        runDemo();

        softly.assertThat(missingFromThisTest()).as("README command-table rows this test does not run").isEmpty();
        softly.assertAll();
    }

    private boolean logsPrint404()
    {
        try
        {
            return Launcher.run(dir, "logs", "--config", "all.yaml", "--status", "404").out().contains(" 404 ");
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private void runCertificateCommands() throws IOException, InterruptedException
    {
        final String ca = dir.resolve("ca").toString();
        final String svid = dir.resolve("svid").toString();
        runOffline(Output.TEXT, null, "cert", "init", "--trust-domain", "mesh.test", "--dir", ca);
        runOffline(Output.TEXT, null, "cert", "issue", "--ca-dir", ca, "--spiffe-id", "spiffe://mesh.test/w1",
            "--out", svid);
        runOffline(Output.TEXT, null, "cert", "verify", "--bundle", ca + "/bundle.pem", "--chain",
            svid + "/svid.pem", "--spiffe-id", "spiffe://mesh.test/w1");
        runOffline(Output.TEXT, null, "cert", "inspect", svid + "/svid.pem");
        final Launcher.Result bundle = runOffline(Output.TEXT, null, "cert", "bundle", "--ca-dir", ca);
        softly.assertThat(bundle.out()).as("cert bundle prints PEM").startsWith("-----BEGIN CERTIFICATE-----");
        runOffline(Output.TEXT, null, "cert", "intermediate", "--ca-dir", ca, "--site", "site-a", "--out",
            dir.resolve("site-a").toString());
        runOffline(Output.TEXT, null, "cert", "rotate", "--ca-dir", ca);
        runOffline(Output.TABLE, "SERIAL", "cert", "issued", "--ca-dir", ca);
        runOffline(Output.TEXT, null, "cert", "rotate", "--ca-dir", ca, "--finish");
    }

    private void runDemo() throws Exception
    {
        final Process demo = Launcher.command(dir, "demo", "--proxy-port", "0", "--admin-port", "0")
            .redirectError(dir.resolve("demo.err").toFile()).start();
        try
        {
            final List<String> printed = DemoConformanceTest.readUntilCtrlCHint(demo);
            ran.add(List.of("demo", "--proxy-port", "0", "--admin-port", "0"));
            softly.assertThat(printed).as("demo's output").anyMatch(line -> line.startsWith("mecmesh demo: "))
                .anyMatch(line -> line.startsWith("Press Ctrl-C"));
        }
        finally
        {
            Processes.stop(demo);
        }
    }

    /**
     * The environment and options every control-plane command gets: the one place that says how this test reaches
     * the control plane's API (for example client certificates once the API asks for them).
     *
     * @param args the command's own arguments.
     * @return the command line after {@code mecmesh}.
     */
    private String[] controlPlaneArgs(final String... args)
    {
        return Stream.concat(Arrays.stream(args), Stream.of("--server", server)).toArray(String[]::new);
    }

    /**
     * @return the environment variables of every control-plane command (see {@link #controlPlaneArgs}).
     */
    private Map<String, String> controlPlaneEnvironment()
    {
        final Path operator = dir.resolve("admin");
        return Map.of("MECMESH_CLIENT_CERT", operator.resolve("client.pem").toString(),
            "MECMESH_CLIENT_KEY", operator.resolve("client-key.pem").toString(),
            "MECMESH_CA_BUNDLE", operator.resolve("ca.pem").toString());
    }

    private Launcher.Result atControlPlane(final Output output, final String header, final String... args)
        throws IOException, InterruptedException
    {
        return expect(controlPlaneEnvironment(), output, header, controlPlaneArgs(args));
    }

    private Launcher.Result atAdmin(final Output output, final String header, final String... args)
        throws IOException, InterruptedException
    {
        return expect(Map.of(), output, header, args);
    }

    private Launcher.Result runOffline(final Output output, final String header, final String... args)
        throws IOException, InterruptedException
    {
        return expect(Map.of("MECMESH_CA_PASSPHRASE", CA_PASSPHRASE, "MECMESH_SITE_CA_PASSPHRASE", SITE_PASSPHRASE),
            output, header, args);
    }

    /** Runs one command, expects exit 0 and well-formed, non-empty output; records the failure and goes on. */
    private Launcher.Result expect(final Map<String, String> environment, final Output output, final String header,
        final String... args) throws IOException, InterruptedException
    {
        final Launcher.Result result = Launcher.run(dir, environment, args);
        ran.add(List.of(args));
        final String command = "mecmesh " + String.join(" ", args);
        softly.assertThat(result.exitCode()).as(command + " exit code; stderr: " + result.err()).isZero();
        softly.assertThat(result.out()).as(command + " output").isNotBlank();
        switch (output)
        {
            case JSON -> softly.assertThat(parses(JSON, result.out())).as(command + " prints JSON: " + result.out())
                .isTrue();
            case YAML -> softly.assertThat(parses(YAML, result.out())).as(command + " prints YAML: " + result.out())
                .isTrue();
            case TABLE -> softly.assertThat(result.out().lines())
                .as(command + " prints a table with its header (after a version line at most)")
                .anyMatch(line -> line.startsWith(header + " "));
            default ->
            {
            }
        }
        return result;
    }

    private static boolean parses(final ObjectMapper mapper, final String text)
    {
        try
        {
            final JsonNode tree = mapper.readTree(text);
            return tree != null && (tree.isObject() || tree.isArray());
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * @return the commands of README.md's table (each alternative of {@code a|b}, options in brackets left out) that
     *     no command run here matches.
     */
    private Set<String> missingFromThisTest() throws IOException
    {
        final Set<String> missing = new LinkedHashSet<>();
        final List<List<String>> documented = readmeCommands();
        assertThat(documented).as("commands read from README.md's table").hasSizeGreaterThan(20);
        for (final List<String> command : documented)
        {
            if (ran.stream().noneMatch(args -> containsInOrder(args, command)))
            {
                missing.add(String.join(" ", command));
            }
        }
        return missing;
    }

    static List<List<String>> readmeCommands() throws IOException
    {
        final List<List<String>> commands = new ArrayList<>();
        for (final String line : Files.readAllLines(Readme.path()))
        {
            final Matcher row = ROW.matcher(line);
            if (!row.matches())
            {
                continue;
            }
            final Matcher code = CODE.matcher(row.group(1));
            while (code.find())
            {
                final String text = OPTIONAL.matcher(code.group(1).replace("\\|", "|")).replaceAll(" ");
                List<List<String>> expanded = List.of(List.of());
                for (final String token : text.trim().split("\\s+"))
                {
                    if ("mecmesh".equals(token) || PLACEHOLDER.matcher(token).matches())
                    {
                        continue;
                    }
                    final List<List<String>> next = new ArrayList<>();
                    for (final List<String> prefix : expanded)
                    {
                        for (final String alternative : token.split("\\|"))
                        {
                            final List<String> longer = new ArrayList<>(prefix);
                            longer.add(alternative);
                            next.add(longer);
                        }
                    }
                    expanded = next;
                }
                commands.addAll(expanded);
            }
        }
        return commands;
    }

    private static boolean containsInOrder(final List<String> args, final List<String> words)
    {
        int next = 0;
        for (final String arg : args)
        {
            if (next < words.size() && arg.equals(words.get(next)))
            {
                next++;
            }
        }
        return next == words.size();
    }
}
