package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retries, the retry budget, timeouts, outlier ejection and configuration swaps, end to end on loopback.
 */
class ResilienceIntegrationTest
{
    private final List<TestBackend> backends = new ArrayList<>();
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private DataPlane dataPlane;

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(final String name)
    {
        final TestBackend backend = new TestBackend(name);
        backends.add(backend);
        return backend;
    }

    private static int deadPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static MeshConfig config(final long version, final RouteAction.Forward action,
        final List<ClusterConfig> clusters)
    {
        return new MeshConfig(version, TransportKind.AUTO, 1, Locality.UNKNOWN,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("r", RouteMatch.prefix("*", "/"), action, HeaderRewrite.NONE, HeaderRewrite.NONE)),
            clusters);
    }

    private static ClusterConfig cluster(final String name, final OutlierDetection outlier, final int... ports)
    {
        final List<Endpoint> endpoints = new ArrayList<>();
        for (final int port : ports)
        {
            endpoints.add(new Endpoint("127.0.0.1", port));
        }
        return new ClusterConfig(name, endpoints, 500, 8, 60_000, LbPolicy.ROUND_ROBIN, "", 70, outlier,
            java.util.Optional.empty());
    }

    private static RouteAction.Forward forward(final String cluster, final long timeoutMs, final long perTryMs,
        final RetryPolicy retry)
    {
        return new RouteAction.Forward(List.of(new WeightedCluster(cluster, 1)), timeoutMs, perTryMs, retry);
    }

    private RawHttp.Response get(final String path) throws IOException
    {
        try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
        {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n").read();
        }
    }

    @Test
    void shouldRetryAConnectFailureOnAnotherEndpoint() throws IOException
    {
        final TestBackend live = backend("live");
        final RetryPolicy oneRetryPerRequest = new RetryPolicy(2, Set.of(503), 1, 2, 1.0, 0, 0);
        dataPlane = DataPlane.start(config(0, forward("c", 5000, 0, oneRetryPerRequest),
            List.of(cluster("c", new OutlierDetection(0, 1000, 50), deadPort(), live.port()))), counters);

        for (int i = 0; i < 20; i++)
        {
            final RawHttp.Response response = get("/r" + i);
            assertThat(response.status()).as("request %d: %s; retries %d, exhausted %d, connect failures %d", i,
                response.body(), counters.get(DataPlaneCounter.UPSTREAM_RETRIES),
                counters.get(DataPlaneCounter.UPSTREAM_RETRY_BUDGET_EXHAUSTED),
                counters.get(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES)).isEqualTo(200);
        }

        assertThat(live.requestLines()).hasSize(20);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES)).isPositive();
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRIES))
            .as("every connect failure retried, on the live endpoint")
            .isEqualTo(counters.get(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES));
    }

    @Test
    void shouldRetryAStatusThePolicyNamesAndReturnTheLastAnswerWhenRetriesRunOut() throws IOException
    {
        final TestBackend failing = backend("failing");
        final RetryPolicy twoRetriesOn503 = new RetryPolicy(2, Set.of(503), 1, 2, 0.2, 100, 0);
        dataPlane = DataPlane.start(config(0, forward("c", 5000, 0, twoRetriesOn503),
            List.of(cluster("c", new OutlierDetection(0, 1000, 50), failing.port()))), counters);

        final RawHttp.Response response = get("/status/503");

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("failing GET /status/503");
        assertThat(failing.requestLines()).hasSize(3);
    }

    @Test
    void shouldNotMultiplyLoadBeyondTheRetryBudget() throws IOException
    {
        final TestBackend failing = backend("failing");
        final RetryPolicy budgeted = new RetryPolicy(3, Set.of(503), 1, 2, 0.2, 0, 0);
        dataPlane = DataPlane.start(config(0, forward("c", 5000, 0, budgeted),
            List.of(cluster("c", new OutlierDetection(0, 1000, 50), failing.port()))), counters);

        for (int i = 0; i < 100; i++)
        {
            assertThat(get("/status/503").status()).isEqualTo(503);
        }

        assertThat(failing.requestLines().size()).as("100 requests and at most 20% retries").isBetween(100, 120);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRY_BUDGET_EXHAUSTED)).isGreaterThan(0);
    }

    @Test
    void shouldRetryAfterAPerTryTimeoutOnTheOtherEndpoint() throws IOException
    {
        final TestBackend first = backend("a");
        final TestBackend second = backend("b");
        dataPlane = DataPlane.start(config(0, forward("c", 5000, 300, RetryPolicy.DEFAULT),
            List.of(cluster("c", new OutlierDetection(0, 1000, 50), first.port(), second.port()))), counters);

        final RawHttp.Response fast = get("/fast");
        final RawHttp.Response slowThenFast = get("/delay/2000");

        assertThat(fast.status()).isEqualTo(200);
        assertThat(slowThenFast.status()).as("every attempt is slow: the retries time out too").isEqualTo(504);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_PER_TRY_TIMEOUTS)).isEqualTo(3);
    }

    @Test
    void shouldAnswer504WhenTheRouteTimeoutExpires() throws IOException
    {
        final TestBackend slow = backend("slow");
        dataPlane = DataPlane.start(config(0, forward("c", 300, 0, RetryPolicy.NONE),
            List.of(cluster("c", new OutlierDetection(0, 1000, 50), slow.port()))), counters);

        final RawHttp.Response response = get("/delay/3000");

        assertThat(response.status()).isEqualTo(504);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_TIMEOUTS)).isEqualTo(1);
        assertThat(get("/after").status()).as("the proxy serves on").isEqualTo(200);
    }

    @Test
    void shouldEjectAFailingEndpointAndSendEverythingToTheHealthyOne() throws IOException
    {
        final TestBackend healthy = backend("healthy");
        final TestBackend failing = backend("failing");
        final RetryPolicy none = RetryPolicy.NONE;
        dataPlane = DataPlane.start(config(0, forward("c", 5000, 0, none),
            List.of(cluster("c", new OutlierDetection(3, 60_000, 50), healthy.port(), failing.port()))), counters);

        for (int i = 0; i < 6; i++)
        {
            get(i % 2 == 0 ? "/ok" : "/status/500");
        }
        final int failingBefore = failing.requestLines().size();
        for (int i = 0; i < 20; i++)
        {
            assertThat(get("/status/500").body()).startsWith("healthy");
        }

        assertThat(failing.requestLines()).hasSize(failingBefore);
    }

    @Test
    void shouldSwapRoutesUnderLoadWithoutAFailedRequest() throws Exception
    {
        final TestBackend blue = backend("blue");
        final TestBackend green = backend("green");
        final List<ClusterConfig> clusters = List.of(
            cluster("blue", OutlierDetection.DEFAULT, blue.port()),
            cluster("green", OutlierDetection.DEFAULT, green.port()));
        dataPlane = DataPlane.start(config(1, forward("blue", 5000, 0, RetryPolicy.DEFAULT), clusters), counters);

        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService clients = Executors.newFixedThreadPool(4);
        final List<Future<int[]>> results = new ArrayList<>();
        for (int c = 0; c < 4; c++)
        {
            results.add(clients.submit(() ->
            {
                int ok = 0;
                int failed = 0;
                try (RawHttp raw = new RawHttp(dataPlane.listenerAddress("ingress")))
                {
                    for (int i = 0; i < 20_000 && running.get(); i++)
                    {
                        final int status = raw.send("GET /x HTTP/1.1\r\nHost: app\r\n\r\n").read().status();
                        if (status == 200)
                        {
                            ok++;
                        }
                        else
                        {
                            failed++;
                        }
                    }
                }
                return new int[] {ok, failed};
            }));
        }
        for (int version = 2; version < 42; version++)
        {
            dataPlane.update(config(version, forward(version % 2 == 0 ? "green" : "blue", 5000, 0,
                RetryPolicy.DEFAULT), clusters));
            final int seen = blue.requestLines().size() + green.requestLines().size();
            io.mecmesh.dataplane.testing.Await.until("requests on version " + version,
                java.time.Duration.ofSeconds(5), () -> blue.requestLines().size() + green.requestLines().size()
                    > seen + 20);
        }
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        int ok = 0;
        for (final Future<int[]> result : results)
        {
            assertThat(result.get()[1]).as("failed requests").isZero();
            ok += result.get()[0];
        }
        assertThat(ok).isGreaterThan(800);
        assertThat(blue.requestLines()).isNotEmpty();
        assertThat(green.requestLines()).isNotEmpty();
        assertThat(dataPlane.config().version()).isEqualTo(41);
    }
}
