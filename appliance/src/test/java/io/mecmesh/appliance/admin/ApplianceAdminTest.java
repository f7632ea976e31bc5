package io.mecmesh.appliance.admin;

import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin endpoint of a running appliance, over real HTTP on loopback.
 */
class ApplianceAdminTest
{
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private TestBackend backend;
    private Appliance appliance;

    @BeforeEach
    void start()
    {
        backend = new TestBackend("app");
        appliance = Appliance.start(new ApplianceConfig(new NodeConfig("test"), new AdminConfig("127.0.0.1", 0),
            new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "app")),
                List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))))));
    }

    @AfterEach
    void stop()
    {
        appliance.close();
        backend.close();
    }

    private HttpResponse<String> admin(final String path) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.adminAddress().getPort()
            + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswerReadyAndLiveWhileListenersAreBound() throws Exception
    {
        assertThat(admin("/ready").statusCode()).isEqualTo(200);
        assertThat(admin("/live").statusCode()).isEqualTo(200);
        assertThat(admin("/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldDumpTheRunningConfiguration() throws Exception
    {
        final HttpResponse<String> dump = admin("/config_dump");

        assertThat(dump.statusCode()).isEqualTo(200);
        assertThat(dump.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(dump.body())
            .contains("\"version\" : 0")
            .contains("\"name\" : \"ingress\"")
            .contains("\"type\" : \"Forward\"")
            .contains("\"cluster\" : \"app\"")
            .contains("\"port\" : " + backend.port());
    }

    @Test
    void shouldServeTheLastWarnAndErrorLinesOnErrors() throws Exception
    {
        final String marker = "upstream gone " + System.nanoTime();
        org.slf4j.LoggerFactory.getLogger(ApplianceAdminTest.class).warn("{}", marker,
            new IOException("connection reset"));
        org.slf4j.LoggerFactory.getLogger(ApplianceAdminTest.class).info("not a warning " + marker);

        final HttpResponse<String> errors = admin("/errors");

        assertThat(errors.statusCode()).isEqualTo(200);
        assertThat(errors.body().lines().filter(line -> line.contains(marker)).toList()).singleElement()
            .asString().contains("WARN", "ApplianceAdminTest - " + marker,
                "(java.io.IOException: connection reset)");
    }

    @Test
    void shouldStopAnsweringAfterClose() throws Exception
    {
        appliance.close();

        assertThatThrownBy(() -> admin("/ready")).isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldAnswer503OnReadyWhileNotReady() throws Exception
    {
        final MetricsExport metrics = new MetricsExport(new DataPlaneCounters(), () -> false,
            new MetricsExport.BuildInfo("0", "nio", "17"));
        try (AdminServer notReady = AdminServer.start(new AdminConfig("127.0.0.1", 0), () -> false, metrics))
        {
            final HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + notReady.address().getPort() + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString());

            assertThat(ready.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void shouldExportCountersOfProxiedRequests() throws Exception
    {
        final URI proxy = URI.create("http://127.0.0.1:"
            + appliance.dataPlane().listenerAddress("ingress").getPort() + "/hello");
        for (int i = 0; i < 3; i++)
        {
            assertThat(client.send(HttpRequest.newBuilder(proxy).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        }

        final String metrics = admin("/metrics").body();

        assertThat(metrics)
            .contains("mecmesh_requests_total 3.0")
            .contains("mecmesh_responses_total{class=\"2xx\"} 3.0")
            .contains("mecmesh_upstream_connect_failures_total 0.0")
            .contains("mecmesh_ready 1.0")
            .contains("mecmesh_route_requests_total{route=\"* /*\"} 3.0")
            .contains("mecmesh_route_responses_total{class=\"2xx\",route=\"* /*\"} 3.0")
            .contains("mecmesh_cluster_attempts_total{cluster=\"app\"} 3.0");
    }

    @Test
    void shouldExportMetricsThatPromtoolAccepts() throws Exception
    {
        final HttpResponse<String> metrics = admin("/metrics");
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("text/plain; version=0.0.4"));

        Promtool.assertAccepts(metrics.body());
    }
    @Test
    void shouldDumpAListenerWhoseTlsMaterialIsHotSwapped() throws Exception
    {
        final CertificateAuthority ca = CertificateAuthority.generate("mesh.test", Duration.ofDays(1),
            InstantSource.system());
        final KeyPair key = CertificateRequests.newKeyPair();
        final TlsMaterial material = new TlsMaterial(ca.issue(ca.root(), CertificateRequests.csr(key),
            SpiffeId.parse("spiffe://mesh.test/site/s/node/n")), key.getPrivate(), ca.trustBundle());
        final Path persisted = Path.of("/var/lib/mecmesh/identity/identity.pem");
        final TlsMaterialSource source = new TlsMaterialSource(material);
        final MeshConfig config = new MeshConfig(3, TransportKind.AUTO, 1,
            List.of(ListenerConfig.builder("mesh-in", "127.0.0.1", 0).tls(TlsConfig.fromSource(
                source, persisted, persisted, persisted, TlsConfig.Mode.MESH)).build()),
            List.of(new RouteConfig("*", "/", "to-b")),
            List.of(ClusterConfig.of("to-b", List.of(new Endpoint("127.0.0.1", 1))).withTls(Optional.of(
                new ClusterTls(TlsConfig.fromSource(source, persisted, persisted, persisted, TlsConfig.Mode.MESH),
                SpiffeId.parse("spiffe://mesh.test/site/s/node/b"), "b")))));
        try (AdminServer server = AdminServer.start(new AdminConfig("127.0.0.1", 0), () -> true, metrics(),
            () -> config))
        {
            final HttpResponse<String> dump = get(server, "/config_dump");

            assertThat(dump.statusCode()).as(dump.body()).isEqualTo(200);
            assertThat(dump.body()).contains("\"name\" : \"mesh-in\"").contains("\"mode\" : \"MESH\"")
                .contains("identity.pem").contains("\"expectedPeer\"").doesNotContain("source")
                .doesNotContain("PRIVATE");
        }
    }

    @Test
    void shouldDumpClassificationRulesWithTheirPrefixesAsText() throws Exception
    {
        final MeshConfig config = new MeshConfig(3, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)), List.of(new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", 1)))))
            .withClassification(new io.mecmesh.dataplane.classify.ClassificationConfig(List.of(
                new io.mecmesh.dataplane.classify.ClassificationRule(1 << 24 | 1, Optional.empty(),
                    List.of(io.mecmesh.dataplane.classify.SourcePrefix.parse("10.45.0.7/32")), Optional.empty(),
                    Optional.empty(), List.of(io.mecmesh.dataplane.classify.SourcePrefix.parse("127.0.0.1/32")),
                    Optional.of(new io.mecmesh.dataplane.classify.PortRange(8080, 8080)),
                    Optional.of(new io.mecmesh.dataplane.classify.PortRange(40001, 40001)), 9))));
        try (AdminServer server = AdminServer.start(new AdminConfig("127.0.0.1", 0), () -> true, metrics(),
            () -> config))
        {
            final HttpResponse<String> dump = get(server, "/config_dump");

            assertThat(dump.statusCode()).as(dump.body()).isEqualTo(200);
            assertThat(dump.body()).contains("\"10.45.0.7/32\"").contains("\"127.0.0.1/32\"")
                .contains("\"policyRouteId\" : 9");
        }
    }

    @Test
    void shouldAnswer500WithAOneLineReasonWhenAPageOrHandlerFails() throws Exception
    {
        final HttpHandler failing = exchange ->
        {
            throw new IllegalStateException("the site CA is gone");
        };
        try (AdminServer server = AdminServer.start(new AdminConfig("127.0.0.1", 0), () -> true, metrics(),
            () -> new Object(), Map.of("/v1/identity/workload", failing)))
        {
            final HttpResponse<String> dump = get(server, "/config_dump");
            final HttpResponse<String> extra = get(server, "/v1/identity/workload");

            assertThat(dump.statusCode()).isEqualTo(500);
            assertThat(dump.body()).startsWith("internal error: ").endsWith("\n").hasLineCount(1);
            assertThat(extra.statusCode()).isEqualTo(500);
            assertThat(extra.body()).isEqualTo("internal error: IllegalStateException: the site CA is gone\n");
            assertThat(get(server, "/ready").statusCode()).as("the endpoint keeps serving").isEqualTo(200);
        }
    }

    private static MetricsExport metrics()
    {
        return new MetricsExport(new DataPlaneCounters(), () -> true, new MetricsExport.BuildInfo("0", "nio", "17"));
    }

    private HttpResponse<String> get(final AdminServer server, final String path)
        throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
            + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
