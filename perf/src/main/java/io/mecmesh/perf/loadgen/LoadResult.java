package io.mecmesh.perf.loadgen;

import org.HdrHistogram.Histogram;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What one run measured: the counters and the latency histograms of the measurement window.
 *
 * @param config        the run.
 * @param transport     {@code epoll} or {@code nio}.
 * @param counts        every {@link LoadCounter} at the end of the run.
 * @param latencyUs     latency from the intended send time (coordinated omission corrected), microseconds.
 * @param uncorrectedUs latency from the actual send time, as a closed-loop tool would measure it, microseconds.
 * @param cpu           what the harness (this generator, the watched origin, the watched core) used.
 */
record LoadResult(
    LoadGenConfig config,
    String transport,
    Map<LoadCounter, Long> counts,
    Histogram latencyUs,
    Histogram uncorrectedUs,
    HarnessCpu cpu)
{
    LoadResult
    {
        requireNonNull(config, "config");
        requireNonNull(transport, "transport");
        requireNonNull(latencyUs, "latencyUs");
        requireNonNull(uncorrectedUs, "uncorrectedUs");
        requireNonNull(cpu, "cpu");
        counts = Map.copyOf(new EnumMap<>(requireNonNull(counts, "counts")));
    }

    /**
     * @param counter a counter.
     * @return its value at the end of the run.
     */
    long count(final LoadCounter counter)
    {
        return counts.getOrDefault(counter, 0L);
    }

    /**
     * @return requests of the window that came due but were never sent (the server was too slow or unreachable).
     */
    long unsent()
    {
        return Math.max(0, count(LoadCounter.SCHEDULED) - count(LoadCounter.SENT));
    }

    /**
     * @return responses to requests of the window per second of the window.
     */
    double achievedRatePerSecond()
    {
        return count(LoadCounter.COMPLETED) / (config.durationNs() / 1e9);
    }

    /**
     * @return the JSON summary, as ordered maps.
     */
    Map<String, Object> toJson()
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool", "mecmesh-loadgen");
        json.put("url", config.target().scheme() + "://" + config.target().authority() + config.target().path());
        json.put("mode", config.closedLoop() ? "closed-loop" : "open-loop");
        json.put("protocol", config.http2() ? (config.tls() ? "h2" : "h2c") : "http/1.1");
        json.put("tls", config.tls());
        json.put("mtls", config.certificate().isPresent());
        json.put("transport", transport);
        json.put("targetRate", config.closedLoop() ? null : config.ratePerSecond());
        json.put("connections", config.connections());
        json.put("streams", config.streams());
        json.put("threads", config.eventLoops());
        json.put("durationSeconds", config.durationNs() / 1e9);
        json.put("warmupSeconds", config.warmupNs() / 1e9);
        json.put("timeoutSeconds", config.timeoutNs() / 1e9);
        json.put("bodySize", config.bodySize());
        json.put("achievedRate", round3(achievedRatePerSecond()));

        final Map<String, Object> requests = new LinkedHashMap<>();
        requests.put("scheduled", count(LoadCounter.SCHEDULED));
        requests.put("sent", count(LoadCounter.SENT));
        requests.put("completed", count(LoadCounter.COMPLETED));
        requests.put("unsent", unsent());
        requests.put("sentWarmup", count(LoadCounter.SENT_WARMUP));
        requests.put("droppedWarmup", count(LoadCounter.DROPPED_WARMUP));
        json.put("requests", requests);

        final Map<String, Object> errors = new LinkedHashMap<>();
        for (final LoadCounter counter : LoadCounter.values())
        {
            if (counter.isError())
            {
                errors.put(counter.jsonName(), count(counter));
            }
        }
        json.put("errors", errors);
        json.put("latencyUs", percentiles(latencyUs));
        json.put("uncorrectedLatencyUs", percentiles(uncorrectedUs));
        json.put("cpu", cpu.toJson());
        return json;
    }

    /**
     * @return a human-readable summary for stdout.
     */
    String summary()
    {
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s %s, %s, %d connection(s) x %d stream(s), %s, %.1fs (+%.1fs warm-up)%n",
            config.closedLoop() ? "closed-loop" : String.format(Locale.ROOT, "open-loop %.0f req/s", config.ratePerSecond()),
            config.target().scheme() + "://" + config.target().authority() + config.target().path(),
            config.http2() ? "HTTP/2" : "HTTP/1.1", config.connections(), config.streams(), transport,
            config.durationNs() / 1e9, config.warmupNs() / 1e9));
        text.append(String.format(Locale.ROOT,
            "  requests: scheduled %d, sent %d, completed %d, unsent %d, warm-up dropped %d; achieved %.1f req/s%n",
            count(LoadCounter.SCHEDULED), count(LoadCounter.SENT), count(LoadCounter.COMPLETED), unsent(),
            count(LoadCounter.DROPPED_WARMUP),
            achievedRatePerSecond()));
        text.append(String.format(Locale.ROOT, "  errors: connect %d, reset %d, timeout %d, non-2xx %d%n",
            count(LoadCounter.ERROR_CONNECT), count(LoadCounter.ERROR_RESET), count(LoadCounter.ERROR_TIMEOUT),
            count(LoadCounter.ERROR_STATUS)));
        text.append("  latency us (from intended send): ").append(percentileLine(latencyUs)).append(System.lineSeparator());
        text.append("  uncorrected us (from actual send): ").append(percentileLine(uncorrectedUs));
        text.append(System.lineSeparator()).append(String.format(Locale.ROOT,
            "  harness cpu: generator %.0f %% of a CPU, watched processes %.0f %%, core %s busy %.0f %% (peak second %.0f %%)",
            cpu.generatorCpuPercent(), cpu.watchedCpuPercent(),
            cpu.core().isPresent() ? Integer.toString(cpu.core().getAsInt()) : "-", cpu.coreBusyPercent(),
            cpu.coreBusyPeakPercent()));
        return text.toString();
    }

    private static String percentileLine(final Histogram histogram)
    {
        return String.format(Locale.ROOT, "p50 %d, p90 %d, p99 %d, p99.9 %d, max %d",
            histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
            histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    private static Map<String, Object> percentiles(final Histogram histogram)
    {
        final Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", histogram.getTotalCount());
        json.put("p50", histogram.getValueAtPercentile(50));
        json.put("p90", histogram.getValueAtPercentile(90));
        json.put("p99", histogram.getValueAtPercentile(99));
        json.put("p99.9", histogram.getValueAtPercentile(99.9));
        json.put("max", histogram.getMaxValue());
        json.put("mean", round3(histogram.getMean()));
        return json;
    }

    private static double round3(final double value)
    {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
