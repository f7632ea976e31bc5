package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 items 1-2 end to end (the brief's item 3), through the installed launcher: a role-all appliance with the
 * MEC API; an application registers a service over Mp1 and asks MEC 015 for a 1 Mbit/s downlink allocation; a 10 MB
 * download of that service through the edge (curl, classified into the application's slice by its listener) runs at
 * 1 Mbit/s ±10 %; a PATCH to 4 Mbit/s shows in a 4 MB download started as soon as the PATCH is answered (4 Mbit/s
 * ±10 % over it, which holds only if the new rate applies within about 1 s); DELETE lifts the limit.
 *
 * <p>About 95 s: the 10 MB at 1 Mbit/s alone take 84 s.
 */
class BwmEnforcementConformanceTest
{
    private static final String APP_ID = "3f0b6c1e-8d2a-4e5f-9b7c-2a1d0e9f8c71";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String HOST = BwmBulkApp.HOST;
    private static final long TEN_MB = 10L * 1024 * 1024;
    private static final long FOUR_MB = 4L * 1024 * 1024;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;
    private Pki.Identity app;

    @Test
    void aDownlinkAllocationShouldLimitTheApplicationsDownloadsUntilPatchedAndDeleted() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/bulk");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        try (BulkBackend bulk = new BulkBackend();
             ApplianceProcess appliance = MecAppliance.start(dir, pki, ports))
        {
            appliance.awaitLive();
            BwmBulkApp.deploy(dir, ports, appliance, app, APP_ID, bulk.port(), () -> routedSpeed(65_536) > 1_000_000);

            final String created = call("POST", "/bwm/v1/bw_allocations", """
                {"appInsId":"%s","requestType":0,"fixedAllocation":"1000000","allocationDirection":"00"}"""
                .formatted(APP_ID), "\n%header{location}");
            assertThat(created).startsWith("201 ");
            final String location = created.substring(created.lastIndexOf('\n') + 1).trim();
            assertThat(location).startsWith("https://127.0.0.1:" + ports[5] + "/bwm/v1/bw_allocations/");
            final String allocation = location.substring(location.indexOf("/bwm/"));
            // The allocation applies once a 256 KiB download takes over a second (unlimited: milliseconds).
            Processes.await(DEADLINE, () -> download(262_144) < 200_000,
                () -> "the 1 Mbit/s allocation reaches the edge");
            final double oneMbit = download(TEN_MB);
            assertThat(oneMbit).as("1 Mbit/s is 125000 bytes/s").isBetween(112_500.0, 137_500.0);

            assertThat(call("PATCH", allocation, """
                {"appInsId":"%s","requestType":0,"fixedAllocation":"4000000"}""".formatted(APP_ID)))
                .startsWith("200 ").contains("\"fixedAllocation\":\"4000000\"");
            final double fourMbit = download(FOUR_MB);
            assertThat(fourMbit).as("4 Mbit/s is 500000 bytes/s, from within about a second of the PATCH")
                .isBetween(450_000.0, 550_000.0);

            assertThat(call("DELETE", allocation, null)).isEqualTo("204");
            Processes.await(DEADLINE, () -> download(FOUR_MB) > 2_000_000,
                () -> "after DELETE the download is no longer limited");
            assertThat(appliance.log()).doesNotContain("ERROR");
        }
    }

    /** Downloads {@code bytes} of the service through the ingress listener; curl's speed_download, bytes/s. */
    private double download(final long bytes)
    {
        final String answer = curlDownload(bytes);
        assertThat(answer).as("the download").startsWith("200 ");
        return Double.parseDouble(answer.substring(4).trim());
    }

    /** As {@link #download}, 0 while the service is not routed yet (404 until the registration reaches the edge). */
    private double routedSpeed(final long bytes)
    {
        final String answer = curlDownload(bytes);
        return answer.startsWith("200 ") ? Double.parseDouble(answer.substring(4).trim()) : 0;
    }

    /** curl's "STATUS SPEED" for a download of {@code bytes}. */
    private String curlDownload(final long bytes)
    {
        try
        {
            return Processes.exec(dir, Duration.ofSeconds(150), "", List.of("curl", "-sS",
                "--max-time", "120", "--noproxy", "*", "-o", "/dev/null", "-H", "Host: " + HOST, "-w",
                "%{http_code} %{speed_download}", "http://127.0.0.1:" + ports[1] + "/bytes/" + bytes)).output().trim();
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

    /** A call of the MEC API with the application's SVID: "STATUS BODY". */
    private String call(final String method, final String path, final String body)
    {
        return call(method, path, body, "");
    }

    /** A call of the MEC API with the application's SVID: "STATUS BODY" and then what {@code writeOut} adds. */
    private String call(final String method, final String path, final String body, final String writeOut)
    {
        return MecAppliance.call(dir, app, ports[5], method, path, body, List.of(), writeOut);
    }
}
