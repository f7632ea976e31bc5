package io.mecmesh.perf.report;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CompareReport} over a hand-made raw directory: two load generator runs (one whose load core saturated),
 * one h2load run, and a two-hop connection count.
 */
class CompareReportTest
{
    @BeforeAll
    static void headless()
    {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void shouldMarkASaturatedRunInvalidAndQuoteNoneOfItsLatencyButQuoteTheValidAndTheH2loadRuns(
        @TempDir final Path dir) throws IOException
    {
        final Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.writeString(raw.resolve("meta.properties"), "nproc=2\nload_cpu=1\nsut_cpu=0\nh2load=h2load 1.52\n");
        Files.writeString(raw.resolve("cells.tsv"),
            "h1-1k-10000\tHTTP/1.1, 1 KiB, 10,000 req/s\t--rate 10000 --connections 32\thaproxy=18081\t\n");
        Files.writeString(raw.resolve("runs.tsv"), String.join("\n",
            "cell\tsystem\trep\tstatus\tcpu_us\trss_kb\tjson\thlog\tsut_core_busy_us\twall_us\tgenerator\tgen_cpu_us"
                + "\torigin_cpu_us\tload_core_busy_us\tload_core_peak_pct\tab_established\tab_time_wait",
            "h1-1k-10000\thaproxy\t1\tok\t1800000\t15000\tr1.json\tr1.hlog\t2000000\t9000000\tmecmesh-loadgen"
                + "\t4000000\t1500000\t8500000\t100\t-1\t-1",
            "h1-1k-10000\thaproxy\t2\tok\t1800000\t15000\tr2.json\tr2.hlog\t2000000\t9000000\tmecmesh-loadgen"
                + "\t4000000\t1500000\t6000000\t100\t-1\t-1",
            "h1-1k-10000\thaproxy\t1\tok\t1700000\t15000\tr1.h2load.out\tr1.h2load.log\t1900000\t8000000\th2load"
                + "\t2000000\t1500000\t4000000\t52\t31\t2",
            ""));
        Files.writeString(raw.resolve("r1.json"), loadgenJson(555_111, 97.0, 0));
        Files.writeString(raw.resolve("r2.json"), loadgenJson(2_345, 71.5, 12));
        Files.writeString(raw.resolve("r1.h2load.out"), String.join("\n",
            "finished in 8.00s, 10000.00 req/s, 11.60MB/s",
            "requests: 50000 total, 50000 started, 50000 done, 50000 succeeded, 0 failed, 0 errored, 0 timeout", ""));
        final StringBuilder log = new StringBuilder();
        for (int i = 1; i <= 1000; i++)
        {
            log.append(1_796_681_909_953_209L + i * 100).append("\t200\t").append(i <= 980 ? 800 : 2_000).append('\n');
        }
        Files.writeString(raw.resolve("r1.h2load.log"), log);
        Files.writeString(raw.resolve("tls-check.txt"), "haproxy-mtls Ciphersuite=TLS_AES_128_GCM_SHA256\n");
        Files.writeString(raw.resolve("server-hellos.txt"),
            "port 18106: 32 ServerHello(s) TLS_AES_128_GCM_SHA256 X25519MLKEM768, full handshake\n");
        final Path out = dir.resolve("RESULTS.md");

        CompareReport.main(new String[]{"--raw", raw.toString(), "--results", dir.resolve("results").toString(),
            "--out", out.toString()});

        final String report = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(report).contains("| HAProxy | 2/2 (1 INVALID) |")
            .contains("rep 1 INVALID: CPU 1 97.0 % busy in its busiest second")
            .contains("12 warm-up requests dropped")
            .contains("2,345")
            .doesNotContain("555,111").doesNotContain("555111");
        // h2load's p99 from its log: 980 of 1,000 at 800 µs, the slowest 2 % at 2,000 µs.
        assertThat(report).contains("| HAProxy · h2load | 1/1 | 10000 |").contains("| 800 | 800 | 2,000 |");
        assertThat(report).contains("| h1-1k-10000 | HAProxy | 10,000 | 2,345 | 1,234 | 1/2 | 10,000 | 2,000 | 0/1 |");
        assertThat(report).contains("| h1-1k-10000 | HAProxy | h2load | 31.0 | 2.0 |");
        assertThat(report).contains("haproxy-mtls Ciphersuite=TLS_AES_128_GCM_SHA256")
            .contains("- port 18106: 32 ServerHello(s) TLS_AES_128_GCM_SHA256 X25519MLKEM768, full handshake");
    }

    private static String loadgenJson(final long p99, final double peak, final long dropped)
    {
        return """
            {"tool": "mecmesh-loadgen", "achievedRate": 10000.0,
             "requests": {"scheduled": 50000, "sent": 50000, "completed": 50000, "unsent": 0, "sentWarmup": 30000,
                          "droppedWarmup": %d},
             "errors": {"connect": 0, "reset": 0, "timeout": 0, "status": 0},
             "latencyUs": {"count": 50000, "p50": 300, "p90": 900, "p99": %d, "p99.9": %d, "max": %d},
             "uncorrectedLatencyUs": {"count": 50000, "p50": 200, "p90": 700, "p99": 1234, "p99.9": 1300, "max": 1400},
             "cpu": {"core": 1, "coreBusyPercent": 60.0, "coreBusyPeakPercent": %.1f, "generatorCpuUs": 2000000,
                     "generatorCpuPercent": 35.0, "watchedPids": [7], "watchedCpuUs": 1500000,
                     "watchedCpuPercent": 20.0, "complete": true}}
            """.formatted(dropped, p99, p99 + 1, p99 + 2, peak);
    }
}
