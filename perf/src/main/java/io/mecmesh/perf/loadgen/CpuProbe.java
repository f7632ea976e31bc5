package io.mecmesh.perf.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * Reads, from {@code /proc}, the CPU time this process, a set of watched processes (the origin) and one core have
 * spent, so that a run can say whether its own harness saturated: a load generator or origin that runs out of CPU
 * delays requests on the client side, and the latency it then records is the harness's, not the system's.
 *
 * <p>Figures are in clock ticks ({@code USER_HZ}, 100 per second on every Linux this runs on: 10 ms resolution, so
 * a share over one second is exact to 1 %). A process or core that cannot be read counts 0; the sample says so.
 * Used by the reporting thread only: never on an event loop, never per request.
 */
final class CpuProbe
{
    /** Clock ticks per second of {@code /proc/stat} and {@code /proc/<pid>/stat}. */
    static final long USER_HZ = 100;

    private final Path proc;
    private final OptionalInt core;
    private final List<Long> watchedPids;

    /**
     * @param proc        the proc file system, {@code /proc}.
     * @param core        the core whose busy time is sampled, or empty.
     * @param watchedPids processes whose CPU time is summed (all their threads), e.g. the origin's master and worker.
     */
    CpuProbe(final Path proc, final OptionalInt core, final List<Long> watchedPids)
    {
        this.proc = requireNonNull(proc, "proc");
        this.core = requireNonNull(core, "core");
        this.watchedPids = List.copyOf(requireNonNull(watchedPids, "watchedPids"));
    }

    /**
     * @param config the run.
     * @return a probe of {@code /proc} for the run's {@code --watch-cpu} and {@code --watch-pid}.
     */
    static CpuProbe of(final LoadGenConfig config)
    {
        return new CpuProbe(Path.of("/proc"), config.watchCpu(), config.watchPids());
    }

    OptionalInt core()
    {
        return core;
    }

    List<Long> watchedPids()
    {
        return watchedPids;
    }

    /**
     * @param nowNs when the sample is taken ({@link System#nanoTime()}).
     * @return the counters now.
     */
    Sample sample(final long nowNs)
    {
        long watched = 0;
        boolean complete = true;
        for (final long pid : watchedPids)
        {
            final long ticks = processTicks(proc.resolve(Long.toString(pid)).resolve("stat"));
            complete &= ticks >= 0;
            watched += Math.max(0, ticks);
        }
        final long self = processTicks(proc.resolve("self").resolve("stat"));
        final long busy = core.isPresent() ? coreBusyTicks(proc.resolve("stat"), core.getAsInt()) : 0;
        return new Sample(nowNs, Math.max(0, busy), Math.max(0, self), watched, complete && self >= 0 && busy >= 0);
    }

    /**
     * @param stat a {@code /proc/<pid>/stat} file.
     * @return utime + stime in ticks, or -1 when the process is gone or the file unreadable.
     */
    static long processTicks(final Path stat)
    {
        try
        {
            final String line = Files.readString(stat, StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
            final String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
            // fields[0] is field 3 (state): utime and stime are fields 14 and 15 of the line.
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * @param stat {@code /proc/stat}.
     * @param core a core number.
     * @return ticks the core was busy (user, nice, system, irq, softirq, steal: everything but idle and iowait), or
     *     -1 when there is no such core.
     */
    static long coreBusyTicks(final Path stat, final int core)
    {
        final String label = "cpu" + core + " ";
        try
        {
            for (final String line : Files.readAllLines(stat, StandardCharsets.US_ASCII))
            {
                if (line.startsWith(label))
                {
                    final String[] fields = line.trim().split("\\s+");
                    return Long.parseLong(fields[1]) + Long.parseLong(fields[2]) + Long.parseLong(fields[3])
                        + Long.parseLong(fields[6]) + Long.parseLong(fields[7]) + Long.parseLong(fields[8]);
                }
            }
            return -1;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * The counters at one moment.
     *
     * @param atNs          when ({@link System#nanoTime()}).
     * @param coreBusyTicks the watched core's busy ticks since boot (0 without a core).
     * @param selfTicks     this process's utime + stime.
     * @param watchedTicks  the watched processes' utime + stime, summed.
     * @param complete      false when a watched process or the core could not be read.
     */
    record Sample(long atNs, long coreBusyTicks, long selfTicks, long watchedTicks, boolean complete)
    {
        /**
         * @param earlier a sample taken before this one.
         * @return percent of one CPU the core was busy between the two, or NaN when no time passed.
         */
        double coreBusyPercentSince(final Sample earlier)
        {
            return percentOfSpan(coreBusyTicks - earlier.coreBusyTicks, earlier);
        }

        double selfPercentSince(final Sample earlier)
        {
            return percentOfSpan(selfTicks - earlier.selfTicks, earlier);
        }

        double watchedPercentSince(final Sample earlier)
        {
            return percentOfSpan(watchedTicks - earlier.watchedTicks, earlier);
        }

        private double percentOfSpan(final long ticks, final Sample earlier)
        {
            final long spanNs = atNs - earlier.atNs;
            if (spanNs <= 0)
            {
                return Double.NaN;
            }
            return 100.0 * ticks * (1_000_000_000L / USER_HZ) / spanNs;
        }
    }
}
