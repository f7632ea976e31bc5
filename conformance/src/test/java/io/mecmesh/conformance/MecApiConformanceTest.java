package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 items 2 and 3 through the installed launcher: a control plane with a CA serves the MEC 011 API
 * ({@code controlPlane.mecApi}); the operator pre-provisions an application instance with {@code mecmesh apply -f};
 * the application, with its X.509-SVID, reads and changes its traffic rule over mutual TLS (curl), another
 * application is refused, and the change survives a {@code kill -9} of the control plane (it was journaled before
 * the 200).
 */
class MecApiConformanceTest
{
    private static final String TRUST_DOMAIN = "mesh.test";
    private static final String APP_ID = "5abe4782-2c70-4e47-9a4e-0ee3a1a0fd1f";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;

    @Test
    void applicationShouldChangeItsOwnTrafficRuleOverMtlsAndTheChangeShouldSurviveKill9() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), TRUST_DOMAIN);
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        // 0 api, 1 control admin, 2 config, 3 ack, 4 MEC API
        ports = FreePorts.take(5);
        final Pki.Identity app = pki.issue("app/video-analytics");
        final Pki.Identity other = pki.issue("app/other");
        final String yaml = controlYaml(pki);
        try (ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1], yaml))
        {
            control.awaitReady();
            final Path admin = issueOperator(pki);
            final Path state = Files.writeString(dir.resolve("apps.yaml"), """
                slices:
                  - {snssai: 1-000001, name: embb, fiveQi: 9}
                nodes:
                  - {id: edge-a, site: site-a, zone: z}
                apps:
                  - id: %s
                    name: video-analytics
                    node: edge-a
                    slice: 1-000001
                    spiffeId: spiffe://mesh.test/app/video-analytics
                    trafficRules:
                      - trafficRuleId: TrafficRule1
                        filterType: FLOW
                        priority: 1
                        trafficFilter: [{dstAddress: [192.0.2.10/32], dstPort: [80]}]
                        action: PASSTHROUGH
                        state: ACTIVE
                """.formatted(APP_ID));
            final Launcher.Result applied = Launcher.run(dir, Map.of("XDG_CONFIG_HOME",
                Files.createDirectories(dir.resolve("no-config")).toString()), "apply", "-f", state.toString(),
                "--server", "https://127.0.0.1:" + ports[0], "--cert", admin.resolve("client.pem").toString(), "--key",
                admin.resolve("client-key.pem").toString(), "--cacert", admin.resolve("ca.pem").toString());
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            assertThat(applied.out()).contains("app/" + APP_ID + " created");

            final String rulePath = "/mec/mec_app_support/v2/applications/" + APP_ID + "/traffic_rules/TrafficRule1";
            final Response read = curl(app, List.of(), rulePath);
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).get("action").asText()).isEqualTo("PASSTHROUGH");
            final String etag = read.header("etag");

            final String drop = read.body().replace("PASSTHROUGH", "DROP");
            final Response forbidden = curl(other, List.of("-X", "PUT", "-H", "Content-Type: application/json",
                "--data", drop), rulePath);
            assertThat(forbidden.status()).as(forbidden.toString()).isEqualTo(403);
            assertThat(forbidden.contentType()).isEqualTo("application/problem+json");
            final Response put = curl(app, List.of("-X", "PUT", "-H", "Content-Type: application/json", "-H",
                "If-Match: " + etag, "--data", drop), rulePath);
            assertThat(put.status()).as(put.toString()).isEqualTo(200);
            final Response stale = curl(app, List.of("-X", "PUT", "-H", "Content-Type: application/json", "-H",
                "If-Match: " + etag, "--data", read.body()), rulePath);
            assertThat(stale.status()).as(stale.toString()).isEqualTo(412);

            control.kill();
        }
        try (ApplianceProcess restarted = ApplianceProcess.start(dir, "control-restarted", ports[1], yaml))
        {
            restarted.awaitReady();
            final Response after = curl(app, List.of(), "/mec/mec_app_support/v2/applications/" + APP_ID
                + "/traffic_rules");
            assertThat(after.status()).as(after.toString()).isEqualTo(200);
            final JsonNode rules = JSON.readTree(after.body());
            assertThat(rules.get(0).get("action").asText()).as("the PUT acknowledged before kill -9").isEqualTo("DROP");
        }
        final Processes.Result anonymous = Processes.exec(dir, CURL_TIMEOUT, "curl", "-sS", "-k", "--max-time", "10",
            "https://127.0.0.1:" + ports[4] + "/mec/mec_app_support/v2/timing/current_time");
        assertThat(anonymous.exitCode()).as("nothing listens after the stop").isNotZero();
    }

    private Path issueOperator(final Pki pki) throws IOException, InterruptedException
    {
        final Path out = dir.resolve("operators").resolve("ada");
        final Launcher.Result issued = Launcher.run(dir, "cert", "issue", "--ca-dir", pki.caDir().toString(),
            "--operator", "ada", "--role", "admin", "--out", out.toString(), "--passphrase-file",
            pki.passphraseFile().toString());
        assertThat(issued.exitCode()).as(issued.toString()).isZero();
        return out;
    }

    /** One curl response: status, headers and body. */
    private record Response(int status, List<String> headers, String body)
    {
        String header(final String name)
        {
            return headers.stream().filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " header in " + headers));
        }

        String contentType()
        {
            return header("content-type");
        }
    }

    /** curl with an application's SVID against the MEC API ({@code -k}: the server's name is not what is tested). */
    private Response curl(final Pki.Identity identity, final List<String> arguments, final String path)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "15", "--noproxy",
            "*", "-D", "-", "-o", dir.resolve("body.json").toString(), "--cert", identity.chain().toString(),
            "--key", identity.key().toString()));
        command.addAll(arguments);
        command.add("https://127.0.0.1:" + ports[4] + path);
        final Processes.Result result = Processes.exec(dir, CURL_TIMEOUT, "", command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        final List<String> headers = List.of(result.output().replace("\r", "").split("\n"));
        final String statusLine = headers.stream().filter(line -> line.startsWith("HTTP/")).reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no status line: " + result.output()));
        final String body = Files.exists(dir.resolve("body.json")) ? Files.readString(dir.resolve("body.json")) : "";
        Files.deleteIfExists(dir.resolve("body.json"));
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
    }

    private String controlYaml(final Pki pki)
    {
        final String yaml = ControlPlaneYaml.withTlsApi(ControlPlaneYaml.control(dir.resolve("control"), ports[1],
            ports[0], ports[2], ports[3], dir.resolve("distribution.key"), """
            ca:
              directory: %s
              passphraseFile: %s
            """.formatted(pki.caDir(), pki.passphraseFile())));
        return yaml.replace("  configPort:", "  mecApi: {address: 127.0.0.1, port: %d, apiRoot: /mec}\n  configPort:"
            .formatted(ports[4]));
    }
}
