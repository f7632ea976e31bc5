package io.mecmesh.perf.report;

import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an h2load run of {@code compare.sh} into a {@link CompareRun}: its summary ({@code .h2load.out}) and its
 * per-request log ({@code --log-file}: start time in µs since the epoch, status, µs until the end of the response).
 *
 * <p>h2load's latency runs from the actual send (its {@code --rps} paces each connection, and a request that waits
 * for its connection is not charged the wait): it is not corrected for coordinated omission, unlike
 * {@code mecmesh-loadgen}'s. Its log holds the measured requests only (not the warm-up), so the requests the system
 * served in the whole run, for CPU per request, are estimated as the window's times (warm-up + window) / window.
 */
final class H2loadRun
{
    private static final Pattern FINISHED = Pattern.compile("^finished in ([0-9.]+)s, ([0-9.]+) req/s");
    private static final Pattern REQUESTS = Pattern.compile(
        "^requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, "
            + "(\\d+) timeout");

    private H2loadRun()
    {
    }

    /**
     * @return the run; without a summary it comes back with a status that says so.
     */
    static CompareRun read(
        final Path raw,
        final String[] fields,
        final String cell,
        final String system,
        final int rep,
        final String status,
        final long cpuUs,
        final long rssKb,
        final long sutCoreBusyUs,
        final long wallUs,
        final CompareRun.Harness harness,
        final int abEstablished,
        final int abTimeWait)
    {
        final Path out = raw.resolve(fields[6]);
        final Path log = raw.resolve(fields[7]);
        try
        {
            double rate = Double.NaN;
            double seconds = Double.NaN;
            long done = 0;
            long errors = 0;
            if (Files.isRegularFile(out))
            {
                for (final String line : Files.readAllLines(out, StandardCharsets.UTF_8))
                {
                    final Matcher finished = FINISHED.matcher(line);
                    if (finished.find())
                    {
                        seconds = Double.parseDouble(finished.group(1));
                        rate = Double.parseDouble(finished.group(2));
                    }
                    final Matcher requests = REQUESTS.matcher(line);
                    if (requests.find())
                    {
                        done = Long.parseLong(requests.group(3));
                        errors = Long.parseLong(requests.group(5)) + Long.parseLong(requests.group(7));
                    }
                }
            }
            final Histogram latency = readLog(log);
            String finalStatus = status;
            if ("ok".equals(status) && (Double.isNaN(rate) || latency.getTotalCount() == 0))
            {
                finalStatus = Double.isNaN(rate) ? "no-summary" : "no-responses";
            }
            // The measured window is done / rate seconds long; h2load's "finished in" includes its warm-up.
            final double windowSeconds = rate > 0 ? done / rate : Double.NaN;
            final long served = rate > 0 && seconds > 0 ? Math.round(done * seconds / windowSeconds) : done;
            return new CompareRun(cell, system, rep, finalStatus, cpuUs, rssKb, served, Double.isNaN(rate) ? 0 : rate,
                errors, latency.getValueAtPercentile(50), latency.getValueAtPercentile(90),
                latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue(),
                latency.getTotalCount() > 0 ? latency : null, sutCoreBusyUs, wallUs, CompareRun.H2LOAD, harness,
                abEstablished, abTimeWait, latency.getValueAtPercentile(99));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + out + " or " + log, ex);
        }
    }

    /**
     * @param log h2load's {@code --log-file}.
     * @return the latencies of its 2xx/3xx responses, microseconds; empty when there is no log.
     * @throws IOException when the log cannot be read.
     */
    static Histogram readLog(final Path log) throws IOException
    {
        final Histogram latency = new Histogram(3);
        if (!Files.isRegularFile(log))
        {
            return latency;
        }
        try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.US_ASCII))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                final String[] columns = line.split("\t");
                if (columns.length >= 3 && columns[1].length() == 3 && columns[1].charAt(0) <= '3')
                {
                    latency.recordValue(Math.max(1, Long.parseLong(columns[2].trim())));
                }
            }
        }
        return latency;
    }
}
