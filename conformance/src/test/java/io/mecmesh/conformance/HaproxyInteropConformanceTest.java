package io.mecmesh.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.HexFormat;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5, interop with a real peer: HAProxy as a mutually authenticated TLS client of node B's mesh listener, and
 * as a TLS server that requires a client certificate behind node A's outbound cluster. HAProxy gets X.509-SVIDs
 * from {@code mecmesh cert issue} like any node: {@code spiffe://mesh.test/node/haproxy} as a client (B authorizes
 * it on one route), {@code spiffe://mesh.test/svc/haproxy} as a server (A's cluster expects exactly that id).
 * An SVID has no DNS SAN: HAProxy's server line verifies B's chain to the bundle ({@code verify required}) with
 * neither {@code sni} nor {@code verifyhost}, so no host name is checked; B's identity is not pinned on that side.
 */
class HaproxyInteropConformanceTest
{
    private static final String PEER_ID = "x-mecmesh-peer-id";

    /** Kept when a test fails: the appliances' configurations and logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static Pki mesh;
    private static Pki.Identity identityA;
    private static EchoBackend backend;
    private static ApplianceProcess nodeA;
    private static ApplianceProcess nodeB;
    private static HaproxyProcess haproxy;
    private static int outboundPortA;
    private static int haproxyClientPort;
    private static int haproxyServerPort;

    @BeforeAll
    static void startTwoAppliancesAndHaproxy() throws Exception
    {
        mesh = Pki.init(dir.resolve("mesh.test"), "mesh.test");
        identityA = mesh.issue("node/a");
        final Pki.Identity identityB = mesh.issue("node/b");
        final Pki.Identity haproxyAsClient = mesh.issue("node/haproxy");
        final Pki.Identity haproxyAsServer = mesh.issue("svc/haproxy");
        backend = new EchoBackend();

        final int[] ports = FreePorts.take(6);
        final int meshPortB = ports[0];
        outboundPortA = ports[2];
        haproxyClientPort = ports[4];
        haproxyServerPort = ports[5];
        nodeB = ApplianceProcess.start(dir, "node-b", ports[1], """
            node:
              id: node-b
            admin:
              address: 127.0.0.1
              port: %d
            dataplane:
              listeners:
                - name: mesh-in
                  address: 127.0.0.1
                  port: %d
                  tls:
                    mode: mesh
                    certificateChain: %s
                    privateKey: %s
                    trustBundle: %s
              clusters:
                - name: backend
                  endpoints: ["127.0.0.1:%d"]
              routes:
                - name: from-haproxy
                  pathPrefix: /via-haproxy/
                  cluster: backend
                  authorization:
                    allow:
                      - principals: ["%s"]
                - name: from-a
                  cluster: backend
                  authorization:
                    allow:
                      - principals: ["%s"]
            """.formatted(ports[1], meshPortB, identityB.chain(), identityB.key(), identityB.bundle(),
            backend.port(), mesh.spiffeId("node/haproxy"), mesh.spiffeId("node/a")));
        nodeA = ApplianceProcess.start(dir, "node-a", ports[3], """
            node:
              id: node-a
            admin:
              address: 127.0.0.1
              port: %1$d
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %2$d
              clusters:
                - name: haproxy
                  endpoints: ["127.0.0.1:%3$d"]
                  tls:
                    certificateChain: %4$s
                    privateKey: %5$s
                    trustBundle: %6$s
                    expectedPeer: %7$s
                - name: haproxy-as-someone-else
                  endpoints: ["127.0.0.1:%3$d"]
                  tls:
                    certificateChain: %4$s
                    privateKey: %5$s
                    trustBundle: %6$s
                    expectedPeer: %8$s
              routes:
                - name: to-haproxy
                  pathPrefix: /to-haproxy/
                  cluster: haproxy
                - name: to-someone-else
                  pathPrefix: /to-someone-else/
                  cluster: haproxy-as-someone-else
            """.formatted(ports[3], outboundPortA, haproxyServerPort, identityA.chain(), identityA.key(),
            identityA.bundle(), mesh.spiffeId("svc/haproxy"), mesh.spiffeId("svc/someone-else")));
        haproxy = HaproxyProcess.start(dir, """
            global
                log stderr format raw local0 info
            defaults
                mode http
                log global
                option httplog
                timeout connect 5s
                timeout client 15s
                timeout server 15s
            frontend to-mesh
                bind 127.0.0.1:%d
                default_backend mecmesh-b
            backend mecmesh-b
                server b 127.0.0.1:%d ssl crt %s ca-file %s verify required ssl-min-ver TLSv1.3
            frontend from-mesh
                bind 127.0.0.1:%d ssl crt %s ca-file %s verify required ssl-min-ver TLSv1.2
                http-request set-header x-haproxy-client-verify %%[ssl_c_verify]
                http-request set-header x-haproxy-client-sha1 %%[ssl_c_sha1,hex]
                http-request set-header x-haproxy-tls-version %%[ssl_fc_protocol]
                default_backend workload
            backend workload
                server backend 127.0.0.1:%d
            """.formatted(haproxyClientPort, meshPortB, haproxyAsClient.certificateAndKey(), mesh.bundle(),
            haproxyServerPort, haproxyAsServer.certificateAndKey(), mesh.bundle(), backend.port()),
            haproxyServerPort);
        nodeB.awaitReady();
        nodeA.awaitReady();
    }

    @AfterAll
    static void stopEverything()
    {
        if (haproxy != null)
        {
            haproxy.close();
        }
        for (final ApplianceProcess node : new ApplianceProcess[] {nodeA, nodeB})
        {
            if (node != null)
            {
                node.close();
            }
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    @Test
    void shouldCarryHaproxysRequestsOverMutualTlsToTheMeshListenerUnderItsOwnSpiffeId() throws Exception
    {
        final HttpResponse<String> allowed = Http.get(haproxyClientPort, "/via-haproxy/hello");
        final HttpResponse<String> notAllowed = Http.get(haproxyClientPort, "/only-for-a");

        assertThat(allowed.statusCode()).as("%s; haproxy: %s", allowed.body(), haproxy.log()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("backend GET /via-haproxy/hello");
        assertThat(backend.requestsFor("/via-haproxy/hello")).singleElement()
            .satisfies(request -> assertThat(request.header(PEER_ID)).contains(mesh.spiffeId("node/haproxy")));
        assertThat(notAllowed.statusCode()).as("B checked HAProxy's id against the route that allows only A")
            .isEqualTo(403);
        assertThat(backend.requestsFor("/only-for-a")).isEmpty();
    }

    @Test
    void shouldReachHaproxyAsAServerThatVerifiesNodeAsClientCertificate() throws Exception
    {
        final HttpResponse<String> response = Http.get(outboundPortA, "/to-haproxy/hello");

        assertThat(response.statusCode()).as("%s; haproxy: %s", response.body(), haproxy.log()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("backend GET /to-haproxy/hello");
        assertThat(backend.requestsFor("/to-haproxy/hello")).singleElement().satisfies(request ->
        {
            assertThat(request.header("x-haproxy-client-verify")).as("HAProxy verified A's chain").contains("0");
            assertThat(request.header("x-haproxy-client-sha1")).as("the certificate A presented")
                .contains(sha1(identityA.chain()));
            assertThat(request.header("x-haproxy-tls-version")).contains("TLSv1.3");
        });
    }

    @Test
    void shouldRefuseHaproxyWhenItIsNotThePeerTheClusterExpects() throws Exception
    {
        final String mismatch = "mecmesh_tls_peer_rejected_total{reason=\"spiffe_id_mismatch\"}";
        final double before = nodeA.metric(mismatch);

        final HttpResponse<String> response = Http.get(outboundPortA, "/to-someone-else/hello");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
        assertThat(backend.requestsFor("/to-someone-else/hello")).isEmpty();
        assertThat(nodeA.metric(mismatch)).isGreaterThan(before);
    }

    @Test
    void shouldBeRefusedByHaproxyWithoutAClientCertificate() throws Exception
    {
        final Processes.Result openssl = TlsClients.openssl(dir, haproxyServerPort, Optional.empty(), mesh.bundle(),
            "/to-haproxy/anonymous");

        assertThat(openssl.exitCode()).as(openssl.output()).isNotZero();
        assertThat(openssl.output()).contains("certificate required").doesNotContain("HTTP/1.1");
        assertThat(backend.requestsFor("/to-haproxy/anonymous")).isEmpty();
    }

    private static String sha1(final Path pem) throws Exception
    {
        try (InputStream in = Files.newInputStream(pem))
        {
            final byte[] der = CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(der));
        }
    }
}
