package io.mecmesh.dataplane.qos;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admit stage on loopback, with a real data plane and backend: requests classified by header into a slice whose
 * policy record and QoS settings say how they are admitted.
 */
class QosIntegrationTest
{
    private static final int SLICE = 2 << 24 | 0x0000B2;
    private static final int ROUTE_ID = 3;
    private static final int PACED_BODY_BYTES = 300_000;
    private static final long PACED_RATE = 100_000;
    private static final long PACED_BURST = 64 * 1024;

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final TestBackend backend = new TestBackend("app");
    private DataPlane dataPlane;

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        backend.close();
    }

    private void start(final SliceQosConfig slice, final long linkCapacityBps, final SlicePolicy record)
    {
        final RouteConfig route = new RouteConfig("r", RouteMatch.prefix("*", "/"),
            new RouteAction.Forward(List.of(new WeightedCluster("app", 1)), 15_000, 0, RetryPolicy.NONE),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL).withPolicyRouteId(ROUTE_ID);
        final MeshConfig config = new MeshConfig(1, TransportKind.AUTO, 1, Locality.UNKNOWN,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)), List.of(route),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))))
            .withClassification(new ClassificationConfig(List.of(ClassificationRule.header(SLICE, "x-slice", "b"))))
            .withQos(new QosConfig(linkCapacityBps, List.of(slice)));
        dataPlane = DataPlane.start(config, counters);
        dataPlane.publishPolicyTable(new PolicyTableWriter(2).add(record).build(1));
    }

    private static SlicePolicy sliceDefault(final long downlinkBytesPerSecond, final long burstBytes,
        final long timeoutMs)
    {
        return new SlicePolicy(SLICE, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 19, 46, 0, downlinkBytesPerSecond,
            burstBytes, TimeUnit.MILLISECONDS.toNanos(timeoutMs), 0, 10, 0);
    }

    /** A slice paced at 100 kB/s downlink, burst 64 KiB. */
    private void startPaced()
    {
        start(SliceQosConfig.defaults(SLICE), 0, sliceDefault(PACED_RATE, PACED_BURST, 30_000));
    }

    /** Everything beyond the burst leaves at the paced rate: 90 % of (300,000 - 65,536) / 100,000 s at least. */
    private static long minimumPacedMs()
    {
        return (PACED_BODY_BYTES - PACED_BURST) * 1_000 / PACED_RATE * 9 / 10;
    }

    private RawHttp.Response get(final String path) throws IOException
    {
        try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: app\r\nx-slice: b\r\n\r\n").read();
        }
    }

    private SliceQosStats stats()
    {
        return dataPlane.qos().stats(SLICE);
    }

    @Test
    void shouldAnswer429WithRetryAfterWhenAPolicedSliceIsOverItsRequestRate() throws IOException
    {
        start(new SliceQosConfig(SLICE, QosMode.POLICE, 0, 1, 0, 0, 0), 0, sliceDefault(0, 0, 5_000));

        assertThat(get("/a").status()).isEqualTo(200);
        final RawHttp.Response refused = get("/b");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers()).containsKey("retry-after");
        assertThat(Integer.parseInt(refused.headers().get("retry-after"))).isBetween(1, 2);
        assertThat(backend.requestLines()).containsExactly("GET /a");
        assertThat(stats().count(QosOutcome.ADMITTED)).isEqualTo(1);
        assertThat(stats().count(QosOutcome.POLICED)).isEqualTo(1);
    }

    @Test
    void shouldPoliceHttp2StreamsFromTheirSlicesBucket() throws Exception
    {
        start(new SliceQosConfig(SLICE, QosMode.POLICE, 0, 1, 0, 0, 0), 0, sliceDefault(0, 0, 5_000));
        final String url = "http://127.0.0.1:" + dataPlane.listenerAddress("ingress").getPort();

        // Two concurrent streams on one HTTP/2 connection (nghttp, prior knowledge), one request/s: one is over it.
        final Process nghttp = new ProcessBuilder("nghttp", "-nv", "-H", "x-slice: b", url + "/h2-a", url + "/h2-b")
            .redirectErrorStream(true).start();
        final String frames = new String(nghttp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(nghttp.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(frames.lines().filter(line -> line.endsWith(":status: 200"))).hasSize(1);
        assertThat(frames.lines().filter(line -> line.endsWith(":status: 429"))).hasSize(1);
        assertThat(frames).contains("retry-after: 1");
        assertThat(backend.requestLines()).hasSize(1);
        assertThat(stats().count(QosOutcome.POLICED)).isEqualTo(1);
        assertThat(stats().count(QosOutcome.ADMITTED)).isEqualTo(1);
    }

    @Test
    void shouldForwardAShapedRequestWhenItsTokenComes() throws IOException
    {
        start(new SliceQosConfig(SLICE, QosMode.SHAPE, 3_000, 2, 0, 0, 0), 0, sliceDefault(0, 0, 5_000));

        assertThat(get("/a").status()).isEqualTo(200);
        final RawHttp.Response shaped = get("/b");

        assertThat(shaped.status()).isEqualTo(200);
        assertThat(backend.requestLines()).containsExactly("GET /a", "GET /b");
        assertThat(stats().count(QosOutcome.SHAPED)).isEqualTo(1);
        assertThat(stats().count(QosOutcome.ADMITTED)).isEqualTo(2);
        // Two requests/s: the shaped one waited for its token, about half a second.
        assertThat(stats().queuedNs()).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void shouldAnswer504WithoutReachingTheBackendWhenTheDelayBudgetPassesWhileQueued() throws IOException
    {
        start(new SliceQosConfig(SLICE, QosMode.SHAPE, 5_000, 1, 0, 0, 0), 0, sliceDefault(0, 0, 300));

        assertThat(get("/a").status()).isEqualTo(200);
        final RawHttp.Response expired = get("/b");

        assertThat(expired.status()).isEqualTo(504);
        assertThat(backend.requestLines()).containsExactly("GET /a");
        assertThat(stats().count(QosOutcome.EXPIRED)).isEqualTo(1);
    }

    @Test
    void shouldRefuseAGbrRequestWith503WhileTheLinkIsFullAndAdmitOnceItEnds() throws Exception
    {
        start(new SliceQosConfig(SLICE, QosMode.POLICE, 0, 0, 3_000_000, 3_000_000, 0), 10_000_000,
            sliceDefault(0, 0, 5_000));

        try (RawHttp holder = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            holder.send("GET /delay/1500 HTTP/1.1\r\nHost: app\r\nx-slice: b\r\n\r\n");
            Await.until("the first GBR request admitted", Duration.ofSeconds(5), () -> stats().activeGbr() == 1);

            final RawHttp.Response refused = get("/b");

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsKey("retry-after");
            assertThat(holder.read().status()).isEqualTo(200);
        }
        Await.until("the GBR released", Duration.ofSeconds(5), () -> stats().activeGbr() == 0);
        assertThat(get("/c").status()).isEqualTo(200);
        assertThat(stats().count(QosOutcome.REFUSED_GBR)).isEqualTo(1);
        assertThat(backend.requestLines()).containsExactly("GET /delay/1500", "GET /c");
    }

    @Test
    void shouldPaceAResponseBodyAtTheSlicesDownlinkRate() throws IOException
    {
        final int bodyBytes = PACED_BODY_BYTES;
        startPaced();
        final String body = "x".repeat(bodyBytes);

        final long startNs = System.nanoTime();
        final RawHttp.Response echoed;
        try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            echoed = client.send("POST /echo HTTP/1.1\r\nHost: app\r\nx-slice: b\r\nContent-Length: " + bodyBytes
                + "\r\n\r\n" + body).read();
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertThat(echoed.status()).isEqualTo(200);
        assertThat(echoed.body()).hasSize(bodyBytes);
        assertThat(elapsedMs).isGreaterThanOrEqualTo(minimumPacedMs());
        assertThat(stats().downlinkBytes()).isEqualTo(bodyBytes);
    }

    @Test
    void shouldPoliceANewRequestWith429WhileTheSlicesResponsesWaitForItsDownlinkBucket() throws Exception
    {
        startPaced();
        final String body = "x".repeat(PACED_BODY_BYTES);
        final ExecutorService download = Executors.newSingleThreadExecutor();
        try
        {
            // One paced download holds the slice's downlink bucket for about 2.3 s.
            final Future<RawHttp.Response> paced = download.submit(() ->
            {
                try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress")))
                {
                    return client.send("POST /echo HTTP/1.1\r\nHost: app\r\nx-slice: b\r\nContent-Length: "
                        + PACED_BODY_BYTES + "\r\n\r\n" + body).read();
                }
            });
            RawHttp.Response refused = null;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (refused == null && !paced.isDone() && System.nanoTime() < deadlineNs)
            {
                final RawHttp.Response answer = get("/c");
                if (answer.status() == 429)
                {
                    refused = answer;
                }
            }

            assertThat(refused).as("a request while the download is paced").isNotNull();
            assertThat(refused.headers()).containsEntry("retry-after", "1");
            assertThat(paced.get(30, TimeUnit.SECONDS).body()).hasSize(PACED_BODY_BYTES);
            assertThat(stats().count(QosOutcome.POLICED)).isPositive();
            assertThat(get("/c").status()).as("once the backlog is gone").isEqualTo(200);
        }
        finally
        {
            download.shutdownNow();
        }
    }

    @Test
    void shouldPaceAnHttp2ResponseBodyAtTheSlicesDownlinkRate() throws Exception
    {
        final int bodyBytes = PACED_BODY_BYTES;
        startPaced();
        final Path upload = Files.createTempFile("h2-paced", ".bin");
        try
        {
            Files.write(upload, new byte[bodyBytes]);
            final String url = "http://127.0.0.1:" + dataPlane.listenerAddress("ingress").getPort() + "/echo";

            // curl over HTTP/2 (prior knowledge): its echoed body leaves the stream at the slice's downlink rate.
            final long startNs = System.nanoTime();
            final Process curl = new ProcessBuilder("curl", "-s", "--http2-prior-knowledge", "-H", "x-slice: b",
                "--data-binary", "@" + upload, "-o", "/dev/null", "-w",
                "%{http_version} %{http_code} %{size_download}", url).redirectErrorStream(true).start();
            final String result = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            assertThat(result).isEqualTo("2 200 " + bodyBytes);
                assertThat(elapsedMs).isGreaterThanOrEqualTo(minimumPacedMs());
            assertThat(stats().downlinkBytes()).isEqualTo(bodyBytes);
        }
        finally
        {
            Files.delete(upload);
        }
    }

    @Test
    void shouldPaceATransferInFlightAtTheRatesOfAPolicyTablePublishedWhileItRuns() throws Exception
    {
        // 10 kB/s: the 600 kB echo would take about a minute at the rate of its request head.
        final int bodyBytes = 600_000;
        start(SliceQosConfig.defaults(SLICE), 0, sliceDefault(10_000, PACED_BURST, 120_000));
        final String body = "x".repeat(bodyBytes);
        final ExecutorService client = Executors.newSingleThreadExecutor();
        try
        {
            final Future<RawHttp.Response> echoed = client.submit(() ->
            {
                try (RawHttp http = new RawHttp(dataPlane.listenerAddress("ingress")))
                {
                    return http.send("POST /echo HTTP/1.1\r\nHost: app\r\nx-slice: b\r\nContent-Length: "
                        + bodyBytes + "\r\n\r\n" + body).read();
                }
            });
            Await.until("the burst written, the rest paced", Duration.ofSeconds(10),
                () -> stats().downlinkBytes() >= PACED_BURST);
            assertThat(echoed).isNotDone();

            // The slice's MBR raised to 10 MB/s (a PATCHed allocation): the transfer running finishes at it.
            dataPlane.publishPolicyTable(new PolicyTableWriter(2)
                .add(sliceDefault(10_000_000, PACED_BURST, 120_000)).build(2));
            final RawHttp.Response response = echoed.get(20, TimeUnit.SECONDS);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).hasSize(bodyBytes);
            assertThat(stats().downlinkBytes()).isEqualTo(bodyBytes);
        }
        finally
        {
            client.shutdownNow();
        }
    }
}
