package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wait queue of a cluster's active-request limit end to end (issue 13 item 9), in process on loopback: one event
 * loop, a cluster that takes one request at a time ({@code maxActiveRequestsPerLoop: 1}), a backend whose first
 * request holds that slot for a while ({@code /delay/N}). Requests over the limit wait by their slice's priority
 * level: URLLC (level 19) overtakes eMBB (level 90) queued before it, and an eMBB request whose timeout passes
 * while it waits gets 504 and never reaches the backend.
 */
class ActiveRequestQueueIntegrationTest
{
    private static final int EMBB = 1 << 24 | 0x0000A1;
    private static final int URLLC = 2 << 24 | 0x0000B2;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void shouldLetAHighPriorityRequestOvertakeLowPriorityOnesQueuedBeforeIt() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = start(backend, counters, TimeUnit.SECONDS.toNanos(30));
            try (RawHttp holder = new RawHttp(dataPlane.listenerAddress("ingress"));
                RawHttp low1 = new RawHttp(dataPlane.listenerAddress("ingress"));
                RawHttp low2 = new RawHttp(dataPlane.listenerAddress("ingress"));
                RawHttp high = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                holder.send(get("/delay/3000", "embb"));
                Await.until("the first request at the backend", WAIT, () -> backend.requestLines().size() == 1);
                low1.send(get("/low1", "embb"));
                low2.send("POST /echo/low2 HTTP/1.1\r\nHost: app\r\nx-slice: embb\r\nContent-Length: 3\r\n\r\nabc");
                Await.until("two eMBB requests queued", WAIT,
                    () -> counters.get(DataPlaneCounter.UPSTREAM_QUEUED) == 2);
                high.send(get("/high", "urllc"));
                Await.until("the URLLC request queued", WAIT,
                    () -> counters.get(DataPlaneCounter.UPSTREAM_QUEUED) == 3);

                assertThat(holder.read().status()).isEqualTo(200);
                assertThat(high.read().status()).isEqualTo(200);
                assertThat(low1.read().status()).isEqualTo(200);
                final RawHttp.Response echoed = low2.read();
                assertThat(echoed.status()).isEqualTo(200);
                assertThat(echoed.body()).as("the body read while it waited, sent with it").isEqualTo("abc");
                assertThat(backend.requestLines()).as("the backend's arrival order")
                    .containsExactly("GET /delay/3000", "GET /high", "GET /low1", "POST /echo/low2");
                assertThat(counters.get(DataPlaneCounter.UPSTREAM_QUEUE_EXPIRED)).isZero();
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldAnswer504WithoutReachingTheBackendWhenTheTimeoutPassesWhileQueued() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = start(backend, counters, TimeUnit.MILLISECONDS.toNanos(200));
            try (RawHttp holder = new RawHttp(dataPlane.listenerAddress("ingress"));
                RawHttp late = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                holder.send(get("/delay/3000", "urllc"));
                Await.until("the first request at the backend", WAIT, () -> backend.requestLines().size() == 1);

                final RawHttp.Response response = late.send(get("/late", "embb")).read();

                assertThat(response.status()).isEqualTo(504);
                assertThat(response.body()).contains("queued");
                assertThat(counters.get(DataPlaneCounter.UPSTREAM_QUEUED)).isEqualTo(1);
                assertThat(counters.get(DataPlaneCounter.UPSTREAM_QUEUE_EXPIRED)).isEqualTo(1);
                assertThat(holder.read().status()).isEqualTo(200);
                assertThat(backend.requestLines()).as("the expired request never reached the backend")
                    .containsExactly("GET /delay/3000");
                assertThat(late.send(get("/after", "embb")).read().status())
                    .as("the connection and the slot serve the next request").isEqualTo(200);
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    private static DataPlane start(final TestBackend backend, final DataPlaneCounters counters,
        final long embbTimeoutNs)
    {
        final MeshConfig config = new MeshConfig(1, TransportKind.AUTO, 1,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))
                .withCircuitBreakers(new CircuitBreakers(1024, 1024, 1024, 3, 1, 8))))
            .withClassification(new ClassificationConfig(List.of(
                ClassificationRule.header(URLLC, "x-slice", "urllc"),
                ClassificationRule.header(EMBB, "x-slice", "embb"))));
        final DataPlane dataPlane = DataPlane.start(config, counters);
        dataPlane.publishPolicyTable(new PolicyTableWriter(2)
            .add(new SlicePolicy(URLLC, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 19, 46, 0, 0, 0,
                TimeUnit.SECONDS.toNanos(30), 0, 10, 0))
            .add(new SlicePolicy(EMBB, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 90, 0, 0, 0, 0, embbTimeoutNs, 0, 10, 0))
            .build(1));
        return dataPlane;
    }

    private static String get(final String path, final String slice)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: app\r\nx-slice: " + slice + "\r\n\r\n";
    }
}
