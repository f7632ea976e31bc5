package io.mecmesh.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5, "what it must show", across processes: three appliances on loopback, each {@code bin/mecmesh run}. Node A
 * and node C each have a plain outbound listener whose cluster reaches node B's mesh listener over mutual TLS 1.3;
 * B's only route forwards to a backend and allows only A's SPIFFE id. Certificates come from {@code mecmesh cert};
 * the ones the mecmesh CA refuses to make are signed by {@code openssl ca} with the same CA key. Real clients
 * ({@code openssl s_client}, {@code curl}) then knock on B's mesh listener with good and bad certificates.
 */
class MeshMtlsConformanceTest
{
    private static final String FAILURES = "mecmesh_tls_handshake_failures_total";
    private static final String HANDSHAKES = "mecmesh_tls_handshakes_total";
    private static final String PEER_ID = "x-mecmesh-peer-id";

    /** Kept when a test fails: the appliances' configurations and logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static Pki mesh;
    private static Pki otherDomain;
    private static Pki.Identity identityA;
    private static Pki.Identity identityB;
    private static EchoBackend backend;
    private static ApplianceProcess nodeA;
    private static ApplianceProcess nodeB;
    private static ApplianceProcess nodeC;
    private static int meshPortB;
    private static int outboundPortA;
    private static int outboundPortC;

    @BeforeAll
    static void startThreeAppliances() throws Exception
    {
        mesh = Pki.init(dir.resolve("mesh.test"), "mesh.test");
        otherDomain = Pki.init(dir.resolve("other.test"), "other.test");
        identityA = mesh.issue("node/a");
        identityB = mesh.issue("node/b");
        final Pki.Identity identityC = mesh.issue("node/c");
        backend = new EchoBackend();

        final int[] ports = FreePorts.take(6);
        meshPortB = ports[0];
        outboundPortA = ports[2];
        outboundPortC = ports[4];
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
                - name: to-backend
                  cluster: backend
                  authorization:
                    allow:
                      - principals: ["%s"]
            """.formatted(ports[1], meshPortB, identityB.chain(), identityB.key(), identityB.bundle(),
            backend.port(), mesh.spiffeId("node/a")));
        nodeA = ApplianceProcess.start(dir, "node-a", ports[3], caller("node-a", ports[3], outboundPortA, identityA));
        nodeC = ApplianceProcess.start(dir, "node-c", ports[5], caller("node-c", ports[5], outboundPortC, identityC));
        nodeB.awaitReady();
        nodeA.awaitReady();
        nodeC.awaitReady();
    }

    /** A node whose plain outbound listener sends everything to B over mutual TLS, expecting B's id. */
    private static String caller(final String id, final int adminPort, final int outboundPort,
        final Pki.Identity identity)
    {
        return """
            node:
              id: %s
            admin:
              address: 127.0.0.1
              port: %d
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %d
              clusters:
                - name: node-b
                  endpoints: ["127.0.0.1:%d"]
                  tls:
                    certificateChain: %s
                    privateKey: %s
                    trustBundle: %s
                    expectedPeer: %s
              routes:
                - name: to-node-b
                  cluster: node-b
            """.formatted(id, adminPort, outboundPort, meshPortB, identity.chain(), identity.key(),
            identity.bundle(), mesh.spiffeId("node/b"));
    }

