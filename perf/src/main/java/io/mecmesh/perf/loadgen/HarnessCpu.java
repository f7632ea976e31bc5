package io.mecmesh.perf.loadgen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * What the harness itself used during a run: the load generator's CPU, the watched processes' (the origin's) and
 * the busy share of the watched core, so that a report can refuse to quote latency from a saturated harness.
 *
 * @param core                the watched core, or empty.
 * @param coreBusyPercent     the core's busy share over the measurement window (NaN without a core).
 * @param coreBusyPeakPercent the core's busiest one-second interval of the window (NaN without a core).
 * @param generatorCpuUs      this process's CPU time from the start of the schedule to the end of the run
 *                            (warm-up, window and drain; JVM start-up excluded), microseconds.
 * @param generatorCpuPercent this process's CPU over the window, percent of one CPU.
 * @param watchedPids         the watched processes.
 * @param watchedCpuUs        their CPU time over the same span as {@code generatorCpuUs}, microseconds.
 * @param watchedCpuPercent   their CPU over the window, percent of one CPU.
 * @param complete            false when a watched process or the core could not be read at some sample.
 */
record HarnessCpu(
    OptionalInt core,
    double coreBusyPercent,
    double coreBusyPeakPercent,
    long generatorCpuUs,
    double generatorCpuPercent,
    List<Long> watchedPids,
    long watchedCpuUs,
    double watchedCpuPercent,
    boolean complete)
{
    HarnessCpu
    {
        requireNonNull(core, "core");
        watchedPids = List.copyOf(requireNonNull(watchedPids, "watchedPids"));
    }

    /**
     * @return the JSON object {@code cpu} of the summary.
     */
    Map<String, Object> toJson()
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("core", core.isPresent() ? core.getAsInt() : null);
        json.put("coreBusyPercent", round1(coreBusyPercent));
        json.put("coreBusyPeakPercent", round1(coreBusyPeakPercent));
        json.put("generatorCpuUs", generatorCpuUs);
        json.put("generatorCpuPercent", round1(generatorCpuPercent));
        json.put("watchedPids", watchedPids);
        json.put("watchedCpuUs", watchedCpuUs);
        json.put("watchedCpuPercent", round1(watchedCpuPercent));
        json.put("complete", complete);
        return json;
    }

    private static Double round1(final double value)
    {
        return Double.isNaN(value) ? null : Math.round(value * 10.0) / 10.0;
    }

    /**
     * Collects the samples of one run: the reporting thread calls {@link #atStart}, {@link #atWindowStart}, then
     * {@link #atTick} once a second, then {@link #atEnd}.
     */
    static final class Window
    {
        /** Shortest interval whose busy share counts for the peak: 50 ticks, so the share is exact to 2 %. */
        static final long MIN_INTERVAL_NS = 500_000_000L;

        private final CpuProbe probe;
        private CpuProbe.Sample start;
        private CpuProbe.Sample windowStart;
        private CpuProbe.Sample windowEnd;
        private CpuProbe.Sample last;
        private double peakPercent = Double.NaN;
        private boolean complete = true;

        Window(final CpuProbe probe)
        {
            this.probe = requireNonNull(probe, "probe");
        }

        void atStart(final long nowNs)
        {
            start = take(nowNs);
            last = start;
        }

        void atWindowStart(final long nowNs)
        {
            windowStart = take(nowNs);
            last = windowStart;
        }

        /**
         * @param nowNs       now.
         * @param windowEndNs the end of the measurement window: intervals that begin before it count for the peak;
         *                    the first sample at or after it closes the window.
         */
        void atTick(final long nowNs, final long windowEndNs)
        {
            final boolean closes = nowNs - windowEndNs >= 0;
            if (windowEnd == null && last != null && !closes && nowNs - last.atNs() < MIN_INTERVAL_NS)
            {
                // Too short to tell a share at 10 ms per tick (a late wake-up): merged into the next interval.
                return;
            }
            final CpuProbe.Sample sample = take(nowNs);
            if (windowEnd == null && last != null && last.atNs() - windowEndNs < 0)
            {
                final double percent = sample.coreBusyPercentSince(last);
                if (!Double.isNaN(percent) && (Double.isNaN(peakPercent) || percent > peakPercent))
                {
                    peakPercent = percent;
                }
                if (closes)
                {
                    windowEnd = sample;
                }
            }
            last = sample;
        }

        HarnessCpu atEnd(final long nowNs)
        {
            final CpuProbe.Sample end = take(nowNs);
            final CpuProbe.Sample from = windowStart == null ? start : windowStart;
            final CpuProbe.Sample to = windowEnd == null ? end : windowEnd;
            final boolean withCore = probe.core().isPresent();
            final long usPerTick = 1_000_000L / CpuProbe.USER_HZ;
            return new HarnessCpu(probe.core(),
                withCore ? to.coreBusyPercentSince(from) : Double.NaN,
                withCore ? peakPercent : Double.NaN,
                (end.selfTicks() - start.selfTicks()) * usPerTick,
                to.selfPercentSince(from),
                probe.watchedPids(),
                (end.watchedTicks() - start.watchedTicks()) * usPerTick,
                to.watchedPercentSince(from),
                complete);
        }

        private CpuProbe.Sample take(final long nowNs)
        {
            final CpuProbe.Sample sample = probe.sample(nowNs);
            complete &= sample.complete();
            return sample;
        }
    }
}
