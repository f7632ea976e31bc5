package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 item 3 (MEC 011 v3 liveness), end to end with real processes: an appliance of role {@code all} with a CA
 * and the MEC API; the application registers a service with a 1 s {@code livenessInterval} over Mp1 (curl with its
 * X.509-SVID); while it beats (PATCH of its liveness resource) the service is routed by the mesh, when it stops the
 * service is SUSPENDED and the mesh stops routing it, and its next heartbeat brings it back.
 */
class MecServiceLivenessConformanceTest
{
    private static final String APP_ID = "7c1e2a9d-4b0f-4d2e-9a53-1f6c0d2b8e41";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String HOST = "beatservice";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;
    private Pki.Identity app;

    @Test
    void aServiceWhoseHeartbeatsLapseShouldLeaveTheMeshAndComeBackWhenItBeats() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/beat");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        try (EchoBackend application = new EchoBackend("application");
             ApplianceProcess appliance = MecAppliance.start(dir, pki, ports))
        {
            appliance.awaitLive();
            final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
                slices:
                  - {snssai: 1-000001, name: embb, fiveQi: 9}
                nodes:
                  - {id: edge-a, site: site-a, zone: zone-1, services: []}
                apps:
                  - {id: %s, name: beat, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/beat}
                """.formatted(APP_ID));
            final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
                "http://127.0.0.1:" + ports[2]);
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            appliance.awaitReady();

            final String created = register(application.port());
            assertThat(created).contains("\"livenessInterval\":1").contains("/liveness\"");
            final String id = created.replaceAll("(?s).*\"serInstanceId\":\"([^\"]+)\".*", "$1");
            final String liveness = "/mec_service_mgmt/v1/applications/" + APP_ID + "/services/" + id + "/liveness";
            Processes.await(DEADLINE, () -> beat(liveness).equals("204") && request().startsWith("200 application"),
                () -> "while it beats, the mesh routes the service: " + request());

            Processes.await(DEADLINE, () -> !request().startsWith("200 application"),
                () -> "without heartbeats the service leaves the mesh: " + request());
            assertThat(call("GET", liveness, null)).contains("\"state\":\"SUSPENDED\"").contains("\"interval\":1");

            assertThat(beat(liveness)).isEqualTo("204");
            assertThat(call("GET", liveness, null)).contains("\"state\":\"ACTIVE\"");
            Processes.await(DEADLINE, () -> beat(liveness).equals("204") && request().startsWith("200 application"),
                () -> "a heartbeat brings the service back into the mesh: " + request());
            assertThat(appliance.log()).doesNotContain("ERROR");
        }
    }

    /** A request for the service's host through the ingress listener: "STATUS BODY". */
    private String request()
    {
        return MecAppliance.curl(dir, List.of("curl", "-sS", "--max-time", "5",
            "--noproxy", "*", "-H", "Host: " + HOST, "-w", "\n%{http_code}", "http://127.0.0.1:" + ports[1] + "/"));
    }

    /** The application registers its service with a 1 s liveness interval; the ServiceInfo answered (201). */
    private String register(final int port)
    {
        final String service = """
            {"serName":"BeatService","version":"1","state":"ACTIVE","serializer":"JSON","livenessInterval":1,
             "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"1.1",
              "endpoint":{"addresses":[{"host":"127.0.0.1","port":%d}]},"security":{}}}""".formatted(port);
        final String answer = call("POST", "/mec_service_mgmt/v1/applications/" + APP_ID + "/services", service);
        assertThat(answer).startsWith("201 ");
        return answer.substring(4);
    }

    /** A heartbeat; the status. */
    private String beat(final String liveness)
    {
        return call("PATCH", liveness, "{\"state\":\"ACTIVE\"}").substring(0, 3);
    }

    /** A call of the MEC API with the application's SVID: "STATUS BODY". */
    private String call(final String method, final String path, final String body)
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "15", "--noproxy",
            "*", "-w", "\n%{http_code}", "--cert", app.chain().toString(), "--key", app.key().toString(), "-X",
            method));
        if (body != null)
        {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data", body));
        }
        command.add("https://127.0.0.1:" + ports[5] + path);
        final String answer = MecAppliance.curl(dir, command);
        assertThat(answer).as("curl's exit").doesNotStartWith("000");
        return answer;
    }
}
