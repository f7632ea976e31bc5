package io.mecmesh.appliance.admin;

import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
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
import java.time.Duration;
import java.util.List;

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
}
