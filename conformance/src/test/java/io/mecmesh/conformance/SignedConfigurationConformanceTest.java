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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11 item 3 and issue 12 items 9-10 with real processes: a control plane (role control, no CA) and an edge
 * over Aeron UDP on loopback. The edge's last-known-good file is edited ({@code video.example} becomes
 * {@code forge.example}) and re-hashed while the control plane is stopped; restarted, the edge refuses it, serves the
 * previous good file and says why ({@code /ready}, metrics, log). The edge logs losing and regaining its control
 * plane once each. Then the signing key is rotated with
 * {@code mecmesh cert signing-key} while the edge keeps applying, and an edge given foreign verification keys refuses
 * what the control plane sends and reports it. Methods run in order on the same processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignedConfigurationConformanceTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    /** {@code LastKnownGoodStore}'s header: magic, format, content length, SHA-256 of the content. */
    private static final int LKG_CONTENT_OFFSET = 44;

    /** Kept when a test fails: configurations, documents and logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static EchoBackend video1;
    private static EchoBackend video2;
    private static int[] ports;
    private static ApplianceProcess control;
    private static ApplianceProcess edge;
    private static long firstVersion;
    private static long latestVersion;

    @BeforeAll
    static void startControlPlaneAndEdge() throws Exception
    {
        video1 = new EchoBackend("video-1");
        video2 = new EchoBackend("video-2");
        // 0 api, 1 control admin, 2 config udp, 3 ack udp, 4 edge admin, 5 edge listener, 6 edge udp
        ports = FreePorts.take(7);
        final byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.write(dir.resolve("distribution.key"), key);
        control = startControl();
        control.awaitReady();
        edge = startEdge("");
        edge.awaitLive();   // an edge is ready once it runs a configuration: none yet
    }

    @AfterAll
    static void stopAll() throws Exception
    {
        for (final AutoCloseable closeable : new AutoCloseable[] {edge, control, video1, video2})
        {
            if (closeable != null)
            {
                closeable.close();
            }
        }
    }

    @Test
    @Order(1)
    void anEdgeRestartedWithoutItsControlPlaneShouldRefuseAnEditedAndRehashedFileAndServeThePreviousOne()
        throws Exception
    {
        firstVersion = apply(video1.port());
        awaitRoute("video.example", "200 video-1 GET /watch");
        latestVersion = apply(video2.port());
        awaitRoute("video.example", "200 video-2 GET /watch");
        control.close();
        edge.kill();

        final Path current = dir.resolve("edge-a/lkg/last-known-good.bin");
        forgeAndRehash(current, "video.example", "forge.example");
        edge = startEdge("");
        edge.awaitReady();

        assertThat(Http.getVia(ports[5], "forge.example", "/watch")).as("the forged route is not served")
            .startsWith("404");
        assertThat(Http.getVia(ports[5], "video.example", "/watch")).as("the previous good file is served")
            .isEqualTo("200 video-1 GET /watch");
        assertThat(edge.log()).containsPattern("ERROR .*last-known-good.bin: refused, signature: does not verify");
        final HttpResponse<String> ready = Http.get(ports[4], "/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("degraded: running the previous last known good configuration (version "
            + firstVersion + ")");
        final Map<String, Double> metrics = edge.metrics();
        assertThat(metrics).containsEntry("mecmesh_lkg_fallback", 1.0)
            .containsEntry("mecmesh_distribution_node_events_total{event=\"lkg_refused_signature\"}", 1.0)
            .containsEntry("mecmesh_control_plane_connected", 0.0)
            .containsEntry("mecmesh_config_version", (double) firstVersion)
            .doesNotContainKey("mecmesh_control_plane_last_contact_age_seconds");
    }

    @Test
    @Order(2)
    void theEdgeShouldLogTheControlPlaneReturningCatchUpAndLeaveTheFallback() throws Exception
    {
        control = startControl();
        control.awaitReady();
        awaitApplied(latestVersion);
        awaitRoute("video.example", "200 video-2 GET /watch");

        Processes.await(CONVERGE, () -> metric(edge, "mecmesh_lkg_fallback") == 0.0
            && metric(edge, "mecmesh_control_plane_connected") == 1.0, () -> "the edge to leave its fallback");
        assertThat(edge.metric("mecmesh_config_version")).isEqualTo((double) latestVersion);
        assertThat(edge.metric("mecmesh_control_plane_last_contact_age_seconds")).isBetween(0.0, 5.0);
        assertThat(Http.get(ports[4], "/ready").body()).doesNotContain("degraded");
        assertThat(edge.log()).containsOnlyOnce("control plane reachable, running configuration version");

        final Map<String, Double> controlMetrics = control.metrics();
        assertThat(controlMetrics.keySet()).as("a control plane exports no data-plane counters")
            .noneMatch(series -> series.startsWith("mecmesh_requests_total")
                || series.startsWith("mecmesh_responses_total") || series.startsWith("mecmesh_route_"))
            .anyMatch(series -> series.startsWith("mecmesh_distribution_control_events_total"));
    }

    @Test
    @Order(3)
    void theEdgeShouldLogLosingAndRegainingItsControlPlaneOnceEach() throws Exception
    {
        control.close();
        Processes.await(Duration.ofSeconds(30), () -> metric(edge, "mecmesh_control_plane_connected") == 0.0,
            () -> "the edge to notice that its control plane is gone");
        assertThat(edge.metric("mecmesh_control_plane_last_contact_age_seconds")).isGreaterThan(0.0);
        assertThat(Http.getVia(ports[5], "video.example", "/watch")).isEqualTo("200 video-2 GET /watch");

        control = startControl();
        control.awaitReady();
        Processes.await(CONVERGE, () -> metric(edge, "mecmesh_control_plane_connected") == 1.0,
            () -> "the edge to reach its control plane again");
        assertThat(edge.log()).containsOnlyOnce("lost the control plane; serving configuration version "
            + latestVersion).containsOnlyOnce("control plane reachable again");
    }

    @Test
    @Order(4)
    void theEdgeShouldFollowASigningKeyRotationMadeWithTheCli() throws Exception
    {
        final String keys = dir.resolve("control/control").toString();
        final Launcher.Result shown = Launcher.run(dir, "cert", "signing-key", "--ca-dir", keys);
        assertThat(shown.exitCode()).as(shown.toString()).isZero();
        assertThat(shown.out()).containsPattern("current  [0-9a-f]{16}").contains("config-verification.pem");

        final Launcher.Result rotated = Launcher.run(dir, "cert", "signing-key", "--ca-dir", keys, "--rotate");
        assertThat(rotated.exitCode()).as(rotated.toString()).isZero();
        assertThat(rotated.out()).contains("signing key rotated").containsPattern("previous [0-9a-f]{16}");
        apply(video1.port());
        awaitRoute("video.example", "200 video-1 GET /watch");

        final Launcher.Result finished = Launcher.run(dir, "cert", "signing-key", "--ca-dir", keys, "--finish");
        assertThat(finished.exitCode()).as(finished.toString()).isZero();
        assertThat(finished.out()).contains("rotation finished").doesNotContain("previous");
        latestVersion = apply(video2.port());
        awaitRoute("video.example", "200 video-2 GET /watch");
        assertThat(edge.metric("mecmesh_distribution_node_events_total{event=\"signing_key_pinned\"}"))
            .as("this process pinned the co-signing new key (the first key was pinned before its restart)")
            .isEqualTo(1.0);

        final Launcher.Result again = Launcher.run(dir, "cert", "signing-key", "--ca-dir", keys, "--finish");
        assertThat(again.exitCode()).isEqualTo(78);
        assertThat(again.err()).contains("no rotation under way");
    }

    @Test
    @Order(5)
    void anEdgeThatTrustsOtherKeysShouldRefuseTheControlPlanesConfigurationsAndReportThem() throws Exception
    {
        edge.close();
        final Path foreign = Files.writeString(dir.resolve("foreign-keys.pem"), foreignPublicKeyPem());
        edge = startEdge("  configVerificationKeys: " + foreign + "\n");
        edge.awaitLive();   // never ready: it trusts no key the control plane signs with

        Processes.await(CONVERGE, () -> rejection().contains("BAD_SIGNATURE"),
            () -> "edge-a to report a bad signature; status: " + statusJson());
        assertThat(Http.getVia(ports[5], "video.example", "/watch")).startsWith("404");
        assertThat(edge.metric("mecmesh_distribution_node_events_total{event=\"lkg_refused_signature\"}"))
            .as("its own last-known-good files (current and previous) are not signed by a key it trusts")
            .isEqualTo(2.0);
        assertThat(edge.metric("mecmesh_distribution_node_events_total{event=\"config_rejected_bad_signature\"}"))
            .isGreaterThanOrEqualTo(1.0);

        edge.close();
        edge = startEdge("  configVerificationKeys: " + dir.resolve("control/control/config-verification.pem")
            + "\n");
        edge.awaitReady();
        assertThat(Http.getVia(ports[5], "video.example", "/watch")).as("served from its last-known-good file")
            .isEqualTo("200 video-2 GET /watch");
        assertThat(edge.metric("mecmesh_lkg_fallback")).isEqualTo(0.0);
    }

    private static ApplianceProcess startControl() throws IOException
    {
        return ApplianceProcess.start(dir, "control", ports[1], ControlPlaneYaml.control(dir.resolve("control"),
            ports[1], ports[0], ports[2], ports[3], dir.resolve("distribution.key"), ""));
    }

    /**
     * @param controlPlaneLines more keys of the {@code controlPlane} section, indented by two spaces.
     */
    private static ApplianceProcess startEdge(final String controlPlaneLines) throws IOException
    {
        final String keyLine = "  keyFile: " + dir.resolve("distribution.key") + "\n";
        return ApplianceProcess.start(dir, "edge-a", ports[4], ControlPlaneYaml.edge("edge-a", "site-a", "zone-1",
            dir.resolve("edge-a"), ports[4], ports[0], ports[2], ports[3], ports[6], dir.resolve("distribution.key"),
            """
            dataplane:
              listeners:
                - name: outbound
                  address: 127.0.0.1
                  port: %d
            """.formatted(ports[5])).replace(keyLine, keyLine + controlPlaneLines));
    }

    private static long apply(final int videoPort) throws IOException, InterruptedException
    {
        final String state = """
            {"slices": [{"snssai": "1-000001", "name": "embb", "fiveQi": 9}],
             "services": [
               {"name": "video", "slice": "1-000001", "routes": [{"host": "video.example"}],
                "endpoints": [{"address": "127.0.0.1", "port": %d, "site": "site-a", "zone": "zone-1"}]}],
             "nodes": [{"id": "edge-a", "site": "site-a", "zone": "zone-1", "services": ["video"]}]}
            """.formatted(videoPort);
        final Path file = Files.writeString(dir.resolve("state-" + videoPort + ".yaml"), state);
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", file.toString(), "--server",
            "http://127.0.0.1:" + ports[0]);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        final java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("applied version (\\d+)")
            .matcher(applied.out());
        assertThat(matcher.find()).as("apply output names the version: " + applied.out()).isTrue();
        final long version = Long.parseLong(matcher.group(1));
        awaitApplied(version);
        return version;
    }

    /** The attack of issue 11: replace bytes in the file and recompute the SHA-256 of its header. */
    private static void forgeAndRehash(final Path file, final String from, final String to) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(file);
        final byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
        final byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = LKG_CONTENT_OFFSET; i + needle.length <= bytes.length; i++)
        {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
            {
                System.arraycopy(replacement, 0, bytes, i, replacement.length);
                replaced++;
            }
        }
        assertThat(replaced).as(file + " names " + from).isPositive();
        final byte[] digest = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOfRange(bytes,
            LKG_CONTENT_OFFSET, bytes.length));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(12).put(digest);
        Files.write(file, bytes);
    }

    private static String foreignPublicKeyPem() throws Exception
    {
        final byte[] encoded = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(encoded)
            + "\n-----END PUBLIC KEY-----\n";
    }

    private static double metric(final ApplianceProcess process, final String series)
    {
        try
        {
            return process.metric(series);
        }
        catch (final IOException | AssertionError ex)
        {
            return Double.NaN;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static JsonNode statusJson()
    {
        try
        {
            return JSON.readTree(Http.get(ports[0], "/v1/status").body());
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

    private static JsonNode edgeStatus()
    {
        for (final JsonNode node : statusJson().path("nodes"))
        {
            if ("edge-a".equals(node.path("id").asText()))
            {
                return node;
            }
        }
        return JSON.createObjectNode();
    }

    private static String rejection()
    {
        return edgeStatus().path("rejected").toString();
    }

    /** Every apply changes edge-a's content, so its version is the state's. */
    private static void awaitApplied(final long version)
    {
        Processes.await(CONVERGE, () -> edgeStatus().path("appliedVersion").asLong(-1) == version,
            () -> "edge-a to apply version " + version + "; status: " + statusJson());
    }

    private static void awaitRoute(final String host, final String expected)
    {
        final String[] last = {""};
        Processes.await(CONVERGE, () -> (last[0] = Http.getVia(ports[5], host, "/watch")).equals(expected),
            () -> host + " to answer \"" + expected + "\"; last answer: " + last[0]);
    }
}
