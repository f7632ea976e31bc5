package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log through the installed launcher (issue 16 item 4): an edge with {@code accessLog.enabled} serves
 * 200s from a real backend and answers 502 itself for a route whose backend is down; {@code mecmesh logs} reads
 * them back, filtered by status class and slice, while the edge runs ({@code -f} too) and after it stopped.
 */
class AccessLogConformanceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldListTheRequestsOfAStatusClassAndSliceWhileRunningAndAfterStopping() throws Exception
    {
        final Path dataDir = Files.createDirectories(dir.resolve("data"));
        try (EchoBackend backend = new EchoBackend())
        {
            // 0 admin, 1 listener, 2 a port nothing listens on (the dead backend)
            final int[] ports = FreePorts.take(3);
            final String yaml = """
                node: {id: edge-log}
                dataDirectory: %s
                admin: {address: 127.0.0.1, port: %d}
                accessLog: {enabled: true, retentionHours: 2, maxBytes: 104857600}
                dataplane:
                  listeners:
                    - {name: ingress, address: 127.0.0.1, port: %d}
                  clusters:
                    - {name: app, endpoints: ["127.0.0.1:%d"]}
                    - {name: dead, endpoints: ["127.0.0.1:%d"]}
                  routes:
                    - {name: down, host: "*", pathPrefix: /down, cluster: dead}
                    - {name: web, host: "*", cluster: app}
                  slices:
                    - snssai: 1-000001
                      name: video
                      fiveQi: 9
                      bitRates: {mbrDownlinkBps: 1000000000}
                      classification: [{header: {name: x-slice, value: video}}]
                """.formatted(dataDir, ports[0], ports[1], backend.port(), ports[2]);
            final Path config = dir.resolve("edge.yaml");
            try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge", ports[0], yaml))
            {
                edge.awaitReady();
                for (int i = 0; i < 4; i++)
                {
                    assertThat(Http.get(ports[1], "/ok/" + i, "x-slice", "video").statusCode()).isEqualTo(200);
                }
                assertThat(Http.get(ports[1], "/plain").statusCode()).isEqualTo(200);
                for (int i = 0; i < 3; i++)
                {
                    assertThat(Http.get(ports[1], "/down/" + i).statusCode()).isEqualTo(502);
                }

                final List<JsonNode> failed = awaitLines(3, "--config", config.toString(), "-o", "json",
                    "--status", "5xx");
                assertThat(failed).allSatisfy(line ->
                {
                    assertThat(line.path("status").asInt()).isEqualTo(502);
                    assertThat(line.path("route").asText()).isEqualTo("down");
                    assertThat(line.path("endpoint").asText()).isEqualTo("127.0.0.1:" + ports[2]);
                    assertThat(line.path("flags").toString()).contains("\"local\"");
                    assertThat(line.path("slice").asText()).isEqualTo("unclassified");
                });

                final List<JsonNode> video = awaitLines(4, "--config", config.toString(), "-o", "json",
                    "--slice", "1-000001");
                assertThat(video).allSatisfy(line ->
                {
                    assertThat(line.path("status").asInt()).isEqualTo(200);
                    assertThat(line.path("route").asText()).isEqualTo("web");
                    assertThat(line.path("endpoint").asText()).isEqualTo("127.0.0.1:" + backend.port());
                    assertThat(line.path("responseBytes").asLong()).isPositive();
                    assertThat(line.path("attempts").asInt()).isEqualTo(1);
                });

                followsANewRequest(config, ports[1]);
            }

            final Launcher.Result stopped = Launcher.run(dir, "logs", "--dir", dataDir.resolve("access-log").toString(),
                "--since", "10m");
            assertThat(stopped.exitCode()).as(stopped.err()).isZero();
            assertThat(stopped.out().lines().toList()).as("after the edge stopped: every request, as text")
                .hasSize(9)
                .filteredOn(line -> line.contains(" 502 ")).hasSize(3)
                .allSatisfy(line -> assertThat(line).contains("route=down", "flags=retried,local"));

            final Launcher.Result future = Launcher.run(dir, "logs", "--dir", dataDir.resolve("access-log").toString(),
                "--since", "2999-01-01T00:00:00Z");
            assertThat(future.exitCode()).isZero();
            assertThat(future.out()).isEmpty();

            final Launcher.Result badStatus = Launcher.run(dir, "logs", "--dir",
                dataDir.resolve("access-log").toString(), "--status", "6xx");
            assertThat(badStatus.exitCode()).isEqualTo(2);
            assertThat(badStatus.err().strip()).startsWith("mecmesh: --status:").doesNotContain("\n");

            final Launcher.Result badSince = Launcher.run(dir, "logs", "--dir",
                dataDir.resolve("access-log").toString(), "--since", "yesterday");
            assertThat(badSince.exitCode()).isEqualTo(2);
            assertThat(badSince.err()).startsWith("mecmesh: --since:");

            final Launcher.Result missing = Launcher.run(dir, "logs", "--dir", dir.resolve("nothing").toString());
            assertThat(missing.exitCode()).isEqualTo(66);
            assertThat(missing.err()).contains("no access log here");
        }
    }

    /** {@code mecmesh logs -f} prints a request made after it started. */
    private void followsANewRequest(final Path config, final int listenerPort) throws Exception
    {
        final Path out = dir.resolve("follow.out");
        final Process follow = Launcher.command(dir, "logs", "-f", "--config", config.toString(), "--status", "2xx")
            .redirectError(dir.resolve("follow.err").toFile()).redirectOutput(out.toFile()).start();
        try
        {
            Processes.await(LOG_TIMEOUT, () -> lines(out).size() == 5, () -> "the 5 earlier 200s in " + out);
            assertThat(Http.get(listenerPort, "/followed").statusCode()).isEqualTo(200);
            Processes.await(LOG_TIMEOUT, () -> lines(out).size() == 6, () -> "the new request in " + out);
            assertThat(lines(out).get(5)).contains(" 200 ", "route=web");
            assertThat(follow.isAlive()).as("-f keeps following").isTrue();
        }
        finally
        {
            Processes.stop(follow);
        }
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final java.io.IOException ex)
        {
            return List.of();
        }
    }

    /** Runs {@code mecmesh logs ARGS} until it prints {@code count} lines (the agent drains asynchronously). */
    private List<JsonNode> awaitLines(final int count, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("logs"));
        command.addAll(List.of(args));
        final List<JsonNode> parsed = new ArrayList<>();
        final Launcher.Result[] last = new Launcher.Result[1];
        Processes.await(LOG_TIMEOUT, () ->
        {
            try
            {
                last[0] = Launcher.run(dir, command.toArray(String[]::new));
            }
            catch (final Exception ex)
            {
                throw new AssertionError(ex);
            }
            assertThat(last[0].exitCode()).as(last[0].err()).isZero();
            return last[0].out().lines().count() >= count;
        }, () -> count + " lines from mecmesh " + String.join(" ", command) + ", got: " + last[0]);
        for (final String line : last[0].out().lines().toList())
        {
            parsed.add(JSON.readTree(line));
        }
        assertThat(parsed).hasSize(count);
        return parsed;
    }
}
