package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mecmesh diagnose} through the installed launcher (issue 16, item 8): the bundle is unpacked with the real
 * {@code tar}, holds what a support case needs, and no secret of the configuration appears in any of its files.
 */
class DiagnoseConformanceTest
{
    /** Inline secrets an operator could put in appliance.yaml: a bearer token set on forwarded requests, an API key a
     * route matches on, and a password in a URL. */
    private static final String BEARER = "s3cr3t-bearer-token-4f1d";
    private static final String API_KEY = "ak-9c2e7d7fd0b1";
    private static final String URL_PASSWORD = "pw-7e2a19";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldBundleRedactedConfigurationDumpMetricsAndVersionsOfARunningAppliance() throws Exception
    {
        final int[] ports = FreePorts.take(2);
        try (EchoBackend backend = new EchoBackend("app");
             ApplianceProcess appliance = ApplianceProcess.start(dir, "edge", ports[0], yaml(ports, backend.port())))
        {
            appliance.awaitReady();
            assertThat(Http.getVia(ports[1], "app.example", "/")).startsWith("200");

            final Path bundle = dir.resolve("support.tar.gz");
            final Launcher.Result result = Launcher.run(dir, "diagnose", "--config",
                dir.resolve("edge.yaml").toString(), "-o", bundle.toString());

            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).contains("wrote " + bundle).doesNotContain("missing: metrics");
            final Map<String, String> files = unpack(bundle);
            assertThat(files.keySet()).contains("MANIFEST.txt", "appliance.yaml", "config_dump.json", "metrics.txt",
                "ready.txt", "errors.txt", "versions.txt", "check.txt");
            assertThat(files.get("metrics.txt")).contains("mecmesh_build_info", "mecmesh_responses_total");
            assertThat(files.get("config_dump.json")).contains("\"app\"", "REDACTED");
            assertThat(files.get("appliance.yaml")).contains("node", "REDACTED", "http://REDACTED@127.0.0.1");
            assertThat(files.get("ready.txt")).isNotBlank();
            assertThat(files.get("versions.txt"))
                .contains("mecmesh: ", "java: 17", "os: Linux", "netty transport epoll");
            assertThat(files.get("check.txt")).contains("mecmesh check --config", "(exit 0)", "0 errors");
            assertThat(files.get("MANIFEST.txt")).contains("appliance.yaml: dataplane.routes[1].requestHeaders.set"
                + ".authorization", "appliance.yaml: dataplane.routes[0].headers[0].exact",
                "config_dump.json: routes[1].requestHeaders.set.authorization");
            assertNoSecretIn(files);
        }
    }

    @Test
    void shouldWriteWhatItCanAndNameWhatIsMissingWhenTheApplianceIsNotRunning() throws Exception
    {
        final int[] ports = FreePorts.take(2);
        final Path config = Files.writeString(dir.resolve("edge.yaml"), yaml(ports, 9));
        final Path bundle = dir.resolve("offline.tar.gz");

        final Launcher.Result result = Launcher.run(dir, "diagnose", "-c", config.toString(), "-o", bundle.toString());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("missing: config_dump: the admin endpoint http://127.0.0.1:" + ports[0]
            + "/config_dump is not reachable (connection refused)", "missing: metrics", "wrote " + bundle);
        final Map<String, String> files = unpack(bundle);
        assertThat(files.keySet()).contains("MANIFEST.txt", "appliance.yaml", "versions.txt", "check.txt")
            .doesNotContain("metrics.txt", "config_dump.json");
        assertThat(files.get("MANIFEST.txt")).contains("missing:", "config_dump: the admin endpoint");
        assertNoSecretIn(files);
    }

    @Test
    void shouldExitWithFailureNamingTheFileWhenTheBundleCannotBeWritten() throws Exception
    {
        final int[] ports = FreePorts.take(2);
        final Path config = Files.writeString(dir.resolve("edge.yaml"), yaml(ports, 9));

        final Launcher.Result result = Launcher.run(dir, "diagnose", "-c", config.toString(), "-o",
            dir.resolve("no-such-dir/b.tar.gz").toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err().strip()).startsWith("mecmesh: " + dir.resolve("no-such-dir/b.tar.gz")
            + ": cannot write the bundle");
    }

    private String yaml(final int[] ports, final int backendPort)
    {
        return """
            role: edge
            node: {id: edge-d, site: site-a, zone: zone-1}
            dataDirectory: %s
            admin: {address: 127.0.0.1, port: %d}
            dataplane:
              listeners:
                - {name: ingress, address: 127.0.0.1, port: %d}
              clusters:
                - {name: app, endpoints: ["127.0.0.1:%d"]}
                - {name: audit, endpoints: ["127.0.0.1:9"]}
              routes:
                - name: keyed
                  host: app.example
                  headers: [{name: x-api-key, exact: "%s"}]
                  cluster: audit
                - name: app
                  host: app.example
                  cluster: app
                  requestHeaders: {set: {authorization: "Bearer %s"}}
                  responseHeaders: {set: {x-upstream: "http://ops:%s@127.0.0.1/"}}
            """.formatted(dir.resolve("data"), ports[0], ports[1], backendPort, API_KEY, BEARER, URL_PASSWORD);
    }

    /** Unpacks with the real tar and reads every file, by name below the bundle's one top directory. */
    private Map<String, String> unpack(final Path bundle) throws Exception
    {
        final Path into = Files.createDirectories(dir.resolve("unpacked-" + bundle.getFileName()));
        final Processes.Result tar = Processes.exec(dir, Duration.ofSeconds(30), "tar", "-xzf", bundle.toString(),
            "-C", into.toString());
        assertThat(tar.exitCode()).as(tar.output()).isZero();
        final List<Path> tops;
        try (Stream<Path> list = Files.list(into))
        {
            tops = list.toList();
        }
        assertThat(tops).as("one top directory").hasSize(1);
        assertThat(tops.get(0).getFileName().toString()).startsWith("mecmesh-diagnose-edge-d-");
        final Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(tops.get(0)))
        {
            for (final Path file : walk.filter(Files::isRegularFile).toList())
            {
                files.put(tops.get(0).relativize(file).toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return files;
    }

    private static void assertNoSecretIn(final Map<String, String> files)
    {
        files.forEach((name, text) -> assertThat(text).as(name).doesNotContain(BEARER, API_KEY, URL_PASSWORD));
    }
}
