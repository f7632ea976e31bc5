package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 step 1 through the installed launcher: a control plane with {@code controlPlane.cluster.enabled} answers
 * the CLI's writes after the cluster commit, refuses a bad one as before, and keeps {@code journal tail},
 * {@code journal compact} and the offline {@code journal replay} working on the journal the cluster service writes;
 * a restart recovers the state from the cluster (snapshot and log).
 */
class ClusterControlPlaneConformanceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldApplyTailCompactReplayAndRecoverWithTheDesiredStateOnTheCluster() throws Exception
    {
        final int[] ports = FreePorts.take(4);
        Files.write(dir.resolve("distribution.key"), new byte[32]);
        final Path data = dir.resolve("control");
        final String yaml = ControlPlaneYaml.withCluster(ControlPlaneYaml.control(data, ports[1], ports[0], ports[2],
            ports[3], dir.resolve("distribution.key"), ""));
        final String server = "http://127.0.0.1:" + ports[0];
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9}
            services:
              - name: video
                slice: 1-000001
                endpoints: [{address: 10.0.0.1, port: 8080, site: site-a, zone: zone-1}]
                routes: [{host: video.example}]
            """);

        try (ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1], yaml))
        {
            control.awaitReady();
            final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server", server);
            assertThat(applied.exitCode()).as(applied.toString()).isZero();

            final Launcher.Result refused = Launcher.run(dir, "slice", "delete", "embb", "--server", server);
            assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
            assertThat(refused.err().strip()).as(refused.toString()).doesNotContain("\n")
                .contains("slice 1-000001 is used by services video");

            final Launcher.Result tail = Launcher.run(dir, "journal", "tail", "--after", "0", "--server", server);
            assertThat(tail.exitCode()).as(tail.toString()).isZero();
            assertThat(tail.out()).contains("video");
            final Launcher.Result compact = Launcher.run(dir, "journal", "compact", "--server", server);
            assertThat(compact.exitCode()).as(compact.toString()).isZero();
            assertThat(compact.out()).contains("snapshot written: ").contains("snapshot-00000000000000000001.json");
        }
        assertThat(data.resolve("control").resolve("cluster").resolve("archive")).isDirectory();

        final Launcher.Result replay = Launcher.run(dir, "journal", "replay", "--data-dir",
            data.resolve("control").toString());
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out()).contains("version 1, 1 slices, 1 services");

        try (ApplianceProcess restarted = ApplianceProcess.start(dir, "control-restarted", ports[1], yaml))
        {
            restarted.awaitReady();
            final HttpResponse<String> state = Http.get(ports[0], "/v1/state");
            assertThat(state.statusCode()).isEqualTo(200);
            final List<String> services = new ArrayList<>();
            JSON.readTree(state.body()).path("services").forEach(s -> services.add(s.path("name").asText()));
            assertThat(services).containsExactly("video");
            final Launcher.Result again = Launcher.run(dir, "service", "delete", "video", "--server", server);
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(JSON.readTree(Http.get(ports[0], "/v1/state").body()).path("services").size()).isZero();
        }
    }
}
