package io.mecmesh.perf.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CpuProbeTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldReadUtimePlusStimeEvenWhenTheCommandNameHoldsSpacesAndParentheses(@TempDir final Path proc)
        throws IOException
    {
        Files.createDirectories(proc.resolve("42"));
        // Fields 14 (utime) = 250 and 15 (stime) = 50; the name "(a) b" would shift a naive split by one.
        Files.writeString(proc.resolve("42/stat"),
            "42 ((a) b) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000 0 0\n");

        assertThat(CpuProbe.processTicks(proc.resolve("42/stat"))).isEqualTo(300);
        assertThat(CpuProbe.processTicks(proc.resolve("43/stat"))).isEqualTo(-1);
    }

    @Test
    void shouldCountEveryBusyColumnOfTheCoreButIdleAndIowait(@TempDir final Path proc) throws IOException
    {
        Files.writeString(proc.resolve("stat"), String.join("\n",
            "cpu  1000 10 300 9000 50 5 6 7 0 0",
            "cpu0 500 5 150 4500 25 2 3 4 0 0",
            "cpu1 100 1 20 800 40 3 4 5 0 0",
            "cpu10 9 9 9 9 9 9 9 9 0 0",
            "intr 0"));

        // user + nice + system + irq + softirq + steal of cpu1, not cpu10's line.
        assertThat(CpuProbe.coreBusyTicks(proc.resolve("stat"), 1)).isEqualTo(100 + 1 + 20 + 3 + 4 + 5);
        assertThat(CpuProbe.coreBusyTicks(proc.resolve("stat"), 7)).isEqualTo(-1);
    }

    @Test
    void shouldGiveSharesOfOneCpuBetweenTwoSamples()
    {
        final CpuProbe.Sample before = new CpuProbe.Sample(0, 1_000, 200, 50, true);
        final CpuProbe.Sample after = new CpuProbe.Sample(2 * SECOND_NS, 1_190, 260, 90, true);

        assertThat(after.coreBusyPercentSince(before)).isCloseTo(95.0, within(1e-9));
        assertThat(after.selfPercentSince(before)).isCloseTo(30.0, within(1e-9));
        assertThat(after.watchedPercentSince(before)).isCloseTo(20.0, within(1e-9));
        assertThat(before.coreBusyPercentSince(before)).isNaN();
    }

    @Test
    void shouldSampleThisProcessAndARealCoreAndSayWhenAWatchedProcessIsGone()
    {
        final CpuProbe probe = new CpuProbe(Path.of("/proc"), OptionalInt.of(0),
            List.of(ProcessHandle.current().pid(), Long.MAX_VALUE / 2));

        final CpuProbe.Sample sample = probe.sample(System.nanoTime());

        assertThat(sample.selfTicks()).isPositive();
        assertThat(sample.watchedTicks()).isPositive();
        assertThat(sample.coreBusyTicks()).isPositive();
        assertThat(sample.complete()).isFalse();
    }
}
