package io.mecmesh.perf.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * One load generator run against one system in one cell, as {@code compare.sh} recorded it: the system's CPU time
 * and peak RSS around the run, and the load generator's JSON summary and latency log.
 *
 * @param cell         the cell id.
 * @param system       the system id ({@code direct}, {@code haproxy}, {@code nginx-mtls}, ...).
 * @param rep          the repetition, from 1.
 * @param status       {@code ok}, or what went wrong.
 * @param cpuUs        CPU time of the system's processes during the run (utime + stime), microseconds.
 * @param rssKb        peak VmRSS of the system's processes (summed) during the run, kB.
 * @param requests     requests the system served during the sampled interval (warm-up sent + window completed).
 * @param achievedRate responses per second of the measurement window.
 * @param errors       errors of every kind in the window.
 * @param p50Us        latency percentiles of the window from the intended send time, microseconds.
 * @param p90Us        90th percentile.
 * @param p99Us        99th percentile.
 * @param p999Us       99.9th percentile.
 * @param maxUs        maximum.
 * @param latency      the whole latency histogram of the window (microseconds), or {@code null} without a log.
 * @param sutCoreBusyUs busy time of the system-under-test core during the run, everyone's, microseconds (-1: unknown).
 * @param wallUs       the run's wall-clock time, microseconds (-1: unknown).
 * @param generator    {@code mecmesh-loadgen} or {@code h2load}.
 * @param harness      what the harness itself used on the load core during the run.
 * @param abEstablished two-hop mTLS: TCP connections A→B established after the run (-1: not a two-hop run).
 * @param abTimeWait   two-hop mTLS: A→B connections in TIME-WAIT after the run, i.e. closed in the last minute.
 * @param uncorrectedP99Us p99 from the actual send (what h2load measures; equal to {@code p99Us} for h2load),
 *                     microseconds, or -1 when unknown.
 */
