package io.mecmesh.dataplane.overload;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Overload shedding, driven by signals the test sets: new requests get 503 with {@code x-mecmesh-overloaded} and
 * are counted by reason (HTTP/1.1 and HTTP/2 alike), the connection stays usable, and requests pass again once
 * every signal is below its recovery threshold (not before: hysteresis).
 */
class OverloadSheddingTest
{
    private static final OverloadConfig THRESHOLDS = new OverloadConfig(100, 50, 90, 80, 90, 80);

    /** Signals set by the test; read by the data plane's periodic evaluation. */
    private static final class ManualSignals implements OverloadSignals
    {
        private volatile long lagMs;
        private volatile int heap;
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
            return heap;
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