    @AfterAll
    static void stopEverything()
    {
        for (final ApplianceProcess node : new ApplianceProcess[] {nodeA, nodeC, nodeB})
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
    void shouldCarryARequestFromNodeAOverMutualTlsToTheBackendWithAsSpiffeId() throws Exception
    {
        final HttpResponse<String> response = Http.get(outboundPortA, "/from-a", PEER_ID,
            "spiffe://mesh.test/node/forged");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("backend GET /from-a");
        assertThat(backend.requestsFor("/from-a")).singleElement()
            .satisfies(request -> assertThat(request.header(PEER_ID)).as("B tells the backend who called, not the "
                + "caller's forged header").contains(mesh.spiffeId("node/a")));
        assertThat(nodeB.metric(HANDSHAKES)).as("B's completed handshakes").isPositive();
    }

    @Test
    void shouldRefuseWith403ANodeOfTheSameTrustDomainThatTheRoutePolicyDoesNotAllow() throws Exception
    {
        final double deniedBefore = nodeB.metric("mecmesh_authz_denied_no_allow_rule_total");

        final HttpResponse<String> response = Http.get(outboundPortC, "/from-c");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(backend.requestsFor("/from-c")).isEmpty();
        assertThat(nodeB.metric("mecmesh_authz_denied_no_allow_rule_total")).isEqualTo(deniedBefore + 1);
        assertThat(nodeB.metric(HANDSHAKES)).as("C's handshake succeeded: same CA").isPositive();
    }

    static Stream<Arguments> refusedClientCertificates() throws Exception
    {
        return Stream.of(
            Arguments.of("no client certificate", Optional.empty(), Optional.empty()),
            Arguments.of("expired", Optional.of(mesh.issueExpired("node/expired")), Optional.of("expired")),
            Arguments.of("another trust domain", Optional.of(otherDomain.issue("node/a")), Optional.of("untrusted")),
            Arguments.of("two URI SANs", Optional.of(mesh.issueWithTwoUriSans("node/a", "node/b")),
                Optional.of("leaf_multiple_uri_sans")));
    }

    /**
     * A refused certificate is counted once per handshake under the SPIFFE rule it broke. A handshake without any
     * client certificate is refused by the TLS library ({@code certificate_required}) before the SPIFFE validator
     * runs: it is counted in the handshake failures only, with no reason label.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedClientCertificates")
    void shouldRefuseAtTheHandshakeAndCountByReason(final String what, final Optional<Pki.Identity> client,
        final Optional<String> reason) throws Exception
    {
        final String rejected = "mecmesh_tls_peer_rejected_total{reason=\"" + reason.orElse("") + "\"}";
        final double failuresBefore = nodeB.metric(FAILURES);
        final double rejectedBefore = reason.isPresent() ? nodeB.metric(rejected) : 0;
        final String path = "/refused/" + what.replace(' ', '-');

        final Processes.Result openssl = TlsClients.openssl(dir, meshPortB, client, mesh.bundle(), path);
        final Processes.Result curl = TlsClients.curl(dir, meshPortB, client,
            TlsClients.publicKeyOf(identityB.chain()), path);

        assertThat(openssl.exitCode()).as(openssl.output()).isNotZero();
        assertThat(openssl.output()).as("TLS 1.3: the server refuses after the client's Finished")
            .contains("Protocol version: TLSv1.3").doesNotContain("HTTP/1.1");
        assertThat(curl.exitCode()).as(curl.output()).isNotZero();
        assertThat(curl.output()).doesNotContain("HTTP/1.1");
        assertThat(backend.requestsFor(path)).isEmpty();
        nodeB.awaitMetric(FAILURES, failuresBefore, 2);
        if (reason.isPresent())
        {
            nodeB.awaitMetric(rejected, rejectedBefore, 2);
            assertThat(nodeB.metric(rejected)).as("counted once per handshake").isEqualTo(rejectedBefore + 2);
        }
        else
        {
            assertThat(openssl.output()).contains("certificate required");
        }
        assertThat(nodeB.metric(FAILURES)).as("openssl's and curl's handshakes").isEqualTo(failuresBefore + 2);
    }

    @Test
    void shouldServeOpensslAndCurlPresentingAValidSvid() throws Exception
    {
        final Optional<Pki.Identity> a = Optional.of(identityA);

        final Processes.Result openssl = TlsClients.openssl(dir, meshPortB, a, mesh.bundle(), "/openssl");
        final Processes.Result curl = TlsClients.curl(dir, meshPortB, a, TlsClients.publicKeyOf(identityB.chain()),
            "/curl");

        assertThat(openssl.output()).as("B's chain verifies to the bundle, TLS 1.3, answered")
            .contains("Verification: OK").contains("Protocol version: TLSv1.3").contains("HTTP/1.1 200")
            .contains("backend GET /openssl");
        assertThat(curl.exitCode()).as(curl.output()).isZero();
        assertThat(curl.output()).startsWith("HTTP/1.1 200").endsWith("backend GET /curl");
        assertThat(backend.requestsFor("/curl")).singleElement()
            .satisfies(request -> assertThat(request.header(PEER_ID)).contains(mesh.spiffeId("node/a")));
    }
}
