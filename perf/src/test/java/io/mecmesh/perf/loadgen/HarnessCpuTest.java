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

/**
 * {@link HarnessCpu.Window} over a hand-written {@code /proc} whose counters the test advances with its own clock.
 */
class HarnessCpuTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @TempDir
    Path proc;

    @Test
    void shouldReportTheWindowsShareItsBusiestSecondAndTheRunsCpuTime() throws IOException
    {
        final HarnessCpu.Window window =
            new HarnessCpu.Window(new CpuProbe(proc, OptionalInt.of(1), List.of(7L)));
        write(0, 0, 0);
        window.atStart(0);
        write(100, 40, 10);                 // warm-up, 1 s: not part of the window's shares
        window.atWindowStart(SECOND_NS);
        write(160, 70, 30);                 // second 1: core 60 %
        window.atTick(2 * SECOND_NS, 3 * SECOND_NS);
        write(161, 70, 30);                 // 10 ms later: too short to be an interval of its own
        window.atTick(2 * SECOND_NS + 10_000_000L, 3 * SECOND_NS);
        write(255, 100, 50);                // second 2: core 95 %
        window.atTick(3 * SECOND_NS, 3 * SECOND_NS);
        write(300, 120, 60);                // drain
        final HarnessCpu cpu = window.atEnd(3 * SECOND_NS + SECOND_NS / 2);

        assertThat(cpu.coreBusyPercent()).isCloseTo(77.5, within(1e-9));
        assertThat(cpu.coreBusyPeakPercent()).isCloseTo(95.0, within(1e-9));
        assertThat(cpu.generatorCpuPercent()).isCloseTo(30.0, within(1e-9));
        assertThat(cpu.watchedCpuPercent()).isCloseTo(20.0, within(1e-9));
        assertThat(cpu.generatorCpuUs()).isEqualTo(1_200_000);
        assertThat(cpu.watchedCpuUs()).isEqualTo(600_000);
        assertThat(cpu.complete()).isTrue();
        assertThat(cpu.toJson()).containsEntry("core", 1).containsEntry("coreBusyPeakPercent", 95.0);
    }

    private void write(final long coreBusy, final long self, final long watched) throws IOException
    {
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("7"));
        Files.writeString(proc.resolve("stat"), "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 5 0 0 0 0 0 0 0 0 0\n"
            + "cpu1 " + coreBusy + " 0 0 900 0 0 0 0 0 0\n");
        Files.writeString(proc.resolve("self/stat"), stat(self));
        Files.writeString(proc.resolve("7/stat"), stat(watched));
    }

    private static String stat(final long ticks)
    {
        return "7 (java) S 1 7 7 0 -1 0 0 0 0 0 " + ticks + " 0 0 0 20 0 1 0 1 0 0\n";
    }
}
