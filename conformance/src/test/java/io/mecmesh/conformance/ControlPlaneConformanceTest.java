package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, "what it must show", across processes on loopback: a control plane ({@code mecmesh run}, role control)
 * and two edge appliances (role edge) talking over Aeron UDP; the operator drives them with {@code mecmesh apply -f}
 * and {@code mecmesh status}. The methods run in order on the same processes: apply and converge, change routes,
 * lose the control plane (the edges keep routing, a killed edge restarts from its last known good file and catches
 * up when the control plane is back), a control plane whose state went backwards (refused by the nodes and reported),
 * and a corrupted last-known-good file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneConformanceTest
{
    private static final System.Logger LOG = System.getLogger(ControlPlaneConformanceTest.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    /** Kept when a test fails: configurations, documents and logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static EchoBackend video1;
    private static EchoBackend video2;
    private static EchoBackend video3;
    private static EchoBackend cdn;
    private static EchoBackend plc;
    private static int[] ports;
    private static ApplianceProcess control;
    private static ApplianceProcess edgeA;
    private static ApplianceProcess edgeB;

    @BeforeAll
    static void startControlPlaneAndTwoEdges() throws Exception
    {
        video1 = new EchoBackend("video-1");
        video2 = new EchoBackend("video-2");
        video3 = new EchoBackend("video-3");
        cdn = new EchoBackend("cdn");
        plc = new EchoBackend("plc");
        // 0 api, 1 control admin, 2 config udp, 3 ack udp, 4/5/6 edge-a admin/listener/udp, 7/8/9 edge-b
        ports = FreePorts.take(10);
        final byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.write(dir.resolve("distribution.key"), key);
        control = startControl("control");
        control.awaitReady();
        edgeA = startEdge("edge-a", 4);
        edgeB = startEdge("edge-b", 7);
        edgeA.awaitLive();
        edgeB.awaitLive();
        assertThat(Http.get(ports[4], "/ready").body()).as("no configuration yet (the nodes are not declared)")
            .startsWith("not ready: no configuration applied yet");
    }

    @AfterAll
    static void stopAll()
    {
        for (final AutoCloseable closeable : new AutoCloseable[] {edgeA, edgeB, control, video1, video2, video3, cdn,
            plc})
        {
            try
            {
                if (closeable != null)
                {
                    closeable.close();
                }
            }
            catch (final Exception ex)
            {
                LOG.log(System.Logger.Level.WARNING, "stopping failed", ex);
            }
        }
    }

    @Test
    @Order(1)
    void applyShouldReachEveryEdgeWithinOneSecondAndTrafficShouldFollowTheRoutes() throws Exception
    {
        final Path state = Files.writeString(dir.resolve("state-1.yaml"), desiredState(video1.port()));
        final long start = System.nanoTime();
        final Launcher.Result applied = cli("apply", "-f", state.toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        final long version = versionOf(applied.out());
        awaitApplied(version, "edge-a", "edge-b");
        edgeA.awaitReady();
        edgeB.awaitReady();
        final long convergedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        LOG.log(System.Logger.Level.INFO, "apply -f (CLI process included) to both edges reporting version {0}: {1} ms",
            version, convergedMs);

        awaitRoute(edgeListener("edge-a"), "video.example", "200 video-1 GET /watch");
        assertThat(Http.getVia(edgeListener("edge-a"), "cdn.example", "/img")).isEqualTo("200 cdn GET /img");
        assertThat(Http.getVia(edgeListener("edge-b"), "plc.example", "/control/valve"))
            .isEqualTo("200 plc GET /control/valve");
        assertThat(Http.getVia(edgeListener("edge-b"), "video.example", "/watch"))
            .as("edge-b hosts only the URLLC slice's service: eMBB routes are not visible there").startsWith("404");

        final Launcher.Result status = cli("status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("edge-a").contains("edge-b");
    }

    @Test
    @Order(2)
    void aChangedServiceShouldReachEveryEdgeWithinOneSecondAndMoveTheTraffic() throws Exception
    {
        final long start = System.nanoTime();
        final HttpResponse<String> applied = Http.post(ports[0], "/v1/apply", desiredState(video2.port(), 2));
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        final long version = JSON.readTree(applied.body()).path("version").asLong();
        awaitApplied(version, "edge-a", "edge-b");
        final long convergedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        LOG.log(System.Logger.Level.INFO, "POST /v1/apply to both edges reporting version {0}: {1} ms", version,
            convergedMs);
        assertThat(convergedMs).as("from apply to every edge node reporting the new version").isLessThan(1_000);
        assertThat(Http.getVia(edgeListener("edge-b"), "plc.example", "/control/valve"))
            .isEqualTo("200 plc GET /control/valve");
        awaitRoute(edgeListener("edge-a"), "video.example", "200 video-2 GET /watch");
    }

    @Test
    @Order(3)
    void anEdgeCutOffFromTheControlPlaneShouldRestartFromDiskAndCatchUpOnReconnect() throws Exception
    {
        edgeA.kill();
        final Path state = Files.writeString(dir.resolve("state-3.yaml"), desiredState(video3.port(), 2));
        final Launcher.Result applied = cli("apply", "-f", state.toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        final long latest = versionOf(applied.out());
        awaitUpToDate("edge-b");
        control.close();

        assertThat(Http.getVia(edgeListener("edge-b"), "plc.example", "/control/valve"))
            .as("edge-b keeps routing without its control plane").isEqualTo("200 plc GET /control/valve");

        final long restart = System.nanoTime();
        edgeA = startEdge("edge-a", 4);
        awaitRoute(edgeListener("edge-a"), "video.example", "200 video-2 GET /watch");
        final long servingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
        LOG.log(System.Logger.Level.INFO, "edge-a restarted without a control plane, serving its last known good"
            + " configuration {0} ms after the process started", servingMs);
        // Logged once the node agent's channels are bound, a moment after the configuration went live.
        Processes.await(Duration.ofSeconds(10), () -> edgeA.log().contains("serving last known good configuration"),
            () -> "edge-a to log its last known good configuration; its log: " + edgeA.log());

        control = startControl("control");
        control.awaitReady();
        awaitApplied(latest, "edge-a");
        awaitRoute(edgeListener("edge-a"), "video.example", "200 video-3 GET /watch");
    }

    @Test
    @Order(4)
    void aConfigurationGoingBackwardsShouldBeRefusedByTheNodeAndReported() throws Exception
    {
        control.close();
        control = startControl("control-restored-from-an-old-backup");
        control.awaitReady();
        final Path state = Files.writeString(dir.resolve("state-old.yaml"), desiredState(video1.port()));
        final Launcher.Result applied = cli("apply", "-f", state.toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();

        Processes.await(CONVERGE, () -> rejection("edge-a").contains("VERSION_NOT_NEWER"),
            () -> "edge-a to report a rejected version; status: " + statusJson());
        assertThat(Http.getVia(edgeListener("edge-a"), "video.example", "/watch"))
            .as("the node keeps its current configuration").isEqualTo("200 video-3 GET /watch");
        final Launcher.Result status = cli("status");
        assertThat(status.out()).as(status.toString()).contains("VERSION_NOT_NEWER");
    }

    @Test
    @Order(5)
    void aCorruptedLastKnownGoodFileShouldBeDetectedAndThePreviousOneUsed() throws Exception
    {
        control.close();
        edgeA.kill();
        final Path current = dir.resolve("edge-a/lkg/last-known-good.bin");
        assertThat(dir.resolve("edge-a/lkg/last-known-good.previous.bin")).exists();
        try (var channel = Files.newByteChannel(current, StandardOpenOption.WRITE))
        {
            channel.position(Files.size(current) / 2);
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {0x5A, 0x5A, 0x5A, 0x5A}));
        }
        edgeA = startEdge("edge-a", 4);
        edgeA.awaitReady();
        awaitRoute(edgeListener("edge-a"), "video.example", "200 video-2 GET /watch");
        assertThat(edgeA.log()).contains("from PREVIOUS");
        assertThat(edgeA.metric("mecmesh_distribution_node_events_total{event=\"lkg_corrupt\"}")).isEqualTo(1.0);
        assertThat(edgeA.metric("mecmesh_distribution_node_events_total{event=\"lkg_loaded_previous\"}"))
            .isEqualTo(1.0);
    }

    private static ApplianceProcess startControl(final String name) throws IOException
    {
        return ApplianceProcess.start(dir, name, ports[1], ControlPlaneYaml.control(dir.resolve(name), ports[1],
            ports[0], ports[2], ports[3], dir.resolve("distribution.key"), ""));
    }

    private static ApplianceProcess startEdge(final String name, final int first) throws IOException
    {
        return ApplianceProcess.start(dir, name, ports[first], ControlPlaneYaml.edge(name, name.replace("edge", "site"),
            "zone-1", dir.resolve(name), ports[first], ports[0], ports[2], ports[3], ports[first + 2],
            dir.resolve("distribution.key"), """
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %d
            """.formatted(ports[first + 1])));
    }

    private static int edgeListener(final String name)
    {
        return ports["edge-a".equals(name) ? 5 : 8];
    }

    /**
     * Two slices, three services: video and cdn (eMBB) on edge-a, plc (URLLC) on edge-b. Written as JSON, which is
     * also YAML: the same text is a file for {@code apply -f} and a body for {@code POST /v1/apply}.
     */
    private static String desiredState(final int videoPort)
    {
        return desiredState(videoPort, 1);
    }

    /**
     * @param videoPort the port of the video service's endpoint (edge-a's content).
     * @param plcWeight the weight of the plc service's endpoint (edge-b's content; any weight routes the same).
     */
    private static String desiredState(final int videoPort, final int plcWeight)
    {
        return """
            {"slices": [
               {"snssai": "1-000001", "name": "embb", "fiveQi": 9},
               {"snssai": "2-000002", "name": "urllc", "fiveQi": 82}],
             "services": [
               {"name": "video", "slice": "1-000001", "routes": [{"host": "video.example"}],
                "endpoints": [{"address": "127.0.0.1", "port": %d, "site": "site-a", "zone": "zone-1"}]},
               {"name": "cdn", "slice": "1-000001", "routes": [{"host": "cdn.example"}],
                "endpoints": [{"address": "127.0.0.1", "port": %d, "site": "site-a", "zone": "zone-1"}]},
               {"name": "plc", "slice": "2-000002", "routes": [{"host": "plc.example", "pathPrefix": "/control/"}],
                "endpoints": [{"address": "127.0.0.1", "port": %d, "site": "site-b", "zone": "zone-1", "weight": %d}]}],
             "nodes": [
               {"id": "edge-a", "site": "site-a", "zone": "zone-1", "services": ["video", "cdn"]},
               {"id": "edge-b", "site": "site-b", "zone": "zone-1", "services": ["plc"]}]}
            """.formatted(videoPort, cdn.port(), plc.port(), plcWeight);
    }

    private static Launcher.Result cli(final String... args) throws IOException, InterruptedException
    {
        final String[] withServer = new String[args.length + 2];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = "http://127.0.0.1:" + ports[0];
        return Launcher.run(dir, withServer);
    }

    private static long versionOf(final String applyOutput)
    {
        final java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("applied version (\\d+)")
            .matcher(applyOutput);
        assertThat(matcher.find()).as("apply output names the version: " + applyOutput).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static JsonNode statusJson()
    {
        try
        {
            final HttpResponse<String> response = Http.get(ports[0], "/v1/status");
            return JSON.readTree(response.body());
        }
        catch (final IOException ex)
        {
            return JSON.createObjectNode().put("error", ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static Map<String, JsonNode> nodes()
    {
        final Map<String, JsonNode> nodes = new java.util.TreeMap<>();
        statusJson().path("nodes").forEach(node -> nodes.put(node.path("id").asText(), node));
        return nodes;
    }

    private static String rejection(final String node)
    {
        final JsonNode status = nodes().get(node);
        return status == null ? "" : status.path("rejected").toString();
    }

    private static void awaitApplied(final long version, final String... nodeIds)
    {
        Processes.await(CONVERGE, () ->
        {
            final Map<String, JsonNode> nodes = nodes();
            for (final String id : nodeIds)
            {
                final JsonNode node = nodes.get(id);
                if (node == null || node.path("appliedVersion").asLong(-1) != version)
                {
                    return false;
                }
            }
            return true;
        }, () -> "nodes " + String.join(", ", nodeIds) + " to apply version " + version + "; status: " + statusJson());
    }

    /**
     * Waits until a node runs the latest version published for it (a node whose content did not change keeps its
     * version: versions are per node).
     */
    private static void awaitUpToDate(final String nodeId)
    {
        Processes.await(CONVERGE, () ->
        {
            final JsonNode node = nodes().get(nodeId);
            return node != null && node.path("upToDate").asBoolean() && node.path("appliedVersion").asLong(-1) >= 0;
        }, () -> "node " + nodeId + " up to date; status: " + statusJson());
    }

    private static void awaitRoute(final int port, final String host, final String expected)
    {
        final String[] last = {""};
        Processes.await(CONVERGE, () -> (last[0] = Http.getVia(port, host, "/watch")).equals(expected),
            () -> host + " on port " + port + " to answer \"" + expected + "\"; last answer: " + last[0]);
    }
}
