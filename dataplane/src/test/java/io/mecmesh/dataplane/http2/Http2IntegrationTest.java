package io.mecmesh.dataplane.http2;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 downstream (prior knowledge on the same port as HTTP/1.1) to HTTP/1.1 upstream, with real HTTP/2 clients:
 * curl and h2load.
 */
class Http2IntegrationTest
{
    private TestBackend backend;
    private DataPlaneCounters counters;
    private DataPlane dataPlane;
    private String base;

    @BeforeEach
    void start()
    {
        backend = new TestBackend("app");
        counters = new DataPlaneCounters();
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("app.local", "/", "app"), new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port()))))), counters);
        base = "http://127.0.0.1:" + dataPlane.listenerAddress("ingress").getPort();
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
        backend.close();
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerCurlWithPriorKnowledgeOverHttp2() throws Exception
    {
        final String output = run("curl", "-sS", "--http2-prior-knowledge", "-i", "-H", "Host: app.local",
            base + "/h2/hello");

        assertThat(output).startsWith("HTTP/2 200");
        assertThat(output).contains("app GET /h2/hello");
        assertThat(backend.requests().get(0).headers().names()).noneMatch(name -> name.startsWith("x-http2-"));
        assertThat(counters.get(DataPlaneCounter.RESPONSES_2XX)).isEqualTo(1);
    }

    @Test
    void shouldStreamABodyUpAndBackOverHttp2(@TempDir final Path dir) throws Exception
    {
        final byte[] body = new byte[1024 * 1024];
        new Random(7).nextBytes(body);
        final Path upload = Files.write(dir.resolve("upload.bin"), body);
        final Path download = dir.resolve("download.bin");

        final String status = run("curl", "-sS", "--http2-prior-knowledge", "-o", download.toString(), "-w",
            "%{http_code} %{http_version}", "--data-binary", "@" + upload, base + "/echo");

        assertThat(status).isEqualTo("200 2");
        assertThat(Files.readAllBytes(download)).isEqualTo(body);
    }

    @Test
    void shouldServeManyConcurrentStreamsFromH2load() throws Exception
    {
        final String output = run("h2load", "-n", "400", "-c", "2", "-m", "20", "-t", "1", base + "/load");

        assertThat(output).contains("400 succeeded, 0 failed, 0 errored");
        assertThat(output).contains("status codes: 400 2xx");
        assertThat(backend.requestLines()).hasSize(400);
        assertThat(backend.connectionCount()).as("streams share pooled HTTP/1.1 upstream connections")
            .isLessThanOrEqualTo(40);
    }

    @Test
    void shouldKeepServingHttp11OnTheSamePort() throws Exception
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            assertThat(raw.send("GET /h1 HTTP/1.1\r\nHost: app.local\r\n\r\n").read().body())
                .isEqualTo("app GET /h1");
        }
        final String output = run("curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
            "%{http_version}", base + "/h2");
        assertThat(output).isEqualTo("2");
    }

    @Test
    void shouldAnswer404OnAStreamWithoutAffectingOthers() throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "--http2-prior-knowledge", "-o",
            "/dev/null", "-w", "%{http_code}\\n", "-H", "Host: nowhere.local"));
        command.add(base + "/missing");
        final String output = run(command.toArray(new String[0]));

        assertThat(output.trim()).isEqualTo("200");
        assertThat(counters.get(DataPlaneCounter.NO_ROUTE)).as("the '*' route takes any host").isZero();
    }
}
