package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiled mesh hops across processes: a control plane with a CA and two edges whose nodes declare a mesh endpoint
 * (their {@code tls: {identity: node}} listener). A service that runs on edge-b, called through edge-a, goes from
 * edge-a to edge-b over mutual TLS with both nodes' SVIDs and on to the service's endpoint: the service sees edge-a's
 * SPIFFE id in {@code x-mecmesh-peer-id}, set by edge-b from the verified certificate. Called through edge-b, where
 * it runs, it goes straight to the endpoint. video allows callers of site-a only ({@code allowedCallerPrefixes}):
 * edge-c, a node of the same trust domain at site-c, is refused with 403 by edge-b. Once edge-b no longer declares a
 * mesh endpoint, edge-a calls the endpoint directly: no configuration written on either edge by hand.
 */
class MeshHopConformanceTest
{
    private static final String TRUST_DOMAIN = "mesh.test";
    private static final String EDGE_A = "spiffe://mesh.test/site/site-a/node/edge-a";
    private static final String PEER_HEADER = "x-mecmesh-peer-id";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;

    @Test
    void callsToAServiceOnAnotherNodeShouldCrossTheMeshOverMutualTls() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), TRUST_DOMAIN);
        Files.writeString(dir.resolve("join.token"), "a-long-join-token-for-the-test\n");
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        // 0 api, 1 control admin, 2 config, 3 ack, 4/5/6/7 edge-a admin/outbound/udp/mesh, 8/9/10/11 edge-b,
        // 12/13/14/15 edge-c
        ports = FreePorts.take(16);
        try (EchoBackend backend = new EchoBackend("video");
             ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1],
                 ControlPlaneYaml.control(dir.resolve("control"), ports[1], ports[0], ports[2], ports[3],
                     dir.resolve("distribution.key"), """
                     ca:
                       directory: %s
                       passphraseFile: %s
                       joinTokenFile: %s
                     """.formatted(pki.caDir(), pki.passphraseFile(), dir.resolve("join.token")))))
        {
            control.awaitReady();
            apply(backend.port(), true);
            try (ApplianceProcess edgeB = ApplianceProcess.start(dir, "edge-b", ports[8], edgeYaml("edge-b",
                "site-b", 8));
                 ApplianceProcess edgeA = ApplianceProcess.start(dir, "edge-a", ports[4], edgeYaml("edge-a",
                     "site-a", 4));
                 ApplianceProcess edgeC = ApplianceProcess.start(dir, "edge-c", ports[12], edgeYaml("edge-c",
                     "site-c", 12)))
            {
                edgeB.awaitReady();
                edgeA.awaitReady();
                edgeC.awaitReady();
                final String[] last = {""};
                Processes.await(Duration.ofSeconds(20), () -> (last[0] = Http.getVia(ports[5], "video.mesh",
                    "/through-a")).equals("200 video GET /through-a"), () -> "video through edge-a; last: " + last[0]);
                assertThat(backend.requestsFor("/through-a").get(0).header(PEER_HEADER))
                    .as("edge-b verified edge-a's SVID on the hop").contains(EDGE_A);

                assertThat(Http.getVia(ports[9], "video.mesh", "/on-b")).isEqualTo("200 video GET /on-b");
                assertThat(backend.requestsFor("/on-b").get(0).header(PEER_HEADER))
                    .as("where the service runs, the call goes straight to it").isEmpty();

                Processes.await(Duration.ofSeconds(20), () -> (last[0] = Http.getVia(ports[13], "cam.mesh",
                    "/c-ready")).equals("200 video GET /c-ready"), () -> "edge-c configured; last: " + last[0]);
                assertThat(Http.getVia(ports[13], "video.mesh", "/through-c"))
                    .as("edge-c is of the trust domain but not of site-a: refused by edge-b").startsWith("403");
                assertThat(backend.requestsFor("/through-c")).as("the refused call never reached video").isEmpty();
                assertThat(Http.getVia(ports[5], "video.mesh", "/again-a")).isEqualTo("200 video GET /again-a");

                apply(backend.port(), false);
                Processes.await(Duration.ofSeconds(20), () -> (last[0] = Http.getVia(ports[5], "video.mesh",
                    "/direct")).equals("200 video GET /direct") && backend.requestsFor("/direct").stream()
                    .allMatch(request -> request.header(PEER_HEADER).isEmpty()),
                    () -> "edge-a calls the endpoint directly once edge-b has no mesh endpoint; last: " + last[0]);
                assertThat(edgeA.log()).doesNotContain("ERROR");
                assertThat(edgeB.log()).doesNotContain("ERROR");
                assertThat(edgeC.log()).doesNotContain("ERROR");
            }
        }
    }

    /**
     * video runs on edge-b (callers of site-a only), ui on edge-a, cam on edge-c, all in one slice, so that each node
     * sees all three.
     */
    private void apply(final int backendPort, final boolean meshEndpoints) throws Exception
    {
        final String meshA = meshEndpoints ? ", mesh: {address: 127.0.0.1, port: " + ports[7] + "}" : "";
        final String meshB = meshEndpoints ? ", mesh: {address: 127.0.0.1, port: " + ports[11] + "}" : "";
        final String meshC = meshEndpoints ? ", mesh: {address: 127.0.0.1, port: " + ports[15] + "}" : "";
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9}
            services:
              - name: video
                slice: 1-000001
                endpoints: [{address: 127.0.0.1, port: %d, site: site-b, zone: z}]
                routes: [{host: video.mesh}]
                authorization: {allowedCallerPrefixes: [spiffe://mesh.test/site/site-a]}
              - name: cam
                slice: 1-000001
                endpoints: [{address: 127.0.0.1, port: %d, site: site-c, zone: z}]
                routes: [{host: cam.mesh}]
              - name: ui
                slice: 1-000001
                endpoints: [{address: 127.0.0.1, port: %d, site: site-a, zone: z}]
                routes: [{host: ui.mesh}]
            nodes:
              - {id: edge-a, site: site-a, zone: z, services: [ui]%s}
              - {id: edge-b, site: site-b, zone: z, services: [video]%s}
              - {id: edge-c, site: site-c, zone: z, services: [cam]%s}
            """.formatted(backendPort, backendPort, backendPort, meshA, meshB, meshC));
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
            "http://127.0.0.1:" + ports[0]);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
    }

    /** An edge with a plain outbound listener and its mesh listener on the node identity; no routes of its own. */
    private String edgeYaml(final String name, final String site, final int first)
    {
        return ControlPlaneYaml.edge(name, site, "z", dir.resolve(name), ports[first], ports[0], ports[2], ports[3],
            ports[first + 2], dir.resolve("distribution.key"), """
            identity:
              trustDomain: %s
              joinTokenFile: %s
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
            """.formatted(TRUST_DOMAIN, dir.resolve("join.token"), ports[first + 1], ports[first + 3]));
    }
}
