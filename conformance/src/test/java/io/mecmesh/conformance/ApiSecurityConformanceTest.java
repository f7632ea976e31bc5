package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11 items 1 and 2 across processes: the control-plane API over TLS with client certificates and roles, and
 * per-node enrolment with one-time tokens. The CLI runs through the installed launcher; raw requests go through
 * curl ({@code -k}: these requests test what the server refuses, not how curl checks it).
 */
class ApiSecurityConformanceTest
{
    private static final String TRUST_DOMAIN = "mesh.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;
    private Map<String, String> noDefaults;

    @Test
    void apiShouldAuthenticateByCertificateAuthorizeByRoleAndEnrolEachNodeOnce() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), TRUST_DOMAIN);
        Files.writeString(dir.resolve("join.token"), "a-long-shared-join-token-the-edge-never-sees\n");
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        // 0 api, 1 control admin, 2 config, 3 ack, 4 edge admin, 5 edge outbound, 6 edge udp
        ports = FreePorts.take(7);
        // the CLI must not pick up certificates from the account running the tests
        noDefaults = Map.of("XDG_CONFIG_HOME", Files.createDirectories(dir.resolve("no-config")).toString());
        try (ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1], controlYaml(pki)))
        {
            control.awaitReady();
            final Path viewer = issueOperator(pki, "vera", "viewer");
            final Path operator = issueOperator(pki, "otto", "operator");
            final Path admin = issueOperator(pki, "ada", "admin");

            final Launcher.Result anonymous = cli(Map.of(), "status", "--cacert", viewer.resolve("ca.pem").toString());
            assertThat(anonymous.exitCode()).as(anonymous.toString()).isEqualTo(77);
            assertThat(anonymous.err()).contains("401").contains("client certificate is required");

            final Path nodes = Files.writeString(dir.resolve("nodes.yaml"), """
                {"nodes": [{"id": "edge-a", "site": "site-a", "zone": "z"}]}
                """);
            final Launcher.Result byViewer = cli(Map.of(), withCert(viewer, "apply", "-f", nodes.toString()));
            assertThat(byViewer.exitCode()).as(byViewer.toString()).isEqualTo(77);
            assertThat(byViewer.err()).contains("403").contains("role viewer");
            final Launcher.Result before = cli(Map.of(), withCert(viewer, "get", "nodes", "-o", "json"));
            assertThat(before.exitCode()).as(before.toString()).isZero();
            assertThat(before.out()).as("the viewer's apply changed nothing").doesNotContain("edge-a");

            // the operator's files through the environment variables this time
            final Launcher.Result byOperator = cli(Map.of("MECMESH_CLIENT_CERT", operator.resolve("client.pem")
                .toString(), "MECMESH_CLIENT_KEY", operator.resolve("client-key.pem").toString(), "MECMESH_CA_BUNDLE",
                operator.resolve("ca.pem").toString()), "apply", "-f", nodes.toString(), "--server", server());
            assertThat(byOperator.exitCode()).as(byOperator.toString()).isZero();
            assertThat(cli(Map.of(), withCert(viewer, "get", "nodes", "-o", "json")).out()).contains("edge-a");
            final Launcher.Result compactByOperator = cli(Map.of(), withCert(operator, "journal", "compact"));
            assertThat(compactByOperator.exitCode()).as("compaction is admin's").isEqualTo(77);
            final Launcher.Result compacted = cli(Map.of(), withCert(admin, "journal", "compact"));
            assertThat(compacted.exitCode()).as(compacted.toString()).isZero();
            assertThat(compacted.out()).doesNotContain(dir.toString());

            final double foreignOrigin = control.metric("mecmesh_api_denials_total{reason=\"foreign_origin\"}");
            final List<String> csrf = curl(List.of("--cert", operator.resolve("client.pem").toString(), "--key",
                operator.resolve("client-key.pem").toString(), "-H", "Origin: http://attacker.example", "-H",
                "Content-Type: text/plain", "--data", "{\"nodes\": []}"), "/v1/apply?prune=true");
            assertThat(status(csrf)).as(csrf.toString()).isEqualTo(403);
            final List<String> textPlain = curl(List.of("--cert", operator.resolve("client.pem").toString(), "--key",
                operator.resolve("client-key.pem").toString(), "-H", "Content-Type: text/plain", "--data",
                "{\"nodes\": []}"), "/v1/apply?prune=true");
            assertThat(status(textPlain)).as(textPlain.toString()).isEqualTo(415);
            assertThat(cli(Map.of(), withCert(viewer, "get", "nodes", "-o", "json")).out()).contains("edge-a");
            assertThat(control.metric("mecmesh_api_denials_total{reason=\"foreign_origin\"}"))
                .isEqualTo(foreignOrigin + 1);

            final Launcher.Result tokenByOperator = cli(Map.of(), withCert(operator, "node", "token", "create",
                "edge-a"));
            assertThat(tokenByOperator.exitCode()).as("node tokens are admin's").isEqualTo(77);
            final Launcher.Result created = cli(Map.of(), withCert(admin, "node", "token", "create", "edge-a",
                "--ttl", "10m"));
            assertThat(created.exitCode()).as(created.toString()).isZero();
            final String token = created.out().trim();
            assertThat(token).startsWith("mmt1.");
            final Path tokenFile = Files.writeString(dir.resolve("edge-a.token"), token + "\n");

            final List<String> otherNode = sign(token, "edge-b", List.of());
            assertThat(status(otherNode)).as(otherNode.toString()).isEqualTo(403);
            assertThat(String.join("\n", otherNode)).contains("is for node edge-a");

            try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge-a", ports[4], edgeYaml(tokenFile)))
            {
                edge.awaitReady();
                final List<String> reused = sign(token, "edge-a", List.of());
                assertThat(status(reused)).as(reused.toString()).isEqualTo(401);
                assertThat(String.join("\n", reused)).contains("already used");
                assertThat(control.metric("mecmesh_enrolment_tokens_total{outcome=\"reused\"}")).isEqualTo(1);
                assertThat(control.metric("mecmesh_enrolment_tokens_total{outcome=\"node_mismatch\"}")).isEqualTo(1);
                assertThat(control.metric("mecmesh_enrolment_tokens_total{outcome=\"redeemed\"}")).isEqualTo(1);

                // renewal: the node's current SVID is its credential (identity.pem holds its key and chain)
                final Path svid = dir.resolve("edge-a/identity/identity.pem");
                final List<String> renewed = sign(null, "edge-a", List.of("--cert", svid.toString()));
                assertThat(status(renewed)).as(renewed.toString()).isEqualTo(200);
                final List<String> asOther = sign(null, "edge-b", List.of("--cert", svid.toString()));
                assertThat(status(asOther)).as(asOther.toString()).isEqualTo(403);
                final List<String> nodeApplies = curl(List.of("--cert", svid.toString(), "-H",
                    "Content-Type: application/json", "--data", "{\"nodes\": []}"), "/v1/apply?prune=true");
                assertThat(status(nodeApplies)).as("a node may not apply").isEqualTo(403);
                // and the edge renews by itself, over mutual TLS (30 s SVIDs: due every 15 s)
                final double[] renewals = {0};
                Processes.await(Duration.ofSeconds(60), () -> (renewals[0] = metric(edge,
                    "mecmesh_identity_renewals_total{result=\"ok\"}")) >= 2,
                    () -> "edge-a renews its SVID over mutual TLS; renewals so far " + renewals[0]);
                assertThat(edge.log()).doesNotContain("ERROR");
            }
        }
    }

    private static double metric(final ApplianceProcess process, final String series)
    {
        try
        {
            return process.metric(series);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private Path issueOperator(final Pki pki, final String name, final String role)
        throws IOException, InterruptedException
    {
        final Path out = dir.resolve("operators").resolve(name);
        final Launcher.Result issued = Launcher.run(dir, "cert", "issue", "--ca-dir", pki.caDir().toString(),
            "--operator", name, "--role", role, "--out", out.toString(), "--passphrase-file",
            pki.passphraseFile().toString());
        assertThat(issued.exitCode()).as(issued.toString()).isZero();
        assertThat(issued.out()).contains("spiffe://mesh.test/operator/" + name + " (role " + role + ")");
        return out;
    }

    private String server()
    {
        return "https://127.0.0.1:" + ports[0];
    }

    private String[] withCert(final Path files, final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server(), "--cert", files.resolve("client.pem").toString(), "--key",
            files.resolve("client-key.pem").toString(), "--cacert", files.resolve("ca.pem").toString()));
        return all.toArray(new String[0]);
    }

    private Launcher.Result cli(final Map<String, String> environment, final String... args)
        throws IOException, InterruptedException
    {
        final Map<String, String> all = new HashMap<>(noDefaults);
        all.putAll(environment);
        final List<String> withServer = new ArrayList<>(List.of(args));
        if (!withServer.contains("--server"))
        {
            withServer.addAll(List.of("--server", server()));
        }
        return Launcher.run(dir, all, withServer.toArray(new String[0]));
    }

    /** A {@code POST /v1/identity/sign} for a new key, with a token or a client certificate. */
    private List<String> sign(final String token, final String nodeId, final List<String> client)
        throws IOException, InterruptedException
    {
        final Processes.Result csr = Processes.exec(dir, CURL_TIMEOUT, "openssl", "req", "-new", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.resolve("csr-key.pem").toString(),
            "-subj", "/CN=" + nodeId);
        assertThat(csr.exitCode()).as(csr.output()).isZero();
        final String pem = csr.output().substring(csr.output().indexOf("-----BEGIN CERTIFICATE REQUEST-----"));
        final Path body = Files.writeString(dir.resolve("sign.json"), JSON.writeValueAsString(Map.of("nodeId", nodeId,
            "site", "site-a", "csr", pem)));
        final List<String> arguments = new ArrayList<>(client);
        arguments.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@" + body));
        if (token != null)
        {
            arguments.addAll(List.of("-H", "Authorization: Bearer " + token));
        }
        return curl(arguments, "/v1/identity/sign");
    }

    /** curl against the API; the last line is the status code. */
    private List<String> curl(final List<String> arguments, final String path)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--http1.1", "--max-time", "15",
            "--noproxy", "*", "-w", "\n%{http_code}"));
        command.addAll(arguments);
        command.add(server() + path);
        final Processes.Result result = Processes.exec(dir, CURL_TIMEOUT, "", command);
        return List.of(result.output().split("\n"));
    }

    private static int status(final List<String> curlOutput)
    {
        return Integer.parseInt(curlOutput.get(curlOutput.size() - 1).trim());
    }

    private String controlYaml(final Pki pki)
    {
        return ControlPlaneYaml.withTlsApi(ControlPlaneYaml.control(dir.resolve("control"), ports[1], ports[0],
            ports[2], ports[3], dir.resolve("distribution.key"), """
            ca:
              directory: %s
              passphraseFile: %s
              joinTokenFile: %s
              svidTtlSeconds: 30
            """.formatted(pki.caDir(), pki.passphraseFile(), dir.resolve("join.token"))));
    }

    private String edgeYaml(final Path tokenFile)
    {
        return ControlPlaneYaml.withTlsApi(ControlPlaneYaml.edge("edge-a", "site-a", "z", dir.resolve("edge-a"),
            ports[4], ports[0], ports[2], ports[3], ports[6], dir.resolve("distribution.key"), """
            identity:
              trustDomain: %s
              joinTokenFile: %s
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %d
            """.formatted(TRUST_DOMAIN, tokenFile, ports[5])));
    }
}
