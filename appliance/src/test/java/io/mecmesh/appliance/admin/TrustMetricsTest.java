package io.mecmesh.appliance.admin;

import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What issue 12 items 9 and 10 add to {@code /metrics} and {@code /ready}: a control plane exports only what it runs,
 * with its CA's issued count and expiries; an edge exports its running version, its contact with the control plane
 * and its last-known-good fallback, which {@code /ready} names.
 */
class TrustMetricsTest
{
    private static final char[] PASSPHRASE = "a passphrase for the test CA".toCharArray();

    @TempDir
    Path caDir;

    @Test
    void shouldExportOnlyReadinessBuildInfoAndTheCaOnAControlPlaneInAFormatPromtoolAccepts() throws Exception
    {
        CaDirectory.init(caDir, "mesh.example", Duration.ofDays(30), PASSPHRASE, InstantSource.system());
        final CaDirectory ca = CaDirectory.open(caDir, PASSPHRASE, InstantSource.system());
        final CertificateAuthority authority = ca.authority();
        authority.createSiteIntermediate(SpiffeId.parse("spiffe://mesh.example/site/site-a"), Duration.ofDays(7));
        final MetricsExport metrics = new MetricsExport(() -> true, new MetricsExport.BuildInfo("1", "none", "17"))
            .addCertificateAuthority(ca::trustBundle, ca.issued()::entries,
                () -> Map.of("unauthenticated", 3L, "forbidden", 1L), Instant::now);

        final String text = scrape(metrics);
        final Map<String, Double> samples = samples(text);

        assertThat(samples.keySet()).as("no data-plane family on a process without a data plane")
            .noneMatch(series -> series.startsWith("mecmesh_requests") || series.startsWith("mecmesh_responses")
                || series.startsWith("mecmesh_tls_peer_rejected") || series.startsWith("mecmesh_route_"));
        assertThat(samples).containsEntry("mecmesh_ca_certificates_issued_total", 2.0)
            .containsEntry("mecmesh_ca_requests_refused_total{reason=\"unauthenticated\"}", 3.0)
            .containsEntry("mecmesh_ca_requests_refused_total{reason=\"forbidden\"}", 1.0);
        final long rootExpiry = ca.trustBundle().get(0).getNotAfter().toInstant().getEpochSecond();
        assertThat(samples).containsEntry("mecmesh_ca_root_expiry_timestamp_seconds{serial=\""
            + ca.trustBundle().get(0).getSerialNumber().toString(16) + "\"}", (double) rootExpiry);
        assertThat(samples.entrySet()).filteredOn(e -> e.getKey()
            .startsWith("mecmesh_ca_intermediate_expiry_timestamp_seconds{")).singleElement()
            .satisfies(e -> assertThat(e.getValue()).isBetween(
                (double) Instant.now().plus(Duration.ofDays(6)).getEpochSecond(),
                (double) Instant.now().plus(Duration.ofDays(8)).getEpochSecond()));
        Promtool.assertAccepts(text);
    }

    @Test
    void shouldExportTheEdgesViewOfItsControlPlaneAndNameTheFallbackInReady() throws Exception
    {
        final AtomicReference<Optional<String>> fallback = new AtomicReference<>(Optional.of(
            "running the previous last known good configuration (version 4), the current file is unusable"));
        final MetricsExport metrics = new MetricsExport(() -> true, new MetricsExport.BuildInfo("1", "nio", "17"))
            .addNodeAgent(new MetricsExport.NodeAgentView(() -> 4, () -> false, () -> -1,
                () -> fallback.get().isPresent()));

        Map<String, Double> samples = samples(scrape(metrics));
        assertThat(samples).containsEntry("mecmesh_config_version", 4.0)
            .containsEntry("mecmesh_control_plane_connected", 0.0).containsEntry("mecmesh_lkg_fallback", 1.0)
            .doesNotContainKey("mecmesh_control_plane_last_contact_age_seconds");

        try (AdminServer admin = AdminServer.start(new AdminConfig("127.0.0.1", 0),
            () -> Readiness.of(List.of(), fallback.get().stream().toList()), metrics, () -> null, Map.of()))
        {
            final HttpResponse<String> degraded = ready(admin);
            assertThat(degraded.statusCode()).isEqualTo(200);
            assertThat(degraded.body()).isEqualTo("ready\ndegraded: " + fallback.get().orElseThrow() + "\n");

            fallback.set(Optional.empty());
            assertThat(ready(admin).body()).isEqualTo("ready\n");
        }
        samples = samples(scrape(metrics));
        assertThat(samples).containsEntry("mecmesh_lkg_fallback", 0.0);
        Promtool.assertAccepts(scrape(metrics));
    }

    @Test
    void shouldExportEachSidesDistributionEventsOnly() throws Exception
    {
        final MetricsExport control = new MetricsExport(() -> true, new MetricsExport.BuildInfo("1", "none", "17"))
            .addDistribution("control", new DistributionCounters());
        final MetricsExport node = new MetricsExport(() -> true, new MetricsExport.BuildInfo("1", "nio", "17"))
            .addDistribution("node", new DistributionCounters());

        assertThat(samples(scrape(control)).keySet())
            .contains("mecmesh_distribution_control_events_total{event=\"config_sent\"}",
                "mecmesh_distribution_control_events_total{event=\"message_bad_mac\"}")
            .doesNotContain("mecmesh_distribution_control_events_total{event=\"lkg_corrupt\"}");
        assertThat(samples(scrape(node)).keySet())
            .contains("mecmesh_distribution_node_events_total{event=\"lkg_refused_signature\"}",
                "mecmesh_distribution_node_events_total{event=\"message_bad_mac\"}")
            .doesNotContain("mecmesh_distribution_node_events_total{event=\"config_sent\"}");
    }

    private static HttpResponse<String> ready(final AdminServer admin) throws IOException, InterruptedException
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + admin.address().getPort() + "/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    static String scrape(final MetricsExport metrics) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static Map<String, Double> samples(final String text)
    {
        final Map<String, Double> samples = new TreeMap<>();
        for (final String line : text.split("\n"))
        {
            final int space = line.lastIndexOf(' ');
            if (!line.isEmpty() && line.charAt(0) != '#' && space > 0)
            {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }
}
