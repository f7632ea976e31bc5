package io.mecmesh.perf.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ControlPlaneReportTest
{
    private static final String JMH = """
        [
          {"benchmark": "io.mecmesh.perf.bench.MeshCompilerBenchmark.fullCompile",
           "params": {"services": "10000", "slices": "100", "nodes": "100", "slicesPerNode": "2"},
           "primaryMetric": {"score": 250.5, "scoreError": 10.0, "scoreUnit": "ms/op"},
           "secondaryMetrics": {"·gc.alloc.rate.norm": {"score": 123456789.0}}},
          {"benchmark": "io.mecmesh.perf.bench.MeshCompilerBenchmark.oneServiceChange",
           "params": {"services": "10000", "slices": "100", "nodes": "100", "slicesPerNode": "2"},
           "primaryMetric": {"score": 3.2, "scoreError": 0.1, "scoreUnit": "ms/op"},
           "secondaryMetrics": {"·gc.alloc.rate.norm": {"score": 2000000.0}}},
          {"benchmark": "io.mecmesh.perf.bench.PolicyTableBenchmark.lookupRoutePolicy",
           "primaryMetric": {"score": 8.1, "scoreError": 0.2, "scoreUnit": "ns/op"},
           "secondaryMetrics": {"·gc.alloc.rate.norm": {"score": 0.0001}}}
        ]
        """;

    private static final String APPLY = """
        {"settings": {"nodes": 100, "servicesPerNode": 1, "slices": 1, "warmup": 50, "applies": 200,
                      "nodeThreads": 4, "lastKnownGoodDirectory": null, "timeoutSeconds": 30},
         "services": 100, "configBytes": 37584, "nodesPerApply": 100, "applies": 200, "configsApplied": 25000,
         "configsSent": 25100, "configsResent": 0, "sendsFailed": 12,
         "applyToLastAck": {"p50Us": 300000, "p90Us": 600000, "p99Us": 1200000, "maxUs": 1500000, "meanUs": 350000.0},
         "submit": {"p50Us": 700, "p90Us": 900, "p99Us": 2000, "maxUs": 3000, "meanUs": 750.0},
         "compile": {"p50Us": 30000, "p90Us": 35000, "p99Us": 40000, "maxUs": 50000, "meanUs": 31000.0}}
        """;

    @TempDir
    Path directory;

    @Test
    void shouldJudgeEveryTargetOfIssueSixFromTheRecordedFigures() throws IOException
    {
        final Path out = report();
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);

        assertThat(lines).contains(
            "| full compile (10000 services, 100 slices, 100 nodes, slices per node 2) | 250.50 ± 10.00 ms | ≤ 200 ms "
                + "| **fail** |",
            "| one-service change (10000 services, 100 slices, 100 nodes, slices per node 2) | 3.20 ± 0.10 ms | ≤ 5 ms "
                + "| pass |",
            "| policy lookup allocates nothing (PolicyTableBenchmark.lookupRoutePolicy) | 0.000 B/op, 8.1 ns/op | 0 B/op | pass |",
            "| apply → 100th node acknowledged, p99 | 1,200.0 ms | ≤ 1,000 ms | **fail** |",
            "| apply → last acknowledgement (ms) | 300.0 | 600.0 | 1,200.0 | 1,500.0 | 350.0 |");
        assertThat(lines.get(0)).isEqualTo("## Control plane (issue 6)");
        assertThat(String.join("\n", lines)).contains("figures taken while other builds and tests ran");
    }

    @Test
    void shouldReplaceItsSectionInResultsOnASecondSpliceAndKeepTheRest() throws IOException, InterruptedException
    {
        final Path results = directory.resolve("RESULTS.md");
        Files.writeString(results, "# compare\n\ntables\n", StandardCharsets.UTF_8);
        final Path fragment = directory.resolve("controlplane.md");
        Files.writeString(fragment, "first\n", StandardCharsets.UTF_8);
        splice(results, fragment);
        Files.writeString(fragment, "second\n", StandardCharsets.UTF_8);
        splice(results, fragment);

        assertThat(Files.readString(results, StandardCharsets.UTF_8)).isEqualTo("# compare\n\ntables\n"
            + "<!-- section controlplane: begin -->\nsecond\n<!-- section controlplane: end -->\n");
    }

    private Path report() throws IOException
    {
        final Path jmh = Files.writeString(directory.resolve("jmh.json"), JMH, StandardCharsets.UTF_8);
        final Path apply = Files.writeString(directory.resolve("apply.json"), APPLY, StandardCharsets.UTF_8);
        final Path meta = Files.writeString(directory.resolve("meta.properties"),
            "started=2026-11-26T11:00:00Z\nloadavg_start=9.5 8.0 7.0\nloadavg_end=9.0 8.0 7.0\n",
            StandardCharsets.UTF_8);
        final Path out = directory.resolve("controlplane.md");
        ControlPlaneReport.main(new String[] {"--jmh", jmh.toString(), "--apply", apply.toString(),
            "--meta", meta.toString(), "--out", out.toString()});
        return out;
    }

    private static void splice(final Path results, final Path fragment) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("bash", Path.of("bin/splice-results-section").toString(),
            results.toString(), "controlplane", fragment.toString()).inheritIO().start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }
}
