package io.mecmesh.dataplane.overload;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Overload shedding, driven by signals the test sets: new requests get 503 with {@code x-mecmesh-overloaded} and
 * are counted by reason (HTTP/1.1 and HTTP/2 alike), the connection stays usable, and requests pass again once
 * every signal is below its recovery threshold (not before: hysteresis). Shedding is slice-aware: the lowest 5QI
 * priorities (and unclassified traffic) first, higher ones only while the overload stays at its maximum.
 */
class OverloadSheddingTest
{
    private static final OverloadConfig THRESHOLDS = new OverloadConfig(100, 50, 90, 80, 90, 80);
    private static final int URLLC = 2 << 24 | 0x0000B2;
    private static final int MIOT = 3 << 24 | 0x0000C3;
    private static final int EMBB = 1 << 24 | 0x0000A1;

    /** Signals set by the test; read by the data plane's periodic evaluation. */
    private static final class ManualSignals implements OverloadSignals
    {
        private volatile long lagMs;
        private volatile int heap;
        /** Heap readings returned once each, one per evaluation, before {@link #heap}. */
        private final ConcurrentLinkedQueue<Integer> heapScript = new ConcurrentLinkedQueue<>();
        private volatile int direct;
        private final AtomicInteger starts = new AtomicInteger();
        private final AtomicInteger stops = new AtomicInteger();

        @Override
        public void start()
        {
            starts.incrementAndGet();
        }

        @Override
        public void stop()
        {
            stops.incrementAndGet();
        }

        @Override
        public long eventLoopLagNs()
        {
            return TimeUnit.MILLISECONDS.toNanos(lagMs);
        }

        @Override
        public int heapUsedPercent()
        {
            final Integer scripted = heapScript.poll();
            return scripted != null ? scripted : heap;
        }

        @Override
        public int directMemoryUsedPercent()
        {
            return direct;
        }
    }

