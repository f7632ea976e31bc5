package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.ClusterStats;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster's circuit breakers end to end on loopback: requests over a limit get 503 at once with
 * {@code x-mecmesh-overflow}, the others are forwarded.
 */
class CircuitBreakerIntegrationTest
{
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private DataPlane dataPlane;

    @AfterEach
    void stop() throws Exception
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
    }

    private void start(final int eventLoops, final int port, final int connectTimeoutMs, final CircuitBreakers limits)
    {
        start(eventLoops, port, connectTimeoutMs, limits, RetryPolicy.NONE);
    }

    private void start(final int eventLoops, final int port, final int connectTimeoutMs, final CircuitBreakers limits,
        final RetryPolicy retry)
    {
        final ClusterConfig cluster = new ClusterConfig("c", List.of(new Endpoint("127.0.0.1", port)),
            connectTimeoutMs, 8, 60_000).withCircuitBreakers(limits);
        final RouteAction.Forward forward = new RouteAction.Forward(List.of(new WeightedCluster("c", 1)), 10_000, 0,
            retry);
        dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, eventLoops, Locality.UNKNOWN,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("r", RouteMatch.prefix("*", "/"), forward, HeaderRewrite.NONE,
                HeaderRewrite.NONE)),
            List.of(cluster)), counters);
    }

    /** Sends one request per connection, all before reading any answer, then reads every answer. */
    private List<RawHttp.Response> sendConcurrently(final int count, final String path) throws IOException
    {
        final List<RawHttp> clients = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress"));
            closeables.add(client);
            clients.add(client.send("GET " + path + " HTTP/1.1\r\nHost: app\r\n\r\n"));
        }
        final List<RawHttp.Response> responses = new ArrayList<>();
        for (final RawHttp client : clients)
        {
            responses.add(client.read());
        }
        return responses;
    }

    private static long overflowed(final List<RawHttp.Response> responses, final Overflow breaker)
    {
        return responses.stream()
            .filter(r -> r.status() == 503 && breaker.label().equals(r.headers().get("x-mecmesh-overflow")))
            .count();
    }

    private ClusterStats clusterStats()
    {
        return counters.stats().cluster("c");
    }

    @Test
    void shouldAnswer503ToExactlyTheRequestsOverThePendingLimitWhileConnectsHang() throws Exception
    {
        // A listener with a backlog of 1 that never accepts: two connections fill its queue, every later SYN is
        // dropped, so each connect from the proxy hangs until its timeout and its request stays pending.
        final ServerSocket stuck = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeables.add(stuck);
        for (int i = 0; i < 2; i++)
        {
            final Socket filler = new Socket();
            closeables.add(filler);
            filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), stuck.getLocalPort()), 1000);
        }
        start(2, stuck.getLocalPort(), 1500, new CircuitBreakers(1024, 3, 1024, 3));

        final List<RawHttp.Response> responses = sendConcurrently(8, "/");

        assertThat(overflowed(responses, Overflow.PENDING)).as("8 requests, 3 may wait: %s", responses)
            .isEqualTo(5);
        assertThat(responses).filteredOn(r -> r.status() == 502).as("the pending ones time out connecting")
            .hasSize(3);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_CIRCUIT_OPEN)).isEqualTo(5);
        assertThat(clusterStats().circuitOpen(Overflow.PENDING)).isEqualTo(5);
        assertThat(clusterStats().circuitOpen(Overflow.REQUESTS)).isZero();
    }

    @Test
    void shouldAnswer503ToExactlyTheRequestsOverTheInFlightLimitAndServeTheOthers() throws Exception
    {
        final TestBackend slow = new TestBackend("slow");
        closeables.add(slow);
        start(2, slow.port(), 1000, new CircuitBreakers(1024, 1024, 2, 3));

        final List<RawHttp.Response> responses = sendConcurrently(5, "/delay/700");

        assertThat(overflowed(responses, Overflow.REQUESTS)).as("%s", responses).isEqualTo(3);
        assertThat(responses).filteredOn(r -> r.status() == 200).hasSize(2);
        assertThat(slow.requestLines()).hasSize(2);
        assertThat(clusterStats().circuitOpen(Overflow.REQUESTS)).isEqualTo(3);

        final List<RawHttp.Response> after = sendConcurrently(2, "/");
        assertThat(after).as("the slots were given back").allMatch(r -> r.status() == 200);
    }

    @Test
    void shouldAnswer503WhenARequestNeedsAConnectionOverTheLimitAndReuseTheOpenOneLater() throws Exception
    {
        final TestBackend slow = new TestBackend("slow");
        closeables.add(slow);
        // One event loop: the idle connection is in the pool of the loop every later request arrives on.
        start(1, slow.port(), 1000, new CircuitBreakers(1, 1024, 1024, 3));

        final List<RawHttp.Response> responses = sendConcurrently(3, "/delay/500");

        assertThat(overflowed(responses, Overflow.CONNECTIONS)).as("%s", responses).isEqualTo(2);
        assertThat(responses).filteredOn(r -> r.status() == 200).hasSize(1);
        for (int i = 0; i < 3; i++)
        {
            assertThat(sendConcurrently(1, "/").get(0).status()).as("the idle connection is reused").isEqualTo(200);
        }
        assertThat(slow.connectionCount()).isEqualTo(1);
    }

    @Test
    void shouldNotRetryOverTheRetryLimitAndAnswerWithTheAttemptsOwnFailure() throws Exception
    {
        final TestBackend failing = new TestBackend("failing");
        closeables.add(failing);
        start(1, failing.port(), 1000, new CircuitBreakers(1024, 1024, 1024, 0),
            new RetryPolicy(2, Set.of(503), 1, 2, 1.0, 100, 0));

        final RawHttp.Response response = sendConcurrently(1, "/status/503").get(0);

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("failing GET /status/503");
        assertThat(response.headers()).doesNotContainKey("x-mecmesh-overflow");
        assertThat(failing.requestLines()).as("no retry").hasSize(1);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_RETRIES)).isZero();
        assertThat(clusterStats().circuitOpen(Overflow.RETRIES)).isEqualTo(1);
    }
}
