package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metrics as an operator consumes them (issue 16, item 6, in part): a real Prometheus server (Debian's package)
 * scrapes a role-all appliance's admin endpoint while requests of one slice go through it, and answers a PromQL query
 * for that slice's request rate and its p99 duration (the histogram fed from the access-log ring, the access log
 * itself off), and sees the control plane's apply timed and journaled; the Grafana dashboard shipped in {@code etc/grafana/} parses and names only metric
 * families the appliance exports.
 */
class PrometheusScrapeConformanceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC_NAME = Pattern.compile("\\bmecmesh_[a-z_]+");
    private static final String SLICE = "1-000001";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldAnswerAPromQlQueryForASlicesRateFromARealPrometheusScrapingTheAppliance() throws Exception
    {
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 prometheus
        final int[] ports = FreePorts.take(6);
        try (EchoBackend backend = new EchoBackend("video");
             ApplianceProcess appliance = ApplianceProcess.start(dir, "all", ports[0], """
                 role: all
                 node: {id: edge-a, site: site-a, zone: zone-1}
                 dataDirectory: %s
                 admin: {address: 127.0.0.1, port: %d}
                 controlPlane: {address: 127.0.0.1, api: {port: %d, insecureLoopback: true}, configPort: %d,
                   ackPort: %d}
                 dataplane:
                   listeners:
                     - {name: ingress, address: 127.0.0.1, port: %d}
                 """.formatted(dir.resolve("data"), ports[0], ports[2], ports[3], ports[4], ports[1])))
        {
            appliance.awaitLive();
            final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
                slices:
                  - {snssai: %s, name: embb, fiveQi: 9, classification: [{listener: ingress}]}
                services:
                  - name: video
                    slice: %s
                    endpoints: [{address: 127.0.0.1, port: %d, site: site-a, zone: zone-1}]
                    routes: [{host: video.example}]
                nodes:
                  - {id: edge-a, site: site-a, zone: zone-1, services: [video]}
                """.formatted(SLICE, SLICE, backend.port()));
            final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
                "http://127.0.0.1:" + ports[2]);
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            appliance.awaitReady();

            final Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: mecmesh
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(ports[0]));
            final Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + ports[5])
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try
            {
                final String query = "sum by (slice) (rate(mecmesh_slice_requests_total{slice=\"" + SLICE
                    + "\"}[5s]))";
                final String p99 = "histogram_quantile(0.99, sum by (slice, le) (rate("
                    + "mecmesh_http_request_duration_seconds_bucket{slice=\"" + SLICE + "\"}[5s])))";
                final double[] rate = {0};
                double quantile = Double.NaN;
                int sent = 0;
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((rate[0] <= 0 || !(quantile > 0)) && System.nanoTime() < deadline && sent < 3_000)
                {
                    for (int i = 0; i < 20; i++, sent++)
                    {
                        assertThat(Http.getVia(ports[1], "video.example", "/watch")).startsWith("200");
                    }
                    rate[0] = instantValue(ports[5], query);
                    quantile = instantValue(ports[5], p99);
                }
                assertThat(rate[0]).as("the slice's request rate as Prometheus computes it, after %d requests; log: %s",
                    sent, Files.readString(dir.resolve("prometheus.log"))).isPositive();
                assertThat(quantile).as("the slice's p99 request duration from the histogram fed by the access-log "
                    + "ring (no access log on disk), after %d requests", sent).isPositive().isLessThanOrEqualTo(10);
                final String answered = "sum(mecmesh_http_requests_total{slice=\"" + SLICE
                    + "\",route!=\"none\",class=\"2xx\"})";
                final int total = sent;
                final double[] counted = {0};
                Processes.await(Duration.ofSeconds(30), () ->
                {
                    counted[0] = instantValueOrZero(ports[5], answered);
                    return counted[0] >= total;
                }, () -> answered + " = " + counted[0] + ", expected " + total);
                assertThat(counted[0]).as("every request counted once under its slice and route, 2xx").isEqualTo(sent);
                assertThat(instantValue(ports[5], "sum(mecmesh_http_body_bytes_total{slice=\"" + SLICE
                    + "\",direction=\"downlink\"})")).as("the echoed response bodies, downlink").isPositive();
                assertThat(instantValue(ports[5], "sum(mecmesh_slice_requests_total{slice=\"unclassified\"})"))
                    .as("every request was classified into the slice").isZero();
                assertThat(instantValue(ports[5], "sum(mecmesh_control_apply_duration_seconds_count{outcome="
                    + "\"applied\"})")).as("the apply, timed by the control plane").isEqualTo(1);
                assertThat(instantValue(ports[5], "mecmesh_journal_entries")).as("the apply, journaled").isEqualTo(1);
                assertThat(instantValue(ports[5], "sum(mecmesh_node_config_apply_duration_seconds_count)"))
                    .as("edge-a's apply of what was published, timed").isPositive();
                assertThat(instantValue(ports[5], "mecmesh_node_config_version{node=\"edge-a\",kind=\"applied\"}"))
                    .as("the node's applied version").isPositive();
            }
            finally
            {
                Processes.stop(prometheus);
            }

            final Set<String> exported = exportedFamilies(Http.get(ports[0], "/metrics").body());
            final Path dashboard = Launcher.home().resolve("etc/grafana/mecmesh-dashboard.json");
            final JsonNode panels = JSON.readTree(dashboard.toFile()).get("panels");
            assertThat(panels).as("the dashboard's panels").isNotNull().hasSizeGreaterThan(4);
            final Set<String> used = new TreeSet<>();
            final Matcher names = METRIC_NAME.matcher(Files.readString(dashboard));
            while (names.find())
            {
                used.add(names.group());
            }
            assertThat(used).as("metric names the dashboard queries").contains("mecmesh_slice_requests_total",
                "mecmesh_http_request_duration_seconds_bucket", "mecmesh_http_requests_total",
                "mecmesh_http_body_bytes_total");
            assertThat(exported).as("what the appliance exports").containsAll(used);
        }
    }

    /** The value of a PromQL instant query with one result (0 when it has none). */
    private static double instantValue(final int port, final String query) throws Exception
    {
        final HttpResponse<String> response = Http.get(port, "/api/v1/query?query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8));
        if (response.statusCode() != 200)
        {
            return 0;
        }
        final JsonNode result = JSON.readTree(response.body()).path("data").path("result");
        return result.isEmpty() ? 0 : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** {@link #instantValue}, 0 when Prometheus cannot be asked (yet). */
    private static double instantValueOrZero(final int port, final String query)
    {
        try
        {
            return instantValue(port, query);
        }
        catch (final Exception ex)
        {
            return 0;
        }
    }

    /** The sample names of a Prometheus text exposition (counters with their {@code _total}). */
    private static Set<String> exportedFamilies(final String exposition)
    {
        final Set<String> names = new TreeSet<>();
        for (final String line : exposition.split("\n"))
        {
            if (!line.startsWith("#") && !line.isBlank())
            {
                final int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                names.add(line.substring(0, end));
            }
        }
        return names;
    }
}