    @Test
    void shouldShedNewRequestsWith503WhileOverloadedAndRecoverBelowTheLowerThreshold() throws Exception
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final ManualSignals signals = new ManualSignals();
            final DataPlaneCounters counters = new DataPlaneCounters();
            final DataPlane dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "app")),
                List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))))
                .withOverload(THRESHOLDS), counters, signals);
            final OverloadMonitor monitor = dataPlane.overload();
            final InetSocketAddress address = dataPlane.listenerAddress("ingress");
            try (RawHttp client = new RawHttp(address))
            {
                assertThat(client.send("GET /before HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(200);

                signals.lagMs = 150;
                Await.until("overload entered", Duration.ofSeconds(5),
                    () -> monitor.reason() == OverloadReason.EVENT_LOOP_LAG);
                final RawHttp.Response shed = client.send("GET /shed HTTP/1.1\r\nHost: app\r\n\r\n").read();
                assertThat(shed.status()).isEqualTo(503);
                assertThat(shed.headers()).containsEntry("x-mecmesh-overloaded", "event_loop_lag");
                final RawHttp.Response withBody = client.send("POST /shed-body HTTP/1.1\r\nHost: app\r\n"
                    + "Content-Length: 5\r\n\r\nhello").read();
                assertThat(withBody.status()).as("a shed request's body is dropped, the connection kept")
                    .isEqualTo(503);

                signals.lagMs = 70;
                assertThat(monitor.evaluate()).as("between the thresholds it stays in overload")
                    .isEqualTo(OverloadReason.EVENT_LOOP_LAG);
                assertThat(client.send("GET /still HTTP/1.1\r\nHost: app\r\n\r\n").read().status()).isEqualTo(503);

                signals.lagMs = 10;
                Await.until("recovered", Duration.ofSeconds(5), () -> monitor.reason() == null);
                final RawHttp.Response after = client.send("GET /after HTTP/1.1\r\nHost: app\r\n\r\n").read();
                assertThat(after.status()).isEqualTo(200);
                assertThat(after.headers()).doesNotContainKey("x-mecmesh-overloaded");

                signals.heap = 95;
                Await.until("heap overload", Duration.ofSeconds(5), () -> monitor.reason() == OverloadReason.HEAP);
                assertThat(client.send("GET /heap HTTP/1.1\r\nHost: app\r\n\r\n").read().headers())
                    .containsEntry("x-mecmesh-overloaded", "heap");
                final String http2 = run("curl", "-sS", "--http2-prior-knowledge", "-i", "-H", "Host: app",
                    "http://127.0.0.1:" + address.getPort() + "/h2");
                assertThat(http2).startsWith("HTTP/2 503").contains("x-mecmesh-overloaded: heap");
                signals.heap = 0;
                Await.until("recovered again", Duration.ofSeconds(5), () -> monitor.reason() == null);
            }
            finally
            {
                dataPlane.close();
            }
            assertThat(backend.requestLines()).containsExactly("GET /before", "GET /after");
            final OverloadStats stats = monitor.stats();
            assertThat(stats.shed(OverloadReason.EVENT_LOOP_LAG)).isEqualTo(3);
            assertThat(stats.shed(OverloadReason.HEAP)).isEqualTo(2);
            assertThat(stats.shedTotal()).isEqualTo(5);
            assertThat(stats.entered()).isEqualTo(2);
            assertThat(stats.current()).isNull();
            assertThat(counters.get(DataPlaneCounter.RESPONSES_5XX)).as("HTTP/1.1 and HTTP/2 listeners count them")
                .isEqualTo(5);
        }
    }

    @Test
    void shouldShedTheLowestPrioritySlicesFirstAndUrllcOnlyOnceTheOverloadPersists() throws Exception
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final ManualSignals signals = new ManualSignals();
            signals.heap = 85; // between recover (80) and max (90): holds the band reached, never enters alone
            final DataPlane dataPlane = DataPlane.start(config(1, backend).withOverload(THRESHOLDS)
                .withClassification(new ClassificationConfig(List.of(
                    ClassificationRule.header(URLLC, "x-slice", "urllc"),
                    ClassificationRule.header(MIOT, "x-slice", "miot"),
                    ClassificationRule.header(EMBB, "x-slice", "embb")))), new DataPlaneCounters(), signals);
            dataPlane.publishPolicyTable(new PolicyTableWriter(4)
                .add(slicePolicy(URLLC, 19))
                .add(slicePolicy(MIOT, 55))
                .add(slicePolicy(EMBB, 90))
                .build(1));
            final OverloadMonitor monitor = dataPlane.overload();
            final InetSocketAddress address = dataPlane.listenerAddress("ingress");
            try (RawHttp client = new RawHttp(address))
            {
                assertThat(statuses(client)).as("not in overload").containsExactly(200, 200, 200, 200);

                signals.heapScript.add(95);
                Await.until("overload entered", Duration.ofSeconds(5), () -> monitor.reason() == OverloadReason.HEAP);
                assertThat(monitor.shedFromPriorityLevel()).isEqualTo(80);
                assertThat(statuses(client)).as("urllc, miot, embb, unclassified: the lowest band only")
                    .containsExactly(200, 200, 503, 503);
                final String url = "http://127.0.0.1:" + address.getPort() + "/h2";
                final String http2 = run("curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                    "%{http_version} %{http_code}", "-H", "Host: app", "-H", "x-slice: urllc", url) + ", "
                    + run("curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                    "%{http_version} %{http_code}", "-H", "Host: app", "-H", "x-slice: embb", url);
                assertThat(http2).as("HTTP/2 streams alike").isEqualTo("2 200, 2 503");

                signals.heapScript.add(95);
                signals.heapScript.add(95);
                Await.until("two bands more", Duration.ofSeconds(5), () -> monitor.shedFromPriorityLevel() == 40);
                assertThat(statuses(client)).as("still at max: miot shed too, urllc spared")
                    .containsExactly(200, 503, 503, 503);

                signals.heapScript.add(95);
                signals.heapScript.add(95);
                Await.until("every band", Duration.ofSeconds(5), () -> monitor.shedFromPriorityLevel() == 1);
                assertThat(statuses(client)).as("the overload persists: urllc shed last")
                    .containsExactly(503, 503, 503, 503);

                signals.heap = 0;
                Await.until("recovered", Duration.ofSeconds(5), () -> monitor.reason() == null);
                assertThat(monitor.shedFromPriorityLevel()).isEqualTo(Integer.MAX_VALUE);
                assertThat(statuses(client)).containsExactly(200, 200, 200, 200);
            }
            finally
            {
                dataPlane.close();
            }
            assertThat(monitor.stats().shed(OverloadReason.HEAP)).isEqualTo(2 + 1 + 3 + 4);
            assertThat(backend.requestLines()).filteredOn(line -> line.contains("urllc")).hasSize(4);
        }
    }

    @Test
    void shouldLowerTheShedPriorityLevelOneBandPerEvaluationAtTheMaximumAndHoldItBetweenTheThresholds()
    {
        final ManualSignals signals = new ManualSignals();
        final OverloadMonitor monitor = new OverloadMonitor(THRESHOLDS, signals, new OverloadStats());
        assertThat(monitor.evaluate()).isNull();
        assertThat(monitor.shedFromPriorityLevel()).isEqualTo(Integer.MAX_VALUE);
        assertThat(monitor.shedReason(128)).as("unclassified passes outside overload").isNull();

        signals.lagMs = 150;
        monitor.evaluate();
        assertThat(monitor.shedFromPriorityLevel()).isEqualTo(80);
        assertThat(monitor.shedReason(128)).isEqualTo(OverloadReason.EVENT_LOOP_LAG);
        assertThat(monitor.shedReason(90)).isEqualTo(OverloadReason.EVENT_LOOP_LAG);
        assertThat(monitor.shedReason(79)).isNull();
        monitor.evaluate();
        assertThat(monitor.shedFromPriorityLevel()).isEqualTo(60);

        signals.lagMs = 70;
        monitor.evaluate();
        monitor.evaluate();
        assertThat(monitor.shedFromPriorityLevel()).as("held between the thresholds").isEqualTo(60);

        signals.lagMs = 150;
        for (int i = 0; i < 10; i++)
        {
            monitor.evaluate();
        }
        assertThat(monitor.shedFromPriorityLevel()).as("the last band sheds everything").isEqualTo(1);
        assertThat(monitor.shedReason(1)).isEqualTo(OverloadReason.EVENT_LOOP_LAG);

        signals.lagMs = 10;
        assertThat(monitor.evaluate()).isNull();
        assertThat(monitor.shedReason(128)).isNull();
        signals.lagMs = 150;
        monitor.evaluate();
        assertThat(monitor.shedFromPriorityLevel()).as("a new overload starts from the lowest band again")
            .isEqualTo(80);
    }

    @Test
    void shouldRejectBandsThatDoNotEndWithEveryLevel()
    {
        assertThatThrownBy(() -> new PriorityShedding(new int[] {80, 60}))
            .hasMessage("cutoffs: expected the last band to start at level 1, got [80, 60]");
        assertThatThrownBy(() -> new PriorityShedding(new int[] {60, 80, 1}))
            .hasMessage("cutoffs: expected strictly decreasing levels, got [60, 80, 1]");
    }

    /** One request per slice on the connection: urllc, miot, embb, then unclassified. */
    private static List<Integer> statuses(final RawHttp client) throws IOException
    {
        final List<Integer> statuses = new ArrayList<>();
        for (final String slice : List.of("urllc", "miot", "embb", "none"))
        {
            statuses.add(client.send("GET /" + slice + " HTTP/1.1\r\nHost: app\r\nx-slice: " + slice + "\r\n\r\n")
                .read().status());
        }
        return statuses;
    }

    private static SlicePolicy slicePolicy(final int sliceId, final int priorityLevel)
    {
        return new SlicePolicy(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, priorityLevel, 0, 0, 0, 0,
            TimeUnit.SECONDS.toNanos(10), 0, 10, 0);
    }

    @Test
    void shouldNeverShedWhenDisabled()
    {
        final ManualSignals signals = new ManualSignals();
        signals.lagMs = 10_000;
        signals.heap = 100;
        signals.direct = 100;
        final OverloadMonitor monitor = new OverloadMonitor(OverloadConfig.DISABLED, signals, new OverloadStats());

        assertThat(monitor.evaluate()).isNull();
        monitor.configure(THRESHOLDS);
        assertThat(monitor.evaluate()).isEqualTo(OverloadReason.EVENT_LOOP_LAG);
        signals.lagMs = 0;
        assertThat(monitor.evaluate()).isEqualTo(OverloadReason.HEAP);
        signals.heap = 85;
        assertThat(monitor.evaluate()).as("heap between the thresholds, direct memory above").isEqualTo(
            OverloadReason.DIRECT_MEMORY);
        signals.direct = 0;
        assertThat(monitor.evaluate()).as("heap still above its recovery threshold").isNotNull();
        signals.heap = 79;
        assertThat(monitor.evaluate()).isNull();
        assertThat(monitor.stats().entered()).isEqualTo(1);
    }

    @Test
    void shouldRejectARecoveryThresholdNotBelowTheEntryThreshold()
    {
        assertThatThrownBy(() -> new OverloadConfig(100, 100, 0, 0, 0, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("recoverEventLoopLagMs: expected 0 to 99");
        assertThatThrownBy(() -> new OverloadConfig(0, 0, 101, 0, 0, 0))
            .hasMessageStartingWith("maxHeapPercent: expected 0 (off) to 100");
        assertThatThrownBy(() -> new OverloadConfig(0, 0, 0, 5, 0, 0))
            .hasMessageStartingWith("recoverHeapPercent: expected 0 while maxHeapPercent is 0 (off)");
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

    @Test
    void shouldRunNoProbeNorEvaluationWhileSheddingIsOffAndStartThemWhenAnUpdateTurnsItOn() throws Exception
    {
        try (TestBackend backend = new TestBackend("app"))
        {
            final ManualSignals signals = new ManualSignals();
            final DataPlane dataPlane = DataPlane.start(config(0, backend), new DataPlaneCounters(), signals);
            try
            {
                final OverloadMonitor monitor = dataPlane.overload();
                assertThat(monitor.isEvaluating()).as("no evaluation without an overload section").isFalse();
                assertThat(signals.starts.get()).as("no probe started").isZero();

                signals.lagMs = 150;
                dataPlane.update(config(1, backend).withOverload(THRESHOLDS));
                assertThat(monitor.isEvaluating()).isTrue();
                assertThat(signals.starts.get()).isEqualTo(1);
                Await.until("overload entered once evaluations run", Duration.ofSeconds(5),
                    () -> monitor.reason() == OverloadReason.EVENT_LOOP_LAG);

                dataPlane.update(config(2, backend));
                assertThat(monitor.isEvaluating()).isFalse();
                assertThat(signals.stops.get()).isEqualTo(1);
                Await.until("state cleared when shedding is turned off", Duration.ofSeconds(5),
                    () -> monitor.reason() == null);
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    private static MeshConfig config(final long version, final TestBackend backend)
    {
        return new MeshConfig(version, TransportKind.AUTO, 1, List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))));
    }
}
