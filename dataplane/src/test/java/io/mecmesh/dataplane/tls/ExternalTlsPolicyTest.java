package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An external TLS listener with an RSA certificate, probed by a real {@code openssl s_client}: by default it offers
 * TLS 1.2+ with ECDHE and AEAD suites only (no static RSA key exchange, no CBC), and {@code tls.minVersion} and
 * {@code tls.cipherSuites} narrow that further.
 */
class ExternalTlsPolicyTest
{
    @TempDir
    static Path dir;
    private static TestBackend web;
    private static Path certificate;
    private static Path key;
    private DataPlane dataPlane;

    /** An RSA certificate made by openssl itself (PKCS#8 key), as an operator's web PKI certificate would be. */
    @BeforeAll
    static void makeRsaCertificate() throws Exception
    {
        web = new TestBackend("web");
        certificate = dir.resolve("rsa.pem");
        key = dir.resolve("rsa-key.pem");
        final Process req = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
            "1", "-subj", "/CN=web.local", "-keyout", key.toString(), "-out", certificate.toString())
            .redirectErrorStream(true).start();
        req.getOutputStream().close();
        final String output = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(req.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(req.exitValue()).as(output).isZero();
    }

    @AfterAll
    static void stopBackend()
    {
        web.close();
    }

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
    }

    private int start(final TlsPolicy policy)
    {
        final TlsConfig tls = new TlsConfig(certificate, key, certificate, TlsConfig.Mode.EXTERNAL);
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("external", "127.0.0.1", 0).tls(tls).tlsPolicy(policy).build()),
            List.of(new RouteConfig("web.local", "/", "web")),
            List.of(ClusterConfig.of("web", List.of(new Endpoint("127.0.0.1", web.port()))))),
            new DataPlaneCounters());
        return dataPlane.listenerAddress("external").getPort();
    }

    /** What {@code openssl s_client} negotiated: its output, or "refused" when the handshake failed. */
    private static String handshake(final int port, final String... options) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
            "-servername", "web.local", "-brief"));
        command.addAll(List.of(options));
        final Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        client.getOutputStream().close();
        assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
        final String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return client.exitValue() == 0 && output.contains("CONNECTION ESTABLISHED") ? output : "refused: " + output;
    }

    @Test
    void shouldRefuseStaticRsaAndCbcSuitesAndAcceptEcdheAeadByDefault() throws Exception
    {
        final int port = start(TlsPolicy.DEFAULT);

        assertThat(handshake(port, "-tls1_2", "-cipher", "AES128-SHA")).as("static RSA, CBC, SHA-1")
            .startsWith("refused");
        assertThat(handshake(port, "-tls1_2", "-cipher", "AES128-GCM-SHA256")).as("static RSA, AEAD")
            .startsWith("refused");
        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA")).as("ECDHE, CBC")
            .startsWith("refused");
        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384")).as("ECDHE, CBC, SHA-384")
            .startsWith("refused");
        assertThat(handshake(port, "-tls1_1", "-cipher", "ALL:@SECLEVEL=0")).as("TLS 1.1").startsWith("refused");

        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"))
            .contains("Protocol version: TLSv1.2").contains("Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256");
        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"))
            .contains("Ciphersuite: ECDHE-RSA-CHACHA20-POLY1305");
        assertThat(handshake(port, "-tls1_3")).contains("Protocol version: TLSv1.3");
    }

    @Test
    void shouldOfferOnlyTls13WhenTheMinimumVersionIsTls13() throws Exception
    {
        final int port = start(new TlsPolicy(TlsPolicy.TLS_1_3, TlsPolicy.DEFAULT_CIPHER_SUITES));

        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")).startsWith("refused");
        assertThat(handshake(port, "-tls1_3")).contains("Protocol version: TLSv1.3");
    }

    @Test
    void shouldOfferOnlyTheConfiguredCipherSuites() throws Exception
    {
        final int port = start(new TlsPolicy(TlsPolicy.TLS_1_2, List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")));

        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")).startsWith("refused");
        assertThat(handshake(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"))
            .contains("Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384");
    }

    @Test
    void shouldRefuseToStartWithACipherSuiteTheTlsLibraryDoesNotSupport()
    {
        final TlsPolicy policy = new TlsPolicy(TlsPolicy.TLS_1_2, List.of("TLS_ECDHE_RSA_WITH_NOTHING_SHA256"));

        assertThatThrownBy(() -> start(policy)).isInstanceOf(DataPlaneException.class)
            .hasMessageContaining("listeners[0].tls: tls.cipherSuites: TLS_ECDHE_RSA_WITH_NOTHING_SHA256 is not "
                + "supported");
    }

    @Test
    void shouldRejectAnUnknownMinimumVersionOrAnEmptySuiteList()
    {
        assertThatThrownBy(() -> new TlsPolicy("TLSv1.1", TlsPolicy.DEFAULT_CIPHER_SUITES))
            .hasMessage("minVersion: expected TLSv1.2 or TLSv1.3, got \"TLSv1.1\"");
        assertThatThrownBy(() -> new TlsPolicy(TlsPolicy.TLS_1_2, List.of()))
            .hasMessage("cipherSuites: expected at least one cipher suite");
        assertThatThrownBy(() -> new TlsPolicy(TlsPolicy.TLS_1_2, List.of("ECDHE-RSA-AES128-GCM-SHA256")))
            .hasMessageStartingWith("cipherSuites: expected IANA names");
    }
}