record CompareRun(
    String cell,
    String system,
    int rep,
    String status,
    long cpuUs,
    long rssKb,
    long requests,
    double achievedRate,
    long errors,
    long p50Us,
    long p90Us,
    long p99Us,
    long p999Us,
    long maxUs,
    Histogram latency,
    long sutCoreBusyUs,
    long wallUs,
    String generator,
    Harness harness,
    int abEstablished,
    int abTimeWait,
    long uncorrectedP99Us)
{
    /** A run whose load core was busier than this in its busiest second measured the harness: no latency quoted. */
    static final double SATURATED_PERCENT = 90.0;
    static final String LOADGEN = "mecmesh-loadgen";
    static final String H2LOAD = "h2load";

    CompareRun
    {
        requireNonNull(cell, "cell");
        requireNonNull(system, "system");
        requireNonNull(status, "status");
        requireNonNull(generator, "generator");
        requireNonNull(harness, "harness");
    }

    /**
     * @return true when the generator's core (shared with the origin) was saturated in some second of the run, so
     *     that its latency figures are the harness's queueing, not the system's.
     */
    boolean saturated()
    {
        return harness.loadCorePeakPercent() > SATURATED_PERCENT;
    }

    /**
     * @param value a latency figure of this run.
     * @return it, or NaN when the run is not ok or its harness saturated (never quoted).
     */
    double latency(final long value)
    {
        return ok() && !saturated() ? value : Double.NaN;
    }

    boolean ok()
    {
        return "ok".equals(status);
    }

    /**
     * @return CPU microseconds per request, or NaN when the system has no process of its own (direct) or served
     *     nothing.
     */
    double cpuUsPerRequest()
    {
        return requests > 0 && !"direct".equals(system) ? (double)cpuUs / requests : Double.NaN;
    }

    /**
     * @return percent of the system-under-test core used by processes other than the system during the run
     *     (other builds and tests on a shared machine), or NaN when unknown.
     */
    double othersOnSutCorePercent()
    {
        if (sutCoreBusyUs < 0 || wallUs <= 0)
        {
            return Double.NaN;
        }
        return Math.max(0, sutCoreBusyUs - cpuUs) * 100.0 / wallUs;
    }

    /**
     * Reads one line of {@code runs.tsv} and the files it names.
     *
     * @param raw    the directory of the raw results.
     * @param fields cell, system, rep, status, cpu_us, rss_kb, json, hlog[, sut_core_busy_us, wall_us].
     * @param json   the JSON reader.
     * @return the run; a run whose JSON is missing or unreadable comes back with a status that says so.
     */
    static CompareRun read(final Path raw, final String[] fields, final ObjectMapper json)
    {
        final String cell = fields[0];
        final String system = fields[1];
        final int rep = Integer.parseInt(fields[2]);
        String status = fields[3];
        final long cpuUs = Long.parseLong(fields[4]);
        final long rssKb = Long.parseLong(fields[5]);
        final Path jsonFile = raw.resolve(fields[6]);
        final long sutCoreBusyUs = fields.length > 9 ? Long.parseLong(fields[8]) : -1;
        final long wallUs = fields.length > 9 ? Long.parseLong(fields[9]) : -1;
        final String generator = fields.length > 10 ? fields[10] : LOADGEN;
        final long genCpuUs = longField(fields, 11);
        final long originCpuUs = longField(fields, 12);
        final long loadCoreBusyUs = longField(fields, 13);
        final long loadCorePeak = longField(fields, 14);
        final int abEstablished = (int)longField(fields, 15);
        final int abTimeWait = (int)longField(fields, 16);
        final Harness scriptSide = new Harness(percentOf(loadCoreBusyUs, wallUs),
            loadCorePeak < 0 ? Double.NaN : loadCorePeak, percentOf(genCpuUs, wallUs), percentOf(originCpuUs, wallUs),
            genCpuUs, 0);
        if (H2LOAD.equals(generator))
        {
            return H2loadRun.read(raw, fields, cell, system, rep, status, cpuUs, rssKb, sutCoreBusyUs, wallUs,
                scriptSide, abEstablished, abTimeWait);
        }
        if (!Files.isRegularFile(jsonFile))
        {
            return new CompareRun(cell, system, rep, "ok".equals(status) ? "no-json" : status, cpuUs, rssKb,
                0, 0, 0, 0, 0, 0, 0, 0, null, sutCoreBusyUs, wallUs, generator, Harness.UNKNOWN, abEstablished,
                abTimeWait, -1);
        }
        try
        {
            final JsonNode summary = json.readTree(jsonFile.toFile());
            long errors = 0;
            for (final JsonNode count : summary.path("errors"))
            {
                errors += count.asLong();
            }
            final JsonNode latency = summary.path("latencyUs");
            // The load generator's own figures cover its schedule (JVM start-up excluded), the script's the process.
            final JsonNode cpu = summary.path("cpu");
            final Harness harness = cpu.isMissingNode() ? Harness.UNKNOWN : new Harness(
                number(cpu.path("coreBusyPercent")), number(cpu.path("coreBusyPeakPercent")),
                number(cpu.path("generatorCpuPercent")), number(cpu.path("watchedCpuPercent")),
                cpu.path("generatorCpuUs").asLong(-1), summary.at("/requests/droppedWarmup").asLong(0));
            final long completed = summary.at("/requests/completed").asLong();
            if ("ok".equals(status) && completed == 0)
            {
                status = "no-responses";
            }
            return new CompareRun(cell, system, rep, status, cpuUs, rssKb,
                completed + summary.at("/requests/sentWarmup").asLong(), summary.path("achievedRate").asDouble(),
                errors, latency.path("p50").asLong(), latency.path("p90").asLong(), latency.path("p99").asLong(),
                latency.path("p99.9").asLong(), latency.path("max").asLong(),
                readHistogram(raw.resolve(fields[7])), sutCoreBusyUs, wallUs, generator, harness, abEstablished,
                abTimeWait, summary.at("/uncorrectedLatencyUs/p99").asLong(-1));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + jsonFile, ex);
        }
    }

    private static long longField(final String[] fields, final int index)
    {
        return fields.length > index && !fields[index].isBlank() ? Long.parseLong(fields[index].trim()) : -1;
    }

    private static double percentOf(final long us, final long wallUs)
    {
        return us < 0 || wallUs <= 0 ? Double.NaN : us * 100.0 / wallUs;
    }

    private static double number(final JsonNode node)
    {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }

    /**
     * What the harness used on the load core (the generator's and the origin's core) during a run.
     *
     * @param loadCoreBusyPercent the load core's busy share, percent (NaN: unknown).
     * @param loadCorePeakPercent its busiest second, percent (NaN: unknown).
     * @param generatorCpuPercent the generator's CPU, percent of one CPU.
     * @param originCpuPercent    the origin's (backend nginx) CPU, percent of one CPU.
     * @param generatorCpuUs      the generator's CPU time, microseconds (-1: unknown).
     * @param droppedWarmup       warm-up requests the generator dropped when the window opened (its backlog).
     */
    record Harness(
        double loadCoreBusyPercent,
        double loadCorePeakPercent,
        double generatorCpuPercent,
        double originCpuPercent,
        long generatorCpuUs,
        long droppedWarmup)
    {
        static final Harness UNKNOWN = new Harness(Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, 0);
    }

    /**
     * @param hlog a load generator's latency log.
     * @return its intervals merged, or {@code null} when there is no such file.
     * @throws FileNotFoundException when the file vanishes while being opened.
     */
    static Histogram readHistogram(final Path hlog) throws FileNotFoundException
    {
        if (!Files.isRegularFile(hlog))
        {
            return null;
        }
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        try
        {
            Histogram total = null;
            EncodableHistogram interval;
            while ((interval = reader.nextIntervalHistogram()) != null)
            {
                if (interval instanceof Histogram)
                {
                    if (total == null)
                    {
                        total = new Histogram(3);
                    }
                    total.add((Histogram)interval);
                }
            }
            return total;
        }
        finally
        {
            reader.close();
        }
    }
}
