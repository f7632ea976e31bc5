package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5 across processes: a control plane runs the CA ({@code mecmesh cert init}); two edges get their SVIDs from it
 * through the control-plane API (the key never leaves the edge) and carry traffic over mTLS with them; edge-b only
 * lets edge-a's SPIFFE id in. Then the control plane stops and edge-b is killed and restarted: it serves mTLS from
 * its persisted identity.
 */
class IdentityConformanceTest
{
    private static final String TRUST_DOMAIN = "mesh.test";
    private static final String EDGE_A = "spiffe://mesh.test/site/site-a/node/edge-a";
    private static final String EDGE_B = "spiffe://mesh.test/site/site-b/node/edge-b";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private int[] ports;
    private String siteCaYaml = "";

    @Test
    void edgesShouldGetIdentitiesFromTheControlPlaneAndRestartWithoutIt() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), TRUST_DOMAIN);
        Files.writeString(dir.resolve("join.token"), "a-long-join-token-for-the-test\n");
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        // 0 api, 1 control admin, 2 config, 3 ack, 4/5/6/7 edge-a admin/outbound/udp/mesh, 8/9/10/11 edge-b
        ports = FreePorts.take(12);
        final Path siteCa = dir.resolve("site-b-ca");
        final Path sitePassphrase = Files.writeString(dir.resolve("site-b.pass"), "site-b's own passphrase\n");
        final Launcher.Result intermediate = Launcher.run(dir, "cert", "intermediate", "--ca-dir",
            pki.caDir().toString(), "--site", "site-b", "--out", siteCa.toString(), "--passphrase-file",
            pki.passphraseFile().toString(), "--site-passphrase-file", sitePassphrase.toString());
        assertThat(intermediate.exitCode()).as(intermediate.toString()).isZero();
        siteCaYaml = """
              siteCa:
                directory: %s
                passphraseFile: %s
            """.formatted(siteCa, sitePassphrase);
        final ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1], controlYaml(pki));
        try (EchoBackend backend = new EchoBackend("backend-b"))
        {
            control.awaitReady();
            final Path nodes = Files.writeString(dir.resolve("nodes.yaml"), """
                {"nodes": [{"id": "edge-a", "site": "site-a", "zone": "z"},
                           {"id": "edge-b", "site": "site-b", "zone": "z"}]}
                """);
            final Launcher.Result applied = Launcher.run(dir, "apply", "-f", nodes.toString(), "--server",
                "http://127.0.0.1:" + ports[0]);
            assertThat(applied.exitCode()).as(applied.toString()).isZero();

            ApplianceProcess edgeB = ApplianceProcess.start(dir, "edge-b", ports[8], edgeYaml("edge-b", "site-b", 8,
                backend.port()));
            try (ApplianceProcess edgeA = ApplianceProcess.start(dir, "edge-a", ports[4], edgeYaml("edge-a", "site-a",
                4, 0)))
            {
                edgeB.awaitReady();
                edgeA.awaitReady();
                assertThat(Http.getVia(ports[5], "b.mesh", "/hello")).isEqualTo("200 backend-b GET /hello");
                assertThat(backend.requestsFor("/hello").get(0).header("x-mecmesh-peer-id")).contains(EDGE_A);
                final Path identity = dir.resolve("edge-b/identity/identity.pem");
                assertThat(Files.getPosixFilePermissions(identity)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
                assertThat(edgeB.metric("mecmesh_identity_alarm")).isZero();
                controlPlaneSignsWithTheNewRootAfterCertRotateWithoutARestart(pki);

                control.kill();
                edgeB.kill();
                edgeB = ApplianceProcess.start(dir, "edge-b-restarted", ports[8], edgeYaml("edge-b", "site-b", 8,
                    backend.port()));
                edgeB.awaitReady();
                final String[] last = {""};
                Processes.await(Duration.ofSeconds(20), () -> (last[0] = Http.getVia(ports[5], "b.mesh", "/again"))
                    .equals("200 backend-b GET /again"), () -> "mTLS through the restarted edge-b; last: " + last[0]);
                assertThat(edgeB.log()).doesNotContain("ERROR");

                workloadGetsAnSvidFromTheSiteCaWhileDisconnected(siteCa);
            }
            finally
            {
                edgeB.close();
            }
        }
        finally
        {
            control.close();
        }
    }

    /**
     * With the control plane still down, a workload of site-b sends a CSR to edge-b's site CA and gets an SVID that
     * validates, with {@code mecmesh cert verify}, against the mesh's trust bundle.
     */
    private void workloadGetsAnSvidFromTheSiteCaWhileDisconnected(final Path siteCa) throws Exception
    {
        final Processes.Result csr = Processes.exec(dir, Duration.ofSeconds(30), "openssl", "req", "-new", "-newkey",
            "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.resolve("amf-key.pem").toString(),
            "-subj", "/CN=amf");
        assertThat(csr.exitCode()).as(csr.output()).isZero();
        final String pem = csr.output().substring(csr.output().indexOf("-----BEGIN CERTIFICATE REQUEST-----"));
        final String workload = "spiffe://mesh.test/site/site-b/app/amf";
        final HttpResponse<String> signed = Http.post(ports[8], "/v1/identity/workload", JSON.writeValueAsString(
            Map.of("spiffeId", workload, "csr", pem)), "Authorization", "Bearer a-long-join-token-for-the-test");
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        final Path chain = Files.writeString(dir.resolve("amf.pem"), JSON.readTree(signed.body()).path("chain")
            .asText());
        final Launcher.Result verified = Launcher.run(dir, "cert", "verify", "--bundle",
            siteCa.resolve("bundle.pem").toString(), "--chain", chain.toString(), "--spiffe-id", workload);
        assertThat(verified.out()).as(verified.toString()).startsWith("VALID");

        final HttpResponse<String> otherSite = Http.post(ports[8], "/v1/identity/workload", JSON.writeValueAsString(
            Map.of("spiffeId", "spiffe://mesh.test/site/site-a/app/amf", "csr", pem)), "Authorization",
            "Bearer a-long-join-token-for-the-test");
        assertThat(otherSite.statusCode()).as("a site CA issues only in its own site").isEqualTo(403);
    }

    /**
     * The node SVIDs are in the CA's {@code issued.log}; then {@code mecmesh cert rotate} runs beside the running
     * control plane, whose next SVID chains to the new root (not the old one) and comes with both roots.
     */
    private void controlPlaneSignsWithTheNewRootAfterCertRotateWithoutARestart(final Pki pki) throws Exception
    {
        final Launcher.Result issued = Launcher.run(dir, "cert", "issued", "--ca-dir", pki.caDir().toString());
        assertThat(issued.exitCode()).as(issued.toString()).isZero();
        assertThat(issued.out()).contains(EDGE_A).contains(EDGE_B).contains("spiffe://mesh.test/site/site-b\n");
        final Path oldRoot = Files.copy(pki.caDir().resolve("bundle.pem"), dir.resolve("old-root.pem"));

        final Launcher.Result rotated = Launcher.run(dir, "cert", "rotate", "--ca-dir", pki.caDir().toString(),
            "--passphrase-file", pki.passphraseFile().toString());
        assertThat(rotated.exitCode()).as(rotated.toString()).isZero();
        final Processes.Result csr = Processes.exec(dir, Duration.ofSeconds(30), "openssl", "req", "-new", "-newkey",
            "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir.resolve("edge-a-key.pem").toString(),
            "-subj", "/CN=edge-a");
        assertThat(csr.exitCode()).as(csr.output()).isZero();
        final String pem = csr.output().substring(csr.output().indexOf("-----BEGIN CERTIFICATE REQUEST-----"));
        final HttpResponse<String> signed = Http.post(ports[0], "/v1/identity/sign", JSON.writeValueAsString(
            Map.of("nodeId", "edge-a", "site", "site-a", "csr", pem)), "Authorization",
            "Bearer a-long-join-token-for-the-test");
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        final Path chain = Files.writeString(dir.resolve("edge-a-after-rotate.pem"),
            JSON.readTree(signed.body()).path("chain").asText());
        final String bundle = JSON.readTree(signed.body()).path("bundle").asText();
        final String end = "-----END CERTIFICATE-----";
        assertThat(bundle.split(end, -1)).as("both roots during the overlap").hasSize(3);
        final Path newRoot = Files.writeString(dir.resolve("new-root.pem"),
            bundle.substring(0, bundle.indexOf(end) + end.length()) + "\n");

        final Launcher.Result underNew = Launcher.run(dir, "cert", "verify", "--bundle", newRoot.toString(),
            "--chain", chain.toString(), "--spiffe-id", EDGE_A);
        assertThat(underNew.out()).as(underNew.toString()).startsWith("VALID");
        final Launcher.Result underOld = Launcher.run(dir, "cert", "verify", "--bundle", oldRoot.toString(),
            "--chain", chain.toString(), "--spiffe-id", EDGE_A);
        assertThat(underOld.out()).as("signed by the new root, without a restart").startsWith("INVALID: untrusted");
    }

    private String controlYaml(final Pki pki)
    {
        return ControlPlaneYaml.control(dir.resolve("control"), ports[1], ports[0], ports[2], ports[3],
            dir.resolve("distribution.key"), """
            ca:
              directory: %s
              passphraseFile: %s
              joinTokenFile: %s
            """.formatted(pki.caDir(), pki.passphraseFile(), dir.resolve("join.token")));
    }

    /**
     * An edge with a plain outbound listener and a mesh listener on its node identity. edge-a's outbound route
     * {@code b.mesh} goes over mTLS to edge-b's mesh listener; edge-b forwards {@code b.mesh} to its backend and lets
     * only edge-a in.
     */
    private String edgeYaml(final String name, final String site, final int first, final int backendPort)
    {
        final boolean isB = "edge-b".equals(name);
        final String clusters = isB ? """
                - name: local-backend
                  endpoints: ["127.0.0.1:%d"]
            """.formatted(backendPort) : """
                - name: to-b
                  endpoints: ["127.0.0.1:%d"]
                  tls:
                    identity: node
                    expectedPeer: %s
            """.formatted(ports[11], EDGE_B);
        final String routes = isB ? """
                - host: b.mesh
                  cluster: local-backend
                  authorization:
                    allow:
                      - principals: ["%s"]
            """.formatted(EDGE_A) : """
                - host: b.mesh
                  cluster: to-b
            """;
        return ControlPlaneYaml.edge(name, site, "z", dir.resolve(name), ports[first], ports[0], ports[2], ports[3],
            ports[first + 2], dir.resolve("distribution.key"), """
            identity:
              trustDomain: %s
              joinTokenFile: %s
            %s
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %d
                - name: mesh-in
                  address: 127.0.0.1
                  port: %d
                  tls:
                    identity: node
              clusters:
            %s
              routes:
            %s
            """.formatted(TRUST_DOMAIN, dir.resolve("join.token"), isB ? siteCaYaml.stripTrailing() : "",
            ports[first + 1], ports[first + 3], clusters.stripTrailing(), routes.stripTrailing()));
    }
}
