package io.mecmesh.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI smoke profile of the JMH suite: every benchmark runs once, in this JVM (no fork), without warm-up, for
 * one short measurement iteration, so that the benchmarks keep compiling, setting up (each set-up checks that its
 * path does what it claims: decoded, routed, answered) and running. The figures are meaningless at these
 * settings; real runs are done by hand with {@code perf/bin/mecmesh-bench} and recorded in RESULTS.md.
 *
 * <p>Runs with the build's paranoid leak detection, so a benchmark that leaks a buffer is reported in the log.
 */
class BenchmarkSmokeTest
{
    private static final String PACKAGE = "io.mecmesh.perf.bench.";

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldRunEveryBenchmarkOnceAndProduceAScore() throws RunnerException
    {
        final Set<String> benchmarks = new TreeSet<>();
        for (final BenchmarkListEntry entry : BenchmarkList.defaultList().getAll(
            OutputFormatFactory.createFormatInstance(new PrintStream(OutputStream.nullOutputStream()),
                VerboseMode.SILENT), List.of()))
        {
            benchmarks.add(entry.getUsername());
        }
        assertThat(benchmarks)
            .as("benchmarks compiled into META-INF/BenchmarkList")
            .contains(PACKAGE + "RouteTableBenchmark.findLastHostLongestPrefix",
                PACKAGE + "Http1CodecBenchmark.decodeRequest",
                PACKAGE + "Http1CodecBenchmark.encodeResponse",
                PACKAGE + "HopByHopHeadersBenchmark.removeFromKeepAliveRequest",
                PACKAGE + "Http1RequestPathBenchmark.getRoutedAndAnswered",
                PACKAGE + "PolicyTableBenchmark.lookupRoutePolicy",
                PACKAGE + "MeshCompilerBenchmark.fullCompile",
                PACKAGE + "MeshCompilerBenchmark.oneServiceChange",
                PACKAGE + "TlsRecordBenchmark.sealAndOpen");

        final Options smoke = new OptionsBuilder()
            .include(PACKAGE.replace(".", "\\.") + ".*Benchmark\\..*")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(150))
            .shouldFailOnError(true)
            // MeshCompilerBenchmark: a small mesh (its set-up still checks the incremental path); others ignore these
            .param("services", "200")
            .param("slices", "10")
            .param("nodes", "10")
            .verbosity(VerboseMode.SILENT)
            .build();
        final Collection<RunResult> results = new Runner(smoke).run();

        final TreeMap<String, Double> scores = results.stream()
            .collect(Collectors.toMap(r -> r.getParams().getBenchmark(), r -> r.getPrimaryResult().getScore(),
                (a, b) -> a, TreeMap::new));
        assertThat(scores.keySet()).as("benchmarks that produced a result").isEqualTo(benchmarks);
        for (final RunResult result : results)
        {
            final Result<?> primary = result.getPrimaryResult();
            assertThat(primary.getScore())
                .as(result.getParams().getBenchmark() + " " + primary.getScoreUnit())
                .isFinite()
                .isPositive();
            assertThat(primary.getScoreUnit()).isEqualTo(
                result.getParams().getBenchmark().startsWith(PACKAGE + "MeshCompilerBenchmark.") ? "ms/op" : "ns/op");
        }
    }
}
