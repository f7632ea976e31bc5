package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 item 5, end to end with real processes: an appliance of role {@code all} with a CA and the MEC API; a
 * service routes host 192.0.2.10 to the mesh's backend; the MEC application hosted on the node registers its service
 * (a mesh service, by its name, to the application) and PUTs its traffic rule
 * for that destination over Mp1 (curl with its X.509-SVID): FORWARD_DECAPSULATED sends the traffic to the application
 * within a second, DROP refuses it (403), INACTIVE gives it back to the mesh route.
 */
class MecTrafficRuleConformanceTest
{
    private static final String APP_ID = "5abe4782-2c70-4e47-9a4e-0ee3a1a0fd1f";
    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RULE_DEADLINE = Duration.ofSeconds(1);
    private static final String RULE = """
        {"trafficRuleId":"TrafficRule1","filterType":"FLOW","priority":1,
         "trafficFilter":[{"dstAddress":["192.0.2.10/32"]}],"action":"%s","state":"%s"}""";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int[] ports;
    private Pki.Identity app;

    @Test
    void trafficShouldFollowTheApplicationsTrafficRuleWithinOneSecond() throws Exception
    {
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/video-analytics");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        try (EchoBackend mesh = new EchoBackend("mesh");
             EchoBackend application = new EchoBackend("application");
             ApplianceProcess appliance = MecAppliance.start(dir, pki, ports))
        {
            appliance.awaitLive();
            final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
                slices:
                  - {snssai: 1-000001, name: embb, fiveQi: 9}
                services:
                  - name: origin
                    slice: 1-000001
                    endpoints: [{address: 127.0.0.1, port: %d, site: site-a, zone: zone-1}]
                    routes: [{host: 192.0.2.10}]
                nodes:
                  - {id: edge-a, site: site-a, zone: zone-1, services: [origin]}
                apps:
                  - id: %s
                    name: video-analytics
                    node: edge-a
                    slice: 1-000001
                    spiffeId: spiffe://mesh.test/app/video-analytics
                    trafficRules:
                      - {trafficRuleId: TrafficRule1, filterType: FLOW, priority: 1,
                         trafficFilter: [{dstAddress: [192.0.2.10/32]}], action: PASSTHROUGH, state: ACTIVE}
                """.formatted(mesh.port(), APP_ID));
            final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
                "http://127.0.0.1:" + ports[2]);
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            appliance.awaitReady();
            Processes.await(Duration.ofSeconds(30), () -> request().startsWith("200 mesh"),
                () -> "the mesh route serves 192.0.2.10: " + request());

            // the application registers its service: a mesh service routed by its name, and where FORWARD goes
            assertThat(register(application.port())).isEqualTo(201);
            Processes.await(Duration.ofSeconds(10), () -> request("videoservice").startsWith("200 application"),
                () -> "the registered service is a mesh service: " + request("videoservice"));
            assertThat(request()).as("PASSTHROUGH keeps the mesh route").startsWith("200 mesh");

            assertThat(put("FORWARD_DECAPSULATED", "ACTIVE")).isEqualTo(200);
            Processes.await(RULE_DEADLINE, () -> request().startsWith("200 application"),
                () -> "within 1 s of the PUT, FORWARD_DECAPSULATED reaches the application: " + request());
            assertThat(application.requests()).isNotEmpty();

            assertThat(put("DROP", "ACTIVE")).isEqualTo(200);
            Processes.await(RULE_DEADLINE, () -> request().startsWith("403"),
                () -> "within 1 s of the PUT, DROP refuses: " + request());

            assertThat(put("DROP", "INACTIVE")).isEqualTo(200);
            Processes.await(RULE_DEADLINE, () -> request().startsWith("200 mesh"),
                () -> "within 1 s of the PUT, INACTIVE gives the traffic back to the mesh route: " + request());
            assertThat(appliance.log()).doesNotContain("ERROR");
        }
    }

    /** A request for host 192.0.2.10 through the ingress listener: "STATUS BODY". */
    private String request()
    {
        return request("192.0.2.10");
    }

    /** A request for a host through the ingress listener: "STATUS BODY". */
    private String request(final String host)
    {
        return MecAppliance.curl(dir, List.of("curl", "-sS", "--max-time", "5", "--noproxy", "*", "-H",
            "Host: " + host, "-w", "\n%{http_code}", "http://127.0.0.1:" + ports[1] + "/video"));
    }

    /** The application registers its service over Mp1 (MEC 011 service management); the status. */
    private int register(final int port) throws IOException, InterruptedException
    {
        final String service = """
            {"serName":"VideoService","version":"1","state":"ACTIVE","serializer":"JSON",
             "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"1.1",
              "endpoint":{"addresses":[{"host":"127.0.0.1","port":%d}]},"security":{}}}""".formatted(port);
        final Processes.Result result = Processes.exec(dir, CURL_TIMEOUT, "", List.of("curl", "-sS", "-k",
            "--max-time", "15", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code}", "--cert",
            app.chain().toString(), "--key", app.key().toString(), "-H", "Content-Type: application/json", "--data",
            service, "https://127.0.0.1:" + ports[5] + "/mec_service_mgmt/v1/applications/" + APP_ID + "/services"));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return Integer.parseInt(result.output().trim());
    }

    /** The application's PUT of its rule over Mp1 (mutual TLS with its SVID); the status. */
    private int put(final String action, final String state) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "15", "--noproxy",
            "*", "-o", "/dev/null", "-w", "%{http_code}", "--cert", app.chain().toString(), "--key",
            app.key().toString(), "-X", "PUT", "-H", "Content-Type: application/json", "--data",
            RULE.formatted(action, state),
            "https://127.0.0.1:" + ports[5] + "/mec_app_support/v2/applications/" + APP_ID
                + "/traffic_rules/TrafficRule1"));
        final Processes.Result result = Processes.exec(dir, CURL_TIMEOUT, "", command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return Integer.parseInt(result.output().trim());
    }
}
