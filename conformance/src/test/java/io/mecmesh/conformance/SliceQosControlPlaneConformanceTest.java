package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-slice QoS declared in the control plane's desired state (issue 13), through the installed launcher: a role-all
 * appliance, {@code mecmesh apply -f} of a slice with {@code qos} (shape, one request/s) and a node with
 * {@code qos.linkCapacityBps}; the compiled configuration reaches the data plane, which queues the second of two
 * back-to-back requests and answers it 504 once its delay budget has passed (the service's record: 400 ms, set so
 * that a slow first answer on a loaded machine is neither retried nor timed out), without the backend seeing it;
 * {@code mecmesh proxy-config slices} shows the compiled settings.
 */
class SliceQosControlPlaneConformanceTest
{
    private static final String SLICE = "2-000002";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldEnforceASlicesQosAppliedThroughTheControlPlane() throws Exception
    {
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack
        final int[] ports = FreePorts.take(5);
        try (EchoBackend backend = new EchoBackend("plc");
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
                  - snssai: %s
                    name: urllc
                    fiveQi: 82
                    classification: [{listener: ingress}]
                    qos: {mode: shape, maxShapingWaitMs: 5000, requestsPerSecond: 1}
                services:
                  - name: plc
                    slice: %s
                    endpoints: [{address: 127.0.0.1, port: %d, site: site-a, zone: zone-1}]
                    routes: [{host: plc.example}]
                    timeouts: {requestTimeoutMs: 400, perTryTimeoutMs: 400}
                    retries: {maxRetries: 0}
                nodes:
                  - {id: edge-a, site: site-a, zone: zone-1, services: [plc], qos: {linkCapacityBps: 100000000}}
                """.formatted(SLICE, SLICE, backend.port()));
            final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
                "http://127.0.0.1:" + ports[2]);
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            appliance.awaitReady();

            final String url = "http://127.0.0.1:" + ports[1];
            final Processes.Result both = Processes.exec(dir, Duration.ofSeconds(60), "curl", "-sS", "--max-time",
                "30", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}\\n", "-H", "Host: plc.example",
                url + "/first", url + "/second");

            assertThat(both.output().trim().split("\n")).as(both.output()).containsExactly("200", "504");
            assertThat(backend.requestsFor("/first")).hasSize(1);
            assertThat(backend.requestsFor("/second")).isEmpty();

            final Launcher.Result shown = Launcher.run(dir, "proxy-config", "slices", "--admin",
                "http://127.0.0.1:" + ports[0]);
            assertThat(shown.exitCode()).as(shown.toString()).isZero();
            final List<String> lines = shown.out().lines().toList();
            assertThat(lines).anyMatch(line -> line.startsWith("qos linkCapacityBps 100000000"));
            assertThat(lines).anyMatch(line -> line.matches(SLICE + "\\s+0\\s+shape 5000ms\\s+1\\s+.*200ms\\s*"));
        }
    }
}
