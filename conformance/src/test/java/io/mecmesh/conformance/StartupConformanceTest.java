package io.mecmesh.conformance;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, items 6-8, through the installed launcher: start-up fails with exit 69 and one line naming what is in the
 * way when an Aeron UDP endpoint cannot bind or the data directory is taken; an edge with nothing to serve is not
 * ready and says why.
 */
class StartupConformanceTest
{
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    /** 0 api, 1 control admin, 2 config, 3 ack, 4 edge admin, 5 edge listener, 6 edge node endpoint, 7 second admin. */
    private int[] ports;

    @BeforeEach
    void prepare() throws Exception
    {
        ports = FreePorts.take(8);
        Files.write(dir.resolve("distribution.key"), new byte[32]);
    }

    @Test
    void anEdgeWhoseNodeEndpointIsTakenShouldExit69WithOneLineNamingIt() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            ports[6])))
        {
            assertThat(taken.isBound()).isTrue();
            final Launcher.Result run = Launcher.run(dir, "run", "--config",
                Files.writeString(dir.resolve("edge.yaml"), edgeYaml("edge", 4, 6)).toString());

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(69);
            assertThat(run.err()).as("no stack trace").doesNotContain("\tat ");
            assertThat(errorLines(run)).as(run.toString()).containsExactly("mecmesh: controlPlane.nodeEndpoint"
                + " 127.0.0.1:" + ports[6] + ": the node agent cannot start: UDP 127.0.0.1:" + ports[6]
                + ": cannot bind: Address already in use");
        }
    }

    @Test
    void aControlPlaneWhosePublisherCannotBindShouldExit69WithOneLineNamingThePort() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            ports[3])))
        {
            assertThat(taken.isBound()).isTrue();
            final Launcher.Result run = Launcher.run(dir, "run", "--config", Files.writeString(
                dir.resolve("control.yaml"), ControlPlaneYaml.control(dir.resolve("control"), ports[1], ports[0],
                ports[2], ports[3], dir.resolve("distribution.key"), "")).toString());

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(69);
            assertThat(run.err()).as("no stack trace").doesNotContain("\tat ");
            assertThat(errorLines(run)).as(run.toString()).hasSize(1);
            assertThat(errorLines(run).get(0)).startsWith("mecmesh: controlPlane: the configuration publisher cannot"
                + " start: UDP 127.0.0.1:" + ports[3] + ": cannot bind: Address already in use");
        }
    }

    @Test
    void aSecondProcessOnTheSameDataDirectoryShouldExit69AndAnEdgeWithNothingToServeShouldNotBeReady()
        throws Exception
    {
        final Path lkg = Files.createDirectories(dir.resolve("edge/lkg"));
        Files.writeString(lkg.resolve("last-known-good.bin"), "corrupt");
        Files.writeString(lkg.resolve("last-known-good.previous.bin"), "corrupt too");
        try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge", ports[4], edgeYaml("edge", 4, 6)))
        {
            edge.awaitLive();
            final HttpResponse<String> ready = Http.get(ports[4], "/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("not ready: no configuration applied yet: no usable last known good"
                + " configuration, nothing applied: ");
            assertThat(edge.metric("mecmesh_ready")).isZero();

            final String second = edgeYaml("edge", 7, 6).replace("port: " + ports[5], "port: 0");
            final Launcher.Result run = Launcher.run(dir, "run", "--config",
                Files.writeString(dir.resolve("second.yaml"), second).toString());

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(69);
            assertThat(run.err()).as("no stack trace").doesNotContain("\tat ");
            assertThat(errorLines(run)).as(run.toString()).hasSize(1);
            assertThat(errorLines(run).get(0)).startsWith("mecmesh: dataDirectory " + dir.resolve("edge")
                + " is in use by another mecmesh process (pid ");
            assertThat(edge.isAlive()).as("the first keeps running").isTrue();
        }
    }

    @Test
    void anEdgeShouldRunWithTheSerialCollectorAndTheEdgesClassArchiveAndAControlPlaneWithTheDemos() throws Exception
    {
        try (ApplianceProcess edge = ApplianceProcess.start(dir, "edge", ports[4], edgeYaml("edge", 4, 6));
            ApplianceProcess control = ApplianceProcess.start(dir, "control", ports[1], ControlPlaneYaml.control(
                dir.resolve("control"), ports[1], ports[0], ports[2], ports[3], dir.resolve("distribution.key"), "")))
        {
            edge.awaitLive();
            control.awaitLive();

            assertThat(edge.commandLine()).contains("-XX:+UseSerialGC", "-XX:MaxHeapFreeRatio=30")
                .anyMatch(option -> option.startsWith("-XX:SharedArchiveFile=")
                    && option.endsWith("/lib/mecmesh-edge.jsa"));
            assertThat(control.commandLine()).contains("-XX:+UseSerialGC")
                .anyMatch(option -> option.startsWith("-XX:SharedArchiveFile=") && option.endsWith("/lib/mecmesh.jsa"));
        }
    }

    /** The launcher's own lines on standard error (the log lines have a level and a logger). */
    private static java.util.List<String> errorLines(final Launcher.Result run)
    {
        return run.err().lines().filter(line -> line.startsWith("mecmesh: ")).toList();
    }

    private String edgeYaml(final String name, final int admin, final int node)
    {
        return ControlPlaneYaml.edge(name, "site-a", "z", dir.resolve(name), ports[admin], ports[0], ports[2],
            ports[3], ports[node], dir.resolve("distribution.key"), """
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %d
            """.formatted(ports[5]));
    }
}
