package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, item 5, across processes: an identity never takes the edge down. An edge got a 30 s SVID from the control
 * plane's CA; both stop; once the SVID has expired the edge restarts with the control plane still down. It serves its
 * plain listener, its mesh listener refuses connections (counted), {@code /ready} is 200 and says it is degraded.
 * When the control plane comes back the edge obtains a new SVID and its mesh listener completes mutual TLS.
 */
class IdentityDegradedConformanceTest
{
    private static final System.Logger LOG = System.getLogger(IdentityDegradedConformanceTest.class.getName());
    private static final String EDGE_A = "spiffe://mesh.test/site/site-a/node/edge-a";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** 0 api, 1 control admin, 2 config, 3 ack, 4 edge admin, 5 plain listener, 6 node endpoint, 7 mesh listener. */
    private int[] ports;

    @Test
    void anEdgeWithAnExpiredSvidAndNoControlPlaneShouldServePlainRoutesAndOpenMeshOnceTheCaReturns()
        throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        final Pki.Identity caller = pki.issue("site/site-a/node/caller");
        Files.writeString(dir.resolve("join.token"), "a-long-join-token-for-the-test\n");
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        ports = FreePorts.take(8);
        try (EchoBackend backend = new EchoBackend("backend"))
        {
            ApplianceProcess control = startControl(pki, "control");
            try
            {
                control.awaitReady();
                final Path nodes = Files.writeString(dir.resolve("nodes.yaml"),
                    "{\"nodes\": [{\"id\": \"edge-a\", \"site\": \"site-a\", \"zone\": \"z\"}]}\n");
                final Launcher.Result applied = Launcher.run(dir, "apply", "-f", nodes.toString(), "--server",
                    "http://127.0.0.1:" + ports[0]);
                assertThat(applied.exitCode()).as(applied.toString()).isZero();
                final Instant notAfter;
                try (ApplianceProcess edge = startEdge("edge-a", backend.port()))
                {
                    edge.awaitReady();
                    assertThat(openssl(caller).exitCode()).as("mTLS while the SVID is valid").isZero();
                    final Launcher.Result dump = Launcher.run(dir, "proxy-config", "listeners", "--admin",
                        "http://127.0.0.1:" + ports[4]);
                    assertThat(dump.exitCode()).as("config_dump of a listener on the node identity (issue 12, item 2): "
                        + dump).isZero();
                    notAfter = notAfter(dir.resolve("edge-a/identity/identity.pem"));
                    edge.kill();
                }
                control.kill();
                Processes.await(Duration.ofSeconds(90), () -> Instant.now().isAfter(notAfter.plusSeconds(1)),
                    () -> "the persisted SVID to expire (" + notAfter + ")");

                final long restart = System.nanoTime();
                try (ApplianceProcess edge = startEdge("edge-a-restarted", backend.port()))
                {
                    final String[] last = {""};
                    Processes.await(Duration.ofSeconds(30), () -> (last[0] = getVia(edge, ports[5], "/plain"))
                        .equals("200 backend GET /plain"), () -> "the plain route after the restart; last: " + last[0]);
                    LOG.log(System.Logger.Level.INFO, "edge restarted with an expired SVID and no control plane:"
                        + " plain route served {0} ms after the process started",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart));

                    edge.awaitLive();
                    final HttpResponse<String> ready = Http.get(ports[4], "/ready");
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                    assertThat(ready.body()).startsWith("ready\ndegraded: node identity " + EDGE_A
                        + ": no valid certificate (").contains("expired");
                    final double refusedBefore = edge.metric("mecmesh_tls_no_valid_identity_total");
                    assertThat(openssl(caller).exitCode()).as("the mesh listener refuses without an identity")
                        .isNotZero();
                    edge.awaitMetric("mecmesh_tls_no_valid_identity_total", refusedBefore, 1);
                    assertThat(edge.metric("mecmesh_identity_alarm")).isEqualTo(2.0);

                    control = startControl(pki, "control-back");
                    final long back = System.nanoTime();
                    Processes.await(Duration.ofSeconds(60), () -> openssl(caller).exitCode() == 0,
                        () -> "mTLS on the mesh listener once the CA is back; edge log: " + edge.log());
                    LOG.log(System.Logger.Level.INFO, "mesh listener accepting {0} ms after the control plane was"
                        + " started again", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back));
                    assertThat(Http.get(ports[4], "/ready").body()).isEqualTo("ready\n");
                    assertThat(edge.metric("mecmesh_identity_alarm")).isZero();
                    assertThat(edge.log()).doesNotContain("\tat ");
                }
            }
            finally
            {
                control.close();
            }
        }
    }

    private Processes.Result openssl(final Pki.Identity caller)
    {
        try
        {
            return TlsClients.openssl(dir, ports[7], Optional.of(caller), dir.resolve("pki/ca/bundle.pem"), "/mesh");
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static String getVia(final ApplianceProcess edge, final int port, final String path)
    {
        if (!edge.isAlive())
        {
            throw new AssertionError("the edge exited: " + edge.log());
        }
        try
        {
            return Http.getVia(port, "plain.example", path);
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }

    /** The leaf's expiry; the file holds the key first, then the chain. */
    private static Instant notAfter(final Path pem) throws Exception
    {
        final String text = Files.readString(pem);
        try (InputStream in = new ByteArrayInputStream(text.substring(text.indexOf("-----BEGIN CERTIFICATE-----"))
            .getBytes(StandardCharsets.US_ASCII)))
        {
            final X509Certificate leaf = (X509Certificate)CertificateFactory.getInstance("X.509")
                .generateCertificates(in).iterator().next();
            return leaf.getNotAfter().toInstant();
        }
    }

    private ApplianceProcess startControl(final Pki pki, final String name) throws Exception
    {
        return ApplianceProcess.start(dir, name, ports[1], ControlPlaneYaml.control(dir.resolve("control"), ports[1],
            ports[0], ports[2], ports[3], dir.resolve("distribution.key"), """
            ca:
              directory: %s
              passphraseFile: %s
              joinTokenFile: %s
              svidTtlSeconds: 30
            """.formatted(pki.caDir(), pki.passphraseFile(), dir.resolve("join.token"))));
    }

    private ApplianceProcess startEdge(final String name, final int backendPort) throws Exception
    {
        return ApplianceProcess.start(dir, name, ports[4], ControlPlaneYaml.edge("edge-a", "site-a", "z",
            dir.resolve("edge-a"), ports[4], ports[0], ports[2], ports[3], ports[6], dir.resolve("distribution.key"),
            """
            identity:
              trustDomain: mesh.test
              joinTokenFile: %s
            dataplane:
              listeners:
                - name: plain
                  address: 127.0.0.1
                  port: %d
                - name: mesh-in
                  address: 127.0.0.1
                  port: %d
                  tls:
                    identity: node
              clusters:
                - name: local
                  endpoints: ["127.0.0.1:%d"]
              routes:
                - host: "*"
                  cluster: local
            """.formatted(dir.resolve("join.token"), ports[5], ports[7], backendPort)));
    }
}
