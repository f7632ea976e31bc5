package io.mecmesh.conformance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 items 3-4 through the installed launcher: an appliance of role {@code all} with a {@code dns} section;
 * an application's DNS rule applied with {@code mecmesh apply -f} is answered by {@code dig} with its TTL, answered
 * NXDOMAIN with its local zone's SOA ({@code dns.localZones}) within a second of turning INACTIVE and answered again
 * within a second of turning ACTIVE; AXFR is refused; {@code mecmesh proxy-config dns} lists what it serves.
 */
class MecDnsResponderConformanceTest
{
    private static final Duration DIG_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration RULE_DEADLINE = Duration.ofSeconds(1);
    private static final String DOCUMENT = """
        slices:
          - {snssai: 1-000001, name: embb, fiveQi: 9}
        services:
          - name: video
            slice: 1-000001
            endpoints: [{address: 127.0.0.1, port: 18080, site: site-a, zone: zone-1}]
            routes: [{host: video.mesh}]
        nodes:
          - {id: edge-a, site: site-a, zone: zone-1, services: [video]}
        apps:
          - id: app-1
            name: video-analytics
            node: edge-a
            slice: 1-000001
            spiffeId: spiffe://mesh.test/app/video-analytics
            dnsRules:
              - {dnsRuleId: dns-1, domainName: video.mec.example, ipAddressType: IP_V4, ipAddress: 192.0.2.10,
                 ttl: 30, state: %s}
        """;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private int dnsPort;

    @Test
    void digShouldGetAnActiveRulesAddressWithItsTtlAndNoAnswerOnceInactive() throws Exception
    {
        Processes.onPath("bind9-dnsutils", "dig");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 dns
        final int[] ports = FreePorts.take(6);
        dnsPort = ports[5];
        try (ApplianceProcess appliance = ApplianceProcess.start(dir, "all", ports[0], """
            role: all
            node: {id: edge-a, site: site-a, zone: zone-1}
            dataDirectory: %s
            admin: {address: 127.0.0.1, port: %d}
            controlPlane: {address: 127.0.0.1, api: {port: %d, insecureLoopback: true}, configPort: %d, ackPort: %d}
            dataplane:
              listeners:
                - {name: ingress, address: 127.0.0.1, port: %d}
            dns: {address: 127.0.0.1, port: %d, timeoutMs: 200, localZones: [mec.example]}
            """.formatted(dir.resolve("data"), ports[0], ports[2], ports[3], ports[4], ports[1], ports[5])))
        {
            appliance.awaitLive();
            apply(ports[2], "ACTIVE");
            appliance.awaitReady();
            Processes.await(Duration.ofSeconds(30), () -> dig("video.mec.example").contains("192.0.2.10"),
                () -> "the rule answered: " + dig("video.mec.example"));

            assertThat(dig("video.mec.example")).contains("status: NOERROR")
                .containsPattern("video\\.mec\\.example\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.10");
            assertThat(dig("video.mesh")).as("a mesh service name: the local listener")
                .containsPattern("video\\.mesh\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.0\\.1");
            assertThat(dig("+tcp", "video.mec.example", "AXFR")).contains("Transfer failed");

            final Launcher.Result shown = Launcher.run(dir, "proxy-config", "dns", "--admin",
                "http://127.0.0.1:" + ports[0]);
            assertThat(shown.exitCode()).as(shown.toString()).isZero();
            assertThat(shown.out()).contains("dns 127.0.0.1:" + dnsPort + ", upstreams none")
                .containsPattern("video\\.mec\\.example\\s+A\\s+192\\.0\\.2\\.10\\s+30\\s+rule app-1/dns-1")
                .containsPattern("video\\.mesh\\s+A\\s+127\\.0\\.0\\.1\\s+60\\s+mesh");

            apply(ports[2], "INACTIVE");
            Processes.await(RULE_DEADLINE, () -> dig("video.mec.example").contains("status: NXDOMAIN"),
                () -> "within 1 s of the apply, the INACTIVE rule's name does not exist in its local zone: "
                    + dig("video.mec.example"));
            assertThat(dig("video.mec.example")).contains("flags: qr aa")
                .containsPattern("mec\\.example\\.\\s+60\\s+IN\\s+SOA\\s+mec\\.example\\. hostmaster\\.mec\\.example\\.");
            assertThat(dig("elsewhere.example")).as("outside the local zone: no upstream, REFUSED")
                .contains("status: REFUSED");

            apply(ports[2], "ACTIVE");
            Processes.await(RULE_DEADLINE, () -> dig("video.mec.example").contains("192.0.2.10"),
                () -> "within 1 s of the apply, the rule ACTIVE again is answered: " + dig("video.mec.example"));
            assertThat(dig("video.mec.example"))
                .containsPattern("video\\.mec\\.example\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.10");
            assertThat(appliance.log()).doesNotContain("ERROR");
        }
    }

    private void apply(final int apiPort, final String state) throws IOException, InterruptedException
    {
        final Path document = Files.writeString(dir.resolve("desired-state-" + state + ".yaml"),
            DOCUMENT.formatted(state));
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
            "http://127.0.0.1:" + apiPort);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
    }

    private String dig(final String... args)
    {
        final String[] command = new String[args.length + 6];
        command[0] = "dig";
        command[1] = "@127.0.0.1";
        command[2] = "-p";
        command[3] = Integer.toString(dnsPort);
        command[4] = "+tries=1";
        command[5] = "+time=2";
        System.arraycopy(args, 0, command, 6, args.length);
        try
        {
            return Processes.exec(dir, DIG_TIMEOUT, command).output();
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
