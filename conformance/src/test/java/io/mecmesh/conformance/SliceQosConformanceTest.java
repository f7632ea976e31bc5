package io.mecmesh.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-slice QoS enforced by an edge without a control plane (issue 13, "what it must show"), through the installed
 * launcher: the slices are declared in appliance.yaml ({@code dataplane.slices}), requests are put into them by a
 * header, and a real backend on 127.0.0.1 serves them.
 * <ul>
 *   <li>an 8 Mbit/s downlink MBR slice carries a 20 MB download at 8 Mbit/s ±10 %, in police and in shape mode
 *   (curl's {@code %{speed_download}}: a rate assertion of the feature itself);</li>
 *   <li>a GBR slice at the node's link capacity refuses the next request with 503 and Retry-After;</li>
 *   <li>a request queued past its delay budget (5QI 82: 10 ms PDB, so a 200 ms request timeout) gets 504 and the
 *   backend never sees it.</li>
 * </ul>
 */
class SliceQosConformanceTest
{
    private static final long DOWNLOAD_BYTES = 20_000_000;
    private static final double MBR_BYTES_PER_SECOND = 8_000_000 / 8.0;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static BulkBackend backend;
    private static ApplianceProcess appliance;
    private static int adminPort;
    private static int listenerPort;

    @BeforeAll
    static void startEdgeWithSlices() throws Exception
    {
        backend = new BulkBackend();
        // 0 admin, 1 listener
        final int[] ports = FreePorts.take(2);
        adminPort = ports[0];
        listenerPort = ports[1];
        appliance = ApplianceProcess.start(dir, "edge", ports[0], """
            node: {id: edge-q}
            dataDirectory: %s
            admin: {address: 127.0.0.1, port: %d}
            dataplane:
              listeners:
                - {name: ingress, address: 127.0.0.1, port: %d}
              clusters:
                - {name: app, endpoints: ["127.0.0.1:%d"]}
              routes:
                - {host: "*", cluster: app, timeoutMs: 60000}
              qos:
                linkCapacityBps: 5000000
              slices:
                - snssai: 1-000001
                  name: video
                  fiveQi: 9
                  bitRates: {mbrDownlinkBps: 8000000}
                  classification: [{header: {name: x-slice, value: video}}]
                  qos: {mode: police}
                - snssai: 1-000002
                  name: video-shaped
                  fiveQi: 9
                  bitRates: {mbrDownlinkBps: 8000000}
                  classification: [{header: {name: x-slice, value: shaped}}]
                  qos: {mode: shape, maxShapingWaitMs: 1000}
                - snssai: 2-000001
                  name: gbr
                  fiveQi: 4
                  bitRates: {gbrUplinkBps: 2000000, gbrDownlinkBps: 3000000}
                  classification: [{header: {name: x-slice, value: gbr}}]
                - snssai: 2-000002
                  name: urllc
                  fiveQi: 82
                  classification: [{header: {name: x-slice, value: urllc}}]
                  qos: {mode: shape, maxShapingWaitMs: 5000, requestsPerSecond: 1}
            """.formatted(dir.resolve("data"), ports[0], ports[1], backend.port()));
        appliance.awaitReady();
    }

    @AfterAll
    static void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
        if (backend != null)
        {
            backend.close();
        }
    }

    private static String url(final String path)
    {
        return "http://127.0.0.1:" + listenerPort + path;
    }

    private static Processes.Result curl(final String... arguments) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        command.addAll(List.of(arguments));
        return Processes.exec(dir, Duration.ofSeconds(90), "", command);
    }

    private static double downloadSpeed(final String slice) throws Exception
    {
        final Processes.Result result = curl("-o", "/dev/null", "-w", "%{http_code} %{size_download} %{speed_download}",
            "-H", "x-slice: " + slice, url("/bytes/" + DOWNLOAD_BYTES));
        final String[] fields = result.output().trim().split(" ");
        assertThat(fields).as(result.output()).hasSize(3);
        assertThat(fields[0]).as(result.output()).isEqualTo("200");
        assertThat(Long.parseLong(fields[1])).isEqualTo(DOWNLOAD_BYTES);
        return Double.parseDouble(fields[2]);
    }

    @Test
    void shouldCarryA20MbDownloadAtTheSlicesDownlinkMbrInPoliceAndShapeMode() throws Exception
    {
        final double policed = downloadSpeed("video");
        final double shaped = downloadSpeed("shaped");

        assertThat(policed).as("police mode, bytes/s").isBetween(MBR_BYTES_PER_SECOND * 0.9,
            MBR_BYTES_PER_SECOND * 1.1);
        assertThat(shaped).as("shape mode, bytes/s").isBetween(MBR_BYTES_PER_SECOND * 0.9,
            MBR_BYTES_PER_SECOND * 1.1);
        assertThat(appliance.metric("mecmesh_slice_bytes_total{direction=\"downlink\",slice=\"1-000001\"}"))
            .isEqualTo((double)DOWNLOAD_BYTES);
    }

    @Test
    void shouldRefuseTheNextRequestOfAGbrSliceAtCapacityWith503AndRetryAfter() throws Exception
    {
        final Process holder = new ProcessBuilder("curl", "-sS", "--max-time", "60", "-o", "/dev/null", "-w",
            "%{http_code}", "-H", "x-slice: gbr", url("/hold/first"))
            .redirectErrorStream(true).redirectOutput(dir.resolve("holder.out").toFile()).start();
        try
        {
            Processes.await(Duration.ofSeconds(30), () -> backend.paths().contains("/hold/first"),
                () -> "the backend saw " + backend.paths());

            final Processes.Result refused = curl("-D", "-", "-o", "/dev/null", "-H", "x-slice: gbr",
                url("/second"));

            assertThat(refused.output()).startsWith("HTTP/1.1 503");
            assertThat(refused.output().toLowerCase(Locale.ROOT)).contains("retry-after: 1");
            assertThat(backend.paths()).doesNotContain("/second");
        }
        finally
        {
            backend.release();
            Processes.await(Duration.ofSeconds(30), () -> !holder.isAlive(), () -> "the held request did not end");
            Processes.stop(holder);
        }
        assertThat(java.nio.file.Files.readString(dir.resolve("holder.out"))).isEqualTo("200");
        assertThat(appliance.metric("mecmesh_slice_qos_requests_total{outcome=\"refused_gbr\",slice=\"2-000001\"}"))
            .isEqualTo(1.0);
        Processes.await(Duration.ofSeconds(10), () -> activeGbr() == 0.0, () -> "GBR still active");
        assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "x-slice: gbr", url("/third")).output())
            .isEqualTo("200");
    }

    @Test
    void shouldAnswer504WithoutReachingTheBackendWhenTheDelayBudgetPassesWhileQueued() throws Exception
    {
        // One request/s: the second, sent right after the first on the same connection, waits for a token about a
        // second away; its delay budget (200 ms) passes first.
        final Processes.Result both = curl("-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}\\n",
            "-H", "x-slice: urllc", url("/urllc-first"), url("/urllc-second"));

        assertThat(both.output().trim().split("\n")).containsExactly("200", "504");
        assertThat(backend.paths()).contains("/urllc-first").doesNotContain("/urllc-second");
        assertThat(appliance.metric("mecmesh_slice_qos_requests_total{outcome=\"expired\",slice=\"2-000002\"}"))
            .isEqualTo(1.0);
    }

    @Test
    void shouldShowEachSlicesPolicyAsTheNodeRunsItThroughProxyConfigSlices() throws Exception
    {
        final Launcher.Result shown = Launcher.run(dir, "proxy-config", "slices", "--admin",
            "http://127.0.0.1:" + adminPort);

        assertThat(shown.exitCode()).as(shown.toString()).isZero();
        final List<String> lines = shown.out().lines().toList();
        assertThat(lines).anyMatch(line -> line.startsWith("qos linkCapacityBps 5000000"));
        // The police slice: route 0 (its default record), 5QI 9's priority 90 and DSCP 0, 8 Mbit/s down, 100 kB burst.
        assertThat(lines).anyMatch(line -> line.matches("1-000001\\s+0\\s+police\\s+-\\s+-\\s+90\\s+0\\s+-/8000000"
            + "\\s+100000\\s+6000ms\\s*"));
        assertThat(lines).anyMatch(line -> line.matches("1-000002\\s+0\\s+shape 1000ms\\s+.*"));
        assertThat(lines).anyMatch(line -> line.matches("2-000001\\s+0\\s+police\\s+-\\s+2000000/3000000\\s+.*"));
        // 5QI 82: priority 19, DSCP 46 (EF), a 200 ms delay budget.
        assertThat(lines).anyMatch(line -> line.matches("2-000002\\s+0\\s+shape 5000ms\\s+1\\s+-\\s+19\\s+46\\s+.*200ms\\s*"));
    }

    private static double activeGbr()
    {
        try
        {
            return appliance.metric("mecmesh_slice_active_gbr{slice=\"2-000001\"}");
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }
}
