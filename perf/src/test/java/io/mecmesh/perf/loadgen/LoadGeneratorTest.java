package io.mecmesh.perf.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The load generator against a known server on 127.0.0.1 that the test starts: rate, counts, coordinated omission,
 * HTTP/2 and errors by kind. Each run is bounded by its duration plus its timeout.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LoadGeneratorTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldHoldTheTargetRateWithinOnePercentAndSendWhatTheServerCounted(@TempDir final Path dir) throws IOException
    {
        try (TestHttpServer server = TestHttpServer.http1())
        {
            final Path json = dir.resolve("run.json");
            final Path hlog = dir.resolve("run.hlog");
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final int exitCode = LoadGenerator.execute(new String[]{
                "--url", server.url("/"), "--rate", "2000", "--connections", "8", "--warmup", "500ms",
                "--duration", "3s", "--json", json.toString(), "--hlog", hlog.toString(), "--quiet"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

            assertThat(exitCode).as(out.toString(StandardCharsets.UTF_8)).isZero();
            final JsonNode result = new ObjectMapper().readTree(json.toFile());
            assertThat(result.get("achievedRate").asDouble()).as(result.toString()).isCloseTo(2000.0, within(20.0));
            assertThat(result.at("/requests/scheduled").asLong()).isEqualTo(6000);
            assertThat(result.at("/requests/completed").asLong()).isEqualTo(6000);
            // Warm-up requests still unsent when the window opens are dropped (a busy machine): sent or dropped, 1,000.
            assertThat(result.at("/requests/sentWarmup").asLong() + result.at("/requests/droppedWarmup").asLong())
                .isEqualTo(1000);
            assertThat(result.at("/errors/connect").asLong() + result.at("/errors/reset").asLong() +
                result.at("/errors/timeout").asLong() + result.at("/errors/status").asLong()).isZero();
            assertThat(result.at("/latencyUs/count").asLong()).isEqualTo(6000);
            assertThat(result.at("/latencyUs/p99").asLong()).isPositive();
            assertThat(server.requests())
                .isEqualTo(result.at("/requests/sent").asLong() + result.at("/requests/sentWarmup").asLong());
            // Paced, not bursted: as seen by the server, 2 s in the steady middle of the run hold 4,000 requests.
            assertThat(server.requestsBetween(SECOND_NS, 3 * SECOND_NS)).isCloseTo(4000L, within(40L));
            assertThat(hlogCount(hlog)).isEqualTo(6000);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("achieved 2000.0 req/s");
        }
    }

    @Test
    void shouldReportTheHarnessCpuOfTheGeneratorTheWatchedProcessAndTheCoreInTheJson(@TempDir final Path dir)
        throws IOException
    {
        try (TestHttpServer server = TestHttpServer.http1())
        {
            final Path json = dir.resolve("run.json");
            // The test JVM is both the generator and the watched process (it runs the server).
            final int exitCode = LoadGenerator.execute(new String[]{
                "--url", server.url("/"), "--rate", "2000", "--connections", "4", "--warmup", "500ms",
                "--duration", "2s", "--json", json.toString(), "--quiet", "--watch-cpu", "0",
                "--watch-pid", Long.toString(ProcessHandle.current().pid())},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));

            assertThat(exitCode).isZero();
            final JsonNode cpu = new ObjectMapper().readTree(json.toFile()).path("cpu");
            assertThat(cpu.path("core").asInt(-1)).as(cpu.toString()).isZero();
            assertThat(cpu.path("generatorCpuUs").asLong()).isPositive();
            // Same process, read from two files a moment apart: equal within a tick or two (10 ms each).
            assertThat(cpu.path("watchedCpuUs").asLong()).isCloseTo(cpu.path("generatorCpuUs").asLong(), within(20_000L));
            assertThat(cpu.path("generatorCpuPercent").asDouble()).isPositive();
            assertThat(cpu.path("coreBusyPercent").isNumber()).isTrue();
            assertThat(cpu.path("coreBusyPeakPercent").asDouble())
                .isBetween(cpu.path("coreBusyPercent").asDouble() - 1.0, 101.0);
            assertThat(cpu.path("complete").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldDropTheWarmUpBacklogSoThatTheWindowDoesNotQueueBehindIt()
    {
        // The server answers every request of its first 900 ms 50 ms late: 4 connections carry ~70 of the 900
        // warm-up requests due by then, so hundreds are still waiting when the window opens at 1 s. Sent first, they
        // would delay the window's first requests; dropped, the window starts on time. The rate is low enough for a
        // cold test JVM on a busy machine (4 ms per request per connection), and the 100 ms before the window leave
        // room for a first request sent late (the server's stall window starts at its first arrival).
        try (TestHttpServer server = TestHttpServer.http1().stallWindow(0, 900_000_000L, 50_000_000L))
        {
            final LoadResult result = run("--url", server.url("/"), "--rate", "1000", "--connections", "4",
                "--warmup", "1s", "--duration", "1s");

            assertThat(result.count(LoadCounter.DROPPED_WARMUP)).as(result.summary()).isGreaterThan(100);
            assertThat(result.count(LoadCounter.SENT_WARMUP) + result.count(LoadCounter.DROPPED_WARMUP))
                .isEqualTo(1_000);
            assertThat(result.count(LoadCounter.COMPLETED)).as(result.summary()).isEqualTo(1_000);
            assertThat(server.requests())
                .isEqualTo(result.count(LoadCounter.SENT) + result.count(LoadCounter.SENT_WARMUP));
            assertThat(result.latencyUs().getValueAtPercentile(99)).as(result.summary()).isLessThan(100_000);
        }
    }

    @Test
    void shouldShowAStalledServerInP99WhereTheUncorrectedMeasurementMissesIt()
    {
        // 1 s of 100 ms stalls on 2 connections: ~20 slow responses out of 6,000 (0.3%), so a measurement from the
        // actual send time keeps a fast p99; the ~2,000 requests that waited behind them make the corrected p99 slow.
        try (TestHttpServer server = TestHttpServer.http1().stallWindow(SECOND_NS, SECOND_NS, 100_000_000L))
        {
            final LoadResult result = run("--url", server.url("/"), "--rate", "2000", "--connections", "2",
                "--duration", "3s");

            assertThat(result.count(LoadCounter.COMPLETED)).as(result.summary()).isEqualTo(6000);
            assertThat(result.latencyUs().getValueAtPercentile(99)).isGreaterThanOrEqualTo(90_000);
            assertThat(result.uncorrectedUs().getMaxValue()).isGreaterThanOrEqualTo(90_000);
            assertThat(result.uncorrectedUs().getValueAtPercentile(99)).isLessThan(90_000);
        }
    }

    @Test
    void shouldLoadAnH2cServerWithSeveralStreamsPerConnection()
    {
        try (TestHttpServer server = TestHttpServer.h2c())
        {
            final LoadResult result = run("--url", server.url("/h2"), "--http2", "--streams", "4", "--connections",
                "2", "--rate", "1000", "--duration", "1500ms", "--body-size", "100");

            assertThat(result.count(LoadCounter.SCHEDULED)).as(result.summary()).isEqualTo(1500);
            assertThat(result.count(LoadCounter.COMPLETED)).isEqualTo(1500);
            assertThat(result.count(LoadCounter.ERROR_RESET) + result.count(LoadCounter.ERROR_STATUS)).isZero();
            assertThat(server.requests()).isEqualTo(1500);
            assertThat(result.achievedRatePerSecond()).isCloseTo(1000.0, within(10.0));
        }
    }

    @Test
    void shouldMeasureTheMaximumRateInClosedLoop()
    {
        try (TestHttpServer server = TestHttpServer.http1())
        {
            final LoadResult result = run("--url", server.url("/"), "--closed-loop", "--connections", "2",
                "--duration", "1s");

            assertThat(result.count(LoadCounter.COMPLETED)).as(result.summary()).isPositive()
                .isEqualTo(result.count(LoadCounter.SENT));
            assertThat(result.count(LoadCounter.SENT_WARMUP)).isZero();
            assertThat(server.requests()).isEqualTo(result.count(LoadCounter.SENT));
            assertThat(result.toJson()).containsEntry("mode", "closed-loop");
        }
    }

    @Test
    void shouldCountRefusedConnectionsAsConnectErrors() throws IOException
    {
        final int closedPort;
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = socket.getLocalPort();
        }

        final LoadResult result = run("--url", "http://127.0.0.1:" + closedPort + "/", "--rate", "100",
            "--connections", "2", "--duration", "1s", "--timeout", "300ms");

        assertThat(result.count(LoadCounter.ERROR_CONNECT)).as(result.summary()).isGreaterThanOrEqualTo(2);
        assertThat(result.count(LoadCounter.SENT)).isZero();
        assertThat(result.count(LoadCounter.COMPLETED)).isZero();
        assertThat(result.unsent()).isEqualTo(100);
    }

    @Test
    void shouldCountNon2xxResetsAndTimeoutsEachByItsKind()
    {
        try (TestHttpServer server = TestHttpServer.http1())
        {
            final LoadResult status = run("--url", server.url("/status/503"), "--rate", "200", "--connections", "2",
                "--duration", "500ms", "--timeout", "300ms");
            final LoadResult reset = run("--url", server.url("/reset"), "--rate", "200", "--connections", "2",
                "--duration", "500ms", "--timeout", "300ms");
            final LoadResult timeout = run("--url", server.url("/hang"), "--rate", "200", "--connections", "2",
                "--duration", "500ms", "--timeout", "300ms");

            assertThat(status.count(LoadCounter.ERROR_STATUS)).isEqualTo(100)
                .isEqualTo(status.count(LoadCounter.COMPLETED));
            assertThat(status.count(LoadCounter.ERROR_RESET) + status.count(LoadCounter.ERROR_TIMEOUT)).isZero();

            assertThat(reset.count(LoadCounter.ERROR_RESET)).isPositive()
                .isEqualTo(reset.count(LoadCounter.SENT));
            assertThat(reset.count(LoadCounter.COMPLETED) + reset.count(LoadCounter.ERROR_TIMEOUT)).isZero();

            assertThat(timeout.count(LoadCounter.ERROR_TIMEOUT)).isPositive()
                .isEqualTo(timeout.count(LoadCounter.SENT));
            assertThat(timeout.count(LoadCounter.COMPLETED) + timeout.count(LoadCounter.ERROR_RESET)).isZero();
        }
    }

    private static LoadResult run(final String... args)
    {
        final String[] quietArgs = java.util.Arrays.copyOf(args, args.length + 1);
        quietArgs[args.length] = "--quiet";
        return LoadGenerator.run(LoadGenOptions.parse(quietArgs), new PrintStream(new ByteArrayOutputStream()));
    }

    private static long hlogCount(final Path hlog) throws IOException
    {
        long count = 0;
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        try
        {
            EncodableHistogram interval;
            while ((interval = reader.nextIntervalHistogram()) != null)
            {
                count += ((org.HdrHistogram.Histogram)interval).getTotalCount();
            }
        }
        finally
        {
            reader.close();
        }
        return count;
    }
}
