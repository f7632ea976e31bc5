package io.mecmesh.perf.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code perf/RESULTS.md} and the charts in {@code perf/results/} from what {@code perf/compare.sh} recorded:
 * medians and spread per cell, ratios, the bar of issue 4 with pass/fail, the JMH table when
 * {@code perf/results/jmh.json} exists, and the sections of {@code perf/controlplane.sh} and {@code perf/handshake.sh}
 * ({@code perf/results/controlplane.md}, {@code perf/results/handshake.md}) when they exist.
 *
 * <pre>
 *   --raw DIR       meta.properties, cells.tsv, runs.tsv and the load generator's JSON and .hlog files
 *   --results DIR   where the PNG charts go (and jmh.json, jmh-command.txt are read from)
 *   --out FILE      the Markdown report
 * </pre>
 */
public final class CompareReport
{
    private static final String MECMESH = "mecmesh";
    private static final String HAPROXY = "haproxy";
    private static final String NGINX = "nginx";
    private static final String DIRECT = "direct";
    private static final List<String> FAMILIES = List.of(DIRECT, HAPROXY, NGINX, MECMESH);
    private static final double RSS_BAR_MB = 64.0;
    /** Sections written by other harnesses, in the order they appear. */
    private static final List<String> SECTIONS = List.of("handshake", "controlplane", "restart", "desired-state",
        "packaging", "overhead", "isolation", "memory", "soak", "fleet", "first-minute");

    private final Properties meta;
    private final List<Cell> cells;
    private final List<CompareRun> runs;
    private final Path results;
    private final List<String> tlsCheck;
    private final List<String> serverHellos;
    private final StringBuilder md = new StringBuilder();

    private CompareReport(final Properties meta, final List<Cell> cells, final List<CompareRun> runs, final Path results,
        final List<String> tlsCheck, final List<String> serverHellos)
    {
        this.meta = meta;
        this.cells = cells;
        this.runs = runs;
        this.results = results;
        this.tlsCheck = List.copyOf(tlsCheck);
        this.serverHellos = List.copyOf(serverHellos);
    }

    /**
     * @param args {@code --raw DIR --results DIR --out FILE}.
     * @throws IOException when an input cannot be read or the report cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            options.put(args[i], args[i + 1]);
        }
        if (!options.keySet().containsAll(List.of("--raw", "--results", "--out")))
        {
            System.err.println("usage: CompareReport --raw DIR --results DIR --out FILE");
            System.exit(2);
        }
        final Path raw = Path.of(options.get("--raw"));
        final Path results = Path.of(options.get("--results"));
        Files.createDirectories(results);

        final Properties meta = new Properties();
        try (Reader reader = Files.newBufferedReader(raw.resolve("meta.properties"), StandardCharsets.UTF_8))
        {
            meta.load(reader);
        }
        final List<Cell> cells = new ArrayList<>();
        for (final String line : Files.readAllLines(raw.resolve("cells.tsv"), StandardCharsets.UTF_8))
        {
            if (!line.isBlank())
            {
                final String[] fields = line.split("\t", -1);
                cells.add(new Cell(fields[0], fields[1], fields[2], systemsOf(fields[3]),
                    fields[4].isBlank() ? List.of() : List.of(fields[4].trim().split("\\s+"))));
            }
        }
        final ObjectMapper json = new ObjectMapper();
        final List<CompareRun> runs = new ArrayList<>();
        final Iterator<String> lines = Files.readAllLines(raw.resolve("runs.tsv"), StandardCharsets.UTF_8).iterator();
        lines.next();
        while (lines.hasNext())
        {
            final String line = lines.next();
            if (!line.isBlank())
            {
                runs.add(CompareRun.read(raw, line.split("\t", -1), json));
            }
        }
        final Path tlsCheckFile = raw.resolve("tls-check.txt");
        final List<String> tlsCheck = Files.isRegularFile(tlsCheckFile)
            ? Files.readAllLines(tlsCheckFile, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList()
            : List.of();
        final Path serverHellosFile = raw.resolve("server-hellos.txt");
        final List<String> serverHellos = Files.isRegularFile(serverHellosFile)
            ? Files.readAllLines(serverHellosFile, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList()
            : List.of();
        final String report = new CompareReport(meta, cells, runs, results, tlsCheck, serverHellos).write();
        Files.writeString(Path.of(options.get("--out")), report, StandardCharsets.UTF_8);
        System.out.println("CompareReport: " + runs.size() + " runs, " + cells.size() + " cells → " + options.get("--out"));
    }

    private String write()
    {
        final String command = meta.getProperty("command", "perf/compare.sh");
        line("# mecmesh side by side with HAProxy and nginx");
        line();
        line("Generated by `perf/compare.sh` (" + meta.getProperty("started", "?") + "); every figure, table and chart "
            + "here is computed by the harness from the run's raw data: rerun it rather than editing this file.");
        line();
        line("## Reproduce");
        line();
        line("```sh");
        line("mvn -B -q -DskipTests install    # packaging/target/mecmesh, perf/target/{classes,lib}");
        line(command);
        line("```");
        line();
        line("`perf/compare.sh --help` lists the options (`--duration`, `--warmup`, `--reps`, `--quick`, `--jmh`).");
        line();
        writeMachine();
        writeMethod();
        writeBar();
        writeCaveats();
        writeCells();
        writeGenerators();
        writeTwoHopCheck();
        writeRatios();
        writeCharts();
        writeJmh();
        writeAnchors();
        writeSections();
        return md.toString();
    }

    private void writeMachine()
    {
        line("## Machine and versions");
        line();
        line("| | |");
        line("|---|---|");
        line("| CPUs (nproc) | " + meta.getProperty("nproc") + " |");
        line("| CPU model | " + meta.getProperty("cpu") + " |");
        line("| kernel | " + meta.getProperty("kernel") + " |");
        line("| memory | " + meta.getProperty("memory") + " |");
        line("| Java | " + meta.getProperty("java") + " |");
        line("| nginx | " + meta.getProperty("nginx") + " |");
        line("| HAProxy | " + meta.getProperty("haproxy") + " |");
        line("| mecmesh | " + meta.getProperty(MECMESH) + ", data-plane " + meta.getProperty("mecmesh_transport", "?")
            + " |");
        line("| load average (1, 5, 15 min) | " + meta.getProperty("loadavg_start", "?") + " at the start, "
            + meta.getProperty("loadavg_end", "?") + " at the end |");
        line("| settings | " + meta.getProperty("reps") + " interleaved repetitions × " + meta.getProperty("duration")
            + " s measured (+" + meta.getProperty("warmup") + " s load-generator warm-up), " + meta.getProperty("prewarm")
            + " s unmeasured pre-warm per system and protocol (every measured port; h2c with HTTP/2) at 5,000 req/s |");
        line();
    }

    private void writeMethod()
    {
        line("## Method");
        line();
        line("- Everything on 127.0.0.1. Systems under test pinned to CPU " + meta.getProperty("sut_cpu")
            + " (`taskset`); the backend (nginx, 1 worker), the load generator and the harness to CPU "
            + meta.getProperty("load_cpu") + ". The direct baseline is the load generator against the backend.");
        line("- Fair configurations: one worker / one thread / `eventLoopThreads: 1`, logs off, keep-alive to the "
            + "upstream (HAProxy `http-reuse always`, nginx `keepalive 128` + `proxy_http_version 1.1`, mecmesh's pool), "
            + "bodies streamed (nginx `proxy_buffering off`). mecmesh runs with its launcher's JVM options "
            + "(`-Xms32m -Xmx512m`); the JVM sees one CPU.");
        line("- Load: `mecmesh-loadgen`, open loop at a fixed rate (latency from the intended send time, so "
            + "coordinated omission is corrected), 32 keep-alive connections unless the cell says otherwise. "
            + "Repetitions interleave the systems (A B C D A B C D ...). Its JVM is fresh every run: warm-up "
            + "requests still unsent when the window opens are dropped (counted), so the window never queues behind "
            + "a backlog the cold JIT built.");
        line("- Second generator: h2load (" + meta.getProperty("h2load", "?") + "), same connections and streams, "
            + "`--rps` = rate ÷ connections, same warm-up and window (`--warm-up-time`, `-D`), p99 from its "
            + "`--log-file`; its latency runs from the actual send (not corrected for coordinated omission).");
        line("- Harness CPU, per run: the generator's CPU (mecmesh-loadgen: its own `/proc/self/stat` over the window; "
            + "h2load: GNU time over the run), the origin's (backend nginx, `/proc/<pid>/stat`) and CPU "
            + meta.getProperty("load_cpu", "1") + "'s busy share (`/proc/stat`: over the window and its busiest "
            + "second). A run whose busiest second is above " + String.format(Locale.ROOT, "%.0f",
            CompareRun.SATURATED_PERCENT) + " % is INVALID: its latency is not quoted anywhere.");
        line("- CPU µs per request: utime + stime of every process of the system (nginx master + worker; both "
            + "sidecars of a two-hop path) from `/proc/<pid>/stat` before and after the load generator, divided by "
            + "the requests it sent in that time (warm-up + measured window). vCPU per 1,000 req/s = CPU µs per "
            + "request ÷ 1,000. Clock-tick resolution: 10 ms per run.");
        line("- RSS: peak of the summed `VmRSS` of the system's processes, sampled every 100 ms during the run.");
        line("- Interference: the machine may be shared (other builds and tests). \"others on SUT core\" is the "
            + "share of the system-under-test CPU that processes other than the system used during the run "
            + "(`/proc/stat` busy time of that CPU minus the system's own CPU time, over wall time); above a few "
            + "percent, latency tails and CPU per request of that run are inflated, and ratios are less reliable.");
        line("- Tables give the median over repetitions and, in brackets, the min–max spread. Latency percentiles "
            + "are in µs. Added latency = the system's median percentile − the direct baseline's.");
        line();
    }

    private void writeBar()
    {
        line("## The bar (issue 4)");
        line();
        line("\"On this 2-core machine, same run: mecmesh's CPU per request ≤ HAProxy's, its added p99 at 1,000 "
            + "req/s ≤ HAProxy's, its two-hop mTLS maximum rate ≥ 1.1 × HAProxy's, and its RSS under load ≤ 64 MB.\"");
        line();
        line("| criterion | cell | mecmesh | HAProxy | result |");
        line("|---|---|---|---|---|");
        for (final Cell cell : cells)
        {
            if (cell.id().startsWith("h1-1k") && cell.measures(MECMESH) && cell.measures(HAPROXY))
            {
                final double mine = median(cell.id(), MECMESH, CompareRun::cpuUsPerRequest);
                final double theirs = median(cell.id(), HAPROXY, CompareRun::cpuUsPerRequest);
                line("| CPU per request ≤ HAProxy's | " + cell.id() + " | " + fmt(mine) + " µs | " + fmt(theirs)
                    + " µs | " + passFail(mine <= theirs, mine, theirs) + " |");
            }
        }
        final Cell low = cell("h1-1k-1000");
        if (low != null && low.measures(DIRECT))
        {
            final double direct = median(low.id(), DIRECT, r -> r.latency(r.p99Us()));
            final double mine = median(low.id(), MECMESH, r -> r.latency(r.p99Us())) - direct;
            final double theirs = median(low.id(), HAPROXY, r -> r.latency(r.p99Us())) - direct;
            line("| added p99 at 1,000 req/s ≤ HAProxy's | " + low.id() + " | +" + fmt(mine) + " µs | +"
                + fmt(theirs) + " µs | " + passFail(mine <= theirs, mine, theirs) + " |");
        }
        final Cell max = cell("mtls-1k-max");
        if (max != null)
        {
            final double theirs = median(max.id(), "haproxy-mtls", CompareRun::achievedRate);
            if (max.measures("mecmesh-mtls"))
            {
                for (final String generator : List.of(CompareRun.LOADGEN, CompareRun.H2LOAD))
                {
                    final double mine = median(generator, max.id(), "mecmesh-mtls", CompareRun::achievedRate);
                    final double haproxy = median(generator, max.id(), "haproxy-mtls", CompareRun::achievedRate);
                    if (Double.isNaN(mine) && CompareRun.H2LOAD.equals(generator))
                    {
                        continue;
                    }
                    // Closed loop: a generator whose core saturated reports its own maximum, not the system's.
                    final long saturated = runs.stream().filter(r -> r.cell().equals(max.id())
                        && r.generator().equals(generator) && r.ok() && r.saturated()).count();
                    line("| two-hop mTLS max rate ≥ 1.1 × HAProxy's (" + generator + ") | " + max.id() + " | "
                        + fmt(mine) + " req/s | " + fmt(haproxy) + " req/s | "
                        + (mine >= 1.1 * haproxy ? "pass" : "**fail**") + " ("
                        + String.format(java.util.Locale.ROOT, "%.2f", mine / haproxy) + "×)"
                        + (saturated > 0 ? "; load core saturated in " + saturated
                        + " run(s): their maximum may be the generator's" : "") + " |");
                }
            }
            else
            {
                line("| two-hop mTLS max rate ≥ 1.1 × HAProxy's | " + max.id() + " | not yet (no mTLS) | "
                    + fmt(theirs) + " req/s | **fail** (not yet) |");
            }
        }
        double worstRss = Double.NaN;
        String worstCell = "";
        for (final Cell cell : cells)
        {
            if (cell.measures(MECMESH))
            {
                final double rss = median(cell.id(), MECMESH, r -> r.rssKb() / 1024.0);
                if (Double.isNaN(worstRss) || rss > worstRss)
                {
                    worstRss = rss;
                    worstCell = cell.id();
                }
            }
        }
        final double haproxyRss = median(worstCell, HAPROXY, r -> r.rssKb() / 1024.0);
        line("| RSS under load ≤ 64 MB | " + worstCell + " (mecmesh's highest) | " + fmt(worstRss) + " MB | "
            + fmt(haproxyRss) + " MB | " + passFail(worstRss <= RSS_BAR_MB, worstRss, RSS_BAR_MB) + " |");
        final double vcpu = median("h1-1k-1000", MECMESH, CompareRun::cpuUsPerRequest) / 1000.0;
        line("| (anchor) vCPU per 1,000 req/s vs Istio 1.24 sidecar 0.20 | h1-1k-1000 | " + fmt3(vcpu) + " | "
            + fmt3(median("h1-1k-1000", HAPROXY, CompareRun::cpuUsPerRequest) / 1000.0) + " | "
            + (vcpu <= 0.20 ? "below the anchor" : "above the anchor") + " |");
        line();
    }

    private void writeCaveats()
    {
        line("## Reading these figures");
        line();
        final double[] others = runs.stream().filter(CompareRun::ok).mapToDouble(CompareRun::othersOnSutCorePercent)
            .filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (others.length > 0)
        {
            final double median = others[others.length / 2];
            final long busy = Arrays.stream(others).filter(v -> v > 10.0).count();
            line("- Interference: in the median run, other processes used " + String.format(Locale.ROOT, "%.0f", median)
                + " % of the system-under-test CPU; " + busy + " of " + others.length + " runs had more than 10 %. "
                + (median > 10.0 ? "The machine was shared with other work during this run: latency tails and "
                + "CPU per request are inflated and noisy, medians over repetitions are the figures to read, and "
                + "the pass/fail of close calls can flip on a quiet machine." : "The machine was mostly quiet."));
        }
        final double directP99 = median("h1-1k-10000", DIRECT, r -> r.latency(r.p99Us()));
        if (!Double.isNaN(directP99) && directP99 > 10_000)
        {
            line("- At 10,000 req/s even the direct baseline has a p99 of " + fmt(directP99) + " µs: the load "
                + "generator's CPU (shared with the backend) cannot send 10,000 req/s on time on this machine, so the "
                + "latencies of the 10,000 req/s cells measure queueing in front of the systems, not the systems. "
                + "Their CPU per request is still meaningful; the 1,000 req/s cells are the latency comparison.");
        }
        line("- CPU per request is several times higher at 1,000 than at 10,000 req/s for every system: most "
            + "likely per-wake-up costs (an event-loop wake-up and its syscalls per request when requests do not "
            + "batch), not profiled here.");
        line();
    }

    private void writeCells()
    {
        line("## Results per cell");
        line();
        line("Each system is measured by both generators: `mecmesh-loadgen` (first row; open loop, latency from the "
            + "intended send) and h2load (`· h2load` row; `--rps` per connection, latency from the actual send). "
            + "**INVALID**: CPU " + meta.getProperty("load_cpu", "1") + " (load generator + origin) was more than "
            + String.format(Locale.ROOT, "%.0f", CompareRun.SATURATED_PERCENT) + " % busy in the run's busiest "
            + "second, so the latency measured the harness: those runs' latency is left out of every median, ratio, "
            + "chart and the bar; their rate and the system's CPU per request still count.");
        line();
        for (final Cell cell : cells)
        {
            line("### " + cell.id() + ": " + cell.title());
            line();
            line("Load generator: `" + cell.loadArgs().trim() + "`.");
            line();
            line("| system | runs ok | achieved req/s | CPU µs/req | vCPU per 1k req/s | peak RSS MB | p50 | p90 | p99 "
                + "| p99.9 | max | errors | others on SUT core % | CPU " + meta.getProperty("load_cpu", "1")
                + " busy % (busiest s) | generator CPU % | origin CPU % |");
            line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (final String system : cell.systems())
            {
                for (final String generator : List.of(CompareRun.LOADGEN, CompareRun.H2LOAD))
                {
                    writeCellRow(cell, system, generator);
                }
            }
            for (final String system : cell.notYet())
            {
                line("| " + label(system) + " | not yet: " + whyNotYet(cell.id()) + " | | | | | | | | | | | | | | |");
            }
            line();
        }
    }

    private void writeCellRow(final Cell cell, final String system, final String generator)
    {
        final List<CompareRun> mine = runsOf(generator, cell.id(), system);
        if (mine.isEmpty())
        {
            return;
        }
        final String id = cell.id();
        final long okRuns = mine.stream().filter(CompareRun::ok).count();
        final long valid = mine.stream().filter(r -> r.ok() && !r.saturated()).count();
        final String name = label(system) + (CompareRun.H2LOAD.equals(generator) ? " · h2load" : "");
        final StringBuilder row = new StringBuilder("| " + name + " | " + okRuns + "/" + mine.size()
            + (valid < okRuns ? " (" + (okRuns - valid) + " INVALID)" : ""));
        row.append(" | ").append(spread(generator, id, system, CompareRun::achievedRate, "%.0f"));
        row.append(" | ").append(DIRECT.equals(system) ? "—" : spread(generator, id, system,
            CompareRun::cpuUsPerRequest, "%.1f"));
        row.append(" | ").append(DIRECT.equals(system) ? "—" : fmt3(median(generator, id, system,
            CompareRun::cpuUsPerRequest) / 1000.0));
        row.append(" | ").append(DIRECT.equals(system) ? "—" : spread(generator, id, system,
            r -> r.rssKb() / 1024.0, "%.1f"));
        if (valid == 0)
        {
            row.append(" | **INVALID** | | | | ");
        }
        else
        {
            row.append(" | ").append(spread(generator, id, system, r -> r.latency(r.p50Us()), "%,.0f"));
            row.append(" | ").append(fmt(median(generator, id, system, r -> r.latency(r.p90Us()))));
            row.append(" | ").append(spread(generator, id, system, r -> r.latency(r.p99Us()), "%,.0f"));
            row.append(" | ").append(fmt(median(generator, id, system, r -> r.latency(r.p999Us()))));
            row.append(" | ").append(fmt(median(generator, id, system, r -> r.latency(r.maxUs()))));
        }
        row.append(" | ").append(mine.stream().mapToLong(CompareRun::errors).sum());
        row.append(" | ").append(spread(generator, id, system, CompareRun::othersOnSutCorePercent, "%.0f"));
        row.append(" | ").append(spread(generator, id, system, r -> r.harness().loadCoreBusyPercent(), "%.0f"))
            .append(" (").append(fmt(max(generator, id, system, r -> r.harness().loadCorePeakPercent()))).append(")");
        row.append(" | ").append(spread(generator, id, system, r -> r.harness().generatorCpuPercent(), "%.0f"));
        row.append(" | ").append(spread(generator, id, system, r -> r.harness().originCpuPercent(), "%.0f"));
        row.append(" |");
        line(row.toString());
        for (final CompareRun run : mine)
        {
            if (!run.ok())
            {
                line("| ↳ rep " + run.rep() + " failed: " + run.status() + " | | | | | | | | | | | | | | | |");
            }
            else if (run.saturated())
            {
                line("| ↳ rep " + run.rep() + " INVALID: CPU " + meta.getProperty("load_cpu", "1") + " "
                    + fmt(run.harness().loadCorePeakPercent()) + " % busy in its busiest second (generator "
                    + fmt(run.harness().generatorCpuPercent()) + " %, origin " + fmt(run.harness().originCpuPercent())
                    + " %): latency not quoted | | | | | | | | | | | | | | | |");
            }
            if (run.harness().droppedWarmup() > 0)
            {
                line("| ↳ rep " + run.rep() + ": " + run.harness().droppedWarmup() + " warm-up requests dropped at "
                    + "the window's start (the generator was behind its schedule) | | | | | | | | | | | | | | | |");
            }
        }
    }

    /**
     * Both generators' rate and p99 side by side for every measured system, and how often each was INVALID.
     */
    private void writeGenerators()
    {
        line("## Both generators side by side");
        line();
        line("Medians over the valid runs (p99 in µs). mecmesh-loadgen's p99 runs from the intended send: a "
            + "request that waits for a free connection (32 connections, one request in flight each: at 10,000 "
            + "req/s a mean round trip above 3.2 ms makes requests wait) or for the generator's CPU is charged the "
            + "wait. Its p99 from the actual send, and h2load's (which has no intended send time), are not: compare "
            + "the two \"from send\" columns for the generators, the first one for the system. \"invalid\" counts "
            + "the runs whose load core saturated.");
        line();
        line("| cell | system | loadgen req/s | loadgen p99 | loadgen p99 from send | loadgen invalid | h2load req/s "
            + "| h2load p99 from send | h2load invalid |");
        line("|---|---|---|---|---|---|---|---|---|");
        for (final Cell cell : cells)
        {
            for (final String system : cell.systems())
            {
                final StringBuilder row = new StringBuilder("| " + cell.id() + " | " + label(system));
                for (final String generator : List.of(CompareRun.LOADGEN, CompareRun.H2LOAD))
                {
                    final List<CompareRun> mine = runsOf(generator, cell.id(), system);
                    final boolean loadgen = CompareRun.LOADGEN.equals(generator);
                    if (mine.isEmpty())
                    {
                        row.append(loadgen ? " | — | — | — | —" : " | — | — | —");
                        continue;
                    }
                    row.append(" | ").append(fmt(median(generator, cell.id(), system, CompareRun::achievedRate)));
                    if (loadgen)
                    {
                        row.append(" | ").append(fmt(median(generator, cell.id(), system, r -> r.latency(r.p99Us()))));
                    }
                    row.append(" | ").append(fmt(median(generator, cell.id(), system,
                        r -> r.uncorrectedP99Us() < 0 ? Double.NaN : r.latency(r.uncorrectedP99Us()))));
                    row.append(" | ").append(mine.stream().filter(r -> r.ok() && r.saturated()).count()).append('/')
                        .append(mine.size());
                }
                line(row.append(" |").toString());
            }
        }
        line();
    }

    /**
     * The two-hop mTLS pairs' configuration as checked in the run: the suite each B negotiated, and A→B connections.
     */
    private void writeTwoHopCheck()
    {
        final List<CompareRun> twoHop = runs.stream().filter(r -> r.abEstablished() >= 0).toList();
        if (twoHop.isEmpty() && tlsCheck.isEmpty())
        {
            return;
        }
        line("## Two-hop mTLS: the pairs' configurations, checked in the run");
        line();
        line("Every pair is pinned to TLS 1.3, TLS_AES_128_GCM_SHA256; HAProxy and nginx to the X25519 group (mecmesh "
            + "offers X25519MLKEM768 first and so uses it between its own sidecars: a difference of one handshake "
            + "per A→B connection). Keep-alive and reuse A→B: HAProxy `http-reuse always`, nginx `keepalive 128`, "
            + "mecmesh's pool (`maxIdleConnectionsPerLoop: 128`); nginx's upstream `keepalive_requests` raised from its "
            + "default 1,000 (after which nginx closes and re-handshakes an A→B connection) to 1,000,000, as HAProxy "
            + "and mecmesh never close a pooled connection for its age in requests; HAProxy and nginx resume TLS "
            + "sessions towards B (HAProxy's default, nginx `proxy_ssl_session_reuse on`). Each sidecar B probed "
            + "with `openssl s_client` and the client certificate, offering only the pinned suite, then only "
            + "TLS_AES_256_GCM_SHA384 (HAProxy's and nginx's B must refuse it; mecmesh's B follows its client's "
            + "order, and mecmesh's A, BoringSSL with AES-NI, offers TLS_AES_128_GCM_SHA256 first; not captured "
            + "on the wire here):");
        line();
        for (final String check : tlsCheck)
        {
            line("- " + check);
        }
        line();
        if (!serverHellos.isEmpty())
        {
            line("Every TLS ServerHello sidecar B sent from the pre-warm to the end of the measurements (every "
                + "repetition, both generators), captured on the wire (tcpdump on lo, `ServerHelloScan`; B ports: "
                + "HAProxy 18102, nginx 18104, mecmesh 18106): suite, group, and full handshakes against resumed "
                + "sessions. A handful per pair means A→B connections were reused for the whole run:");
            line();
            for (final String hello : serverHellos)
            {
                line("- " + hello);
            }
            line();
        }
        line("A→B TCP connections after each run (`ss`, established; TIME-WAIT = A→B connections closed in the "
            + "last minute, so a pair that reconnects per request shows thousands), medians over the runs of each "
            + "cell and generator:");
        line();
        line("| cell | system | generator | A→B established | A→B TIME-WAIT |");
        line("|---|---|---|---|---|");
        for (final Cell cell : cells)
        {
            for (final String system : cell.systems())
            {
                for (final String generator : List.of(CompareRun.LOADGEN, CompareRun.H2LOAD))
                {
                    final List<CompareRun> mine = runsOf(generator, cell.id(), system).stream()
                        .filter(r -> r.abEstablished() >= 0).toList();
                    if (!mine.isEmpty())
                    {
                        line("| " + cell.id() + " | " + label(system) + " | " + generator + " | "
                            + fmt(median(generator, cell.id(), system, r -> r.abEstablished())) + " | "
                            + fmt(median(generator, cell.id(), system, r -> r.abTimeWait())) + " |");
                    }
                }
            }
        }
        line();
    }

    private void writeRatios()
    {
        line("## Ratios (medians; below 1 means mecmesh uses less / is faster)");
        line();
        line("| cell | metric | mecmesh ÷ HAProxy | mecmesh ÷ nginx | mecmesh ÷ direct |");
        line("|---|---|---|---|---|");
        final Map<String, ToDoubleFunction<CompareRun>> metrics = new LinkedHashMap<>();
        metrics.put("CPU µs/req", CompareRun::cpuUsPerRequest);
        metrics.put("peak RSS", r -> r.rssKb() / 1024.0);
        metrics.put("p50", r -> r.latency(r.p50Us()));
        metrics.put("p99", r -> r.latency(r.p99Us()));
        metrics.put("p99.9", r -> r.latency(r.p999Us()));
        metrics.put("achieved rate", CompareRun::achievedRate);
        for (final Cell cell : cells)
        {
            final String mecmesh = cell.systemOf(MECMESH);
            if (mecmesh == null)
            {
                line("| " + cell.id() + " | all | not yet | not yet | not yet |");
                continue;
            }
            final String haproxy = cell.systemOf(HAPROXY);
            final String nginx = cell.systemOf(NGINX);
            for (final Map.Entry<String, ToDoubleFunction<CompareRun>> metric : metrics.entrySet())
            {
                final double mine = median(cell.id(), mecmesh, metric.getValue());
                final boolean perProxy = metric.getKey().startsWith("CPU") || metric.getKey().startsWith("peak");
                line("| " + cell.id() + " | " + metric.getKey() + " | "
                    + (haproxy == null ? "—" : ratio(mine, median(cell.id(), haproxy, metric.getValue()))) + " | "
                    + (nginx == null ? "—" : ratio(mine, median(cell.id(), nginx, metric.getValue()))) + " | "
                    + (perProxy || !cell.measures(DIRECT) ? "—"
                        : ratio(mine, median(cell.id(), DIRECT, metric.getValue()))) + " |");
            }
        }
        line();
    }

    private void writeCharts()
    {
        line("## Charts");
        line();
        final List<String> cellIds = new ArrayList<>();
        final Map<String, double[]> cpu = new LinkedHashMap<>();
        for (final String family : FAMILIES)
        {
            if (!DIRECT.equals(family))
            {
                cpu.put(label(family), new double[(int)cells.stream().filter(c -> !c.id().contains("-1m-")).count()]);
            }
        }
        final List<Cell> small = cells.stream().filter(c -> !c.id().contains("-1m-")).toList();
        for (final double[] values : cpu.values())
        {
            Arrays.fill(values, Double.NaN);
        }
        for (int i = 0; i < small.size(); i++)
        {
            final Cell cell = small.get(i);
            cellIds.add(cell.id());
            for (final String family : FAMILIES)
            {
                if (!DIRECT.equals(family))
                {
                    final String system = cell.systemOf(family);
                    cpu.get(label(family))[i] = system == null ? Double.NaN
                        : median(cell.id(), system, CompareRun::cpuUsPerRequest);
                }
            }
        }
        ReportCharts.cpuPerRequest(results.resolve("cpu-per-request.png"), cellIds, cpu);
        line("CPU µs per request per system, 1 KiB cells (the 1 MiB cell is in its table: it would flatten the "
            + "scale); a bar at 0 = not measured (\"not yet\" for mecmesh):");
        line();
        line("![CPU per request](results/cpu-per-request.png)");
        line();
        line("Latency percentile curves (coordinated-omission corrected, all repetitions merged), one chart per cell:");
        line();
        for (final Cell cell : cells)
        {
            final Map<String, Histogram> latencies = new LinkedHashMap<>();
            for (final String system : cell.systems())
            {
                final Histogram merged = new Histogram(3);
                for (final CompareRun run : runsOf(cell.id(), system))
                {
                    if (run.ok() && !run.saturated() && run.latency() != null)
                    {
                        merged.add(run.latency());
                    }
                }
                if (merged.getTotalCount() > 0)
                {
                    latencies.put(label(system), merged);
                }
            }
            final String file = "latency-" + cell.id() + ".png";
            ReportCharts.latencyPercentiles(results.resolve(file), cell.title(), latencies);
            line("![" + cell.id() + "](results/" + file + ")");
            line();
        }
    }

    private void writeJmh()
    {
        line("## Microbenchmarks (JMH)");
        line();
        final Path jmh = results.resolve("jmh.json");
        if (!Files.isRegularFile(jmh))
        {
            line("No `perf/results/jmh.json`: run `perf/compare.sh --jmh` or the command below.");
            line();
            return;
        }
        final Path commandFile = results.resolve("jmh-command.txt");
        try
        {
            final String command = Files.isRegularFile(commandFile) ? Files.readString(commandFile).trim()
                : "perf/bin/mecmesh-bench -prof gc -rf json -rff perf/results/jmh.json";
            line("Run separately from the load runs above (" + Files.getLastModifiedTime(jmh).toString().substring(0, 16)
                + "Z), with:");
            line();
            line("```sh");
            line(command);
            line("```");
            line();
            line("What each measures and leaves out is in its class's Javadoc (`perf/src/main/java/io/mecmesh/perf/bench`). "
                + "The request path stops before the upstream stage: `ForwardHandler`'s pool opens real sockets on a "
                + "real event loop, so an `AnsweringHandler` answers instead; the socket path is what the cells above "
                + "measure. The error column is JMH's 99.9 % interval over the iterations: wide intervals mean the "
                + "machine was busy with other work during the run.");
            line();
            line("| benchmark | ns/op | ± (99.9 %) | B/op (gc.alloc.rate.norm) |");
            line("|---|---|---|---|");
            for (final JsonNode result : new ObjectMapper().readTree(jmh.toFile()))
            {
                final String name = result.path("benchmark").asText().replace("io.mecmesh.perf.bench.", "");
                final JsonNode primary = result.path("primaryMetric");
                String allocated = "—";
                for (final Map.Entry<String, JsonNode> entry : result.path("secondaryMetrics").properties())
                {
                    if (entry.getKey().endsWith("gc.alloc.rate.norm"))
                    {
                        allocated = String.format(Locale.ROOT, "%.0f", entry.getValue().path("score").asDouble());
                    }
                }
                line("| " + name + " | " + String.format(Locale.ROOT, "%.1f", primary.path("score").asDouble()) + " | "
                    + String.format(Locale.ROOT, "%.1f", primary.path("scoreError").asDouble()) + " | " + allocated + " |");
            }
            line();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + jmh, ex);
        }
    }

    private void writeAnchors()
    {
        line("## Published anchors (not measured here)");
        line();
        line("- Istio 1.24 sidecar: 0.20 vCPU and about 60 MB per 1,000 req/s; ztunnel: 0.06 vCPU per 1,000 req/s.");
        line("- Istio 1.20, two sidecars: +0.228 ms p90, +0.298 ms p99.");
        line();
    }

    /**
     * The sections other harnesses write (perf/controlplane.sh, perf/handshake.sh, perf/restart.sh; desired-state,
     * packaging and overhead by hand): each {@code results/NAME.md}
     * that exists, between the markers perf/bin/splice-results-section uses, so that a rerun of either keeps the
     * other's output.
     */
    private void writeSections()
    {
        for (final String name : SECTIONS)
        {
            final Path fragment = results.resolve(name + ".md");
            if (Files.isRegularFile(fragment))
            {
                try
                {
                    line("<!-- section " + name + ": begin -->");
                    md.append(Files.readString(fragment, StandardCharsets.UTF_8));
                    line("<!-- section " + name + ": end -->");
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot read " + fragment, ex);
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------------------------

    private Cell cell(final String id)
    {
        return cells.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
    }

    private List<CompareRun> runsOf(final String cell, final String system)
    {
        return runsOf(CompareRun.LOADGEN, cell, system);
    }

    private List<CompareRun> runsOf(final String generator, final String cell, final String system)
    {
        return runs.stream().filter(r -> r.generator().equals(generator) && r.cell().equals(cell)
            && r.system().equals(system)).toList();
    }

    private double[] values(final String generator, final String cell, final String system,
        final ToDoubleFunction<CompareRun> metric)
    {
        return runsOf(generator, cell, system).stream().filter(CompareRun::ok).mapToDouble(metric)
            .filter(v -> !Double.isNaN(v)).sorted().toArray();
    }

    private double max(final String generator, final String cell, final String system,
        final ToDoubleFunction<CompareRun> metric)
    {
        final double[] sorted = values(generator, cell, system, metric);
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    private double median(final String cell, final String system, final ToDoubleFunction<CompareRun> metric)
    {
        return median(CompareRun.LOADGEN, cell, system, metric);
    }

    private double median(final String generator, final String cell, final String system,
        final ToDoubleFunction<CompareRun> metric)
    {
        final double[] sorted = values(generator, cell, system, metric);
        if (sorted.length == 0)
        {
            return Double.NaN;
        }
        final int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    private String spread(final String generator, final String cell, final String system,
        final ToDoubleFunction<CompareRun> metric, final String format)
    {
        final double[] sorted = values(generator, cell, system, metric);
        if (sorted.length == 0)
        {
            return "—";
        }
        final String median = String.format(Locale.ROOT, format, median(generator, cell, system, metric));
        if (sorted.length == 1)
        {
            return median;
        }
        return median + " (" + String.format(Locale.ROOT, format, sorted[0]) + "–"
            + String.format(Locale.ROOT, format, sorted[sorted.length - 1]) + ")";
    }

    private static String passFail(final boolean pass, final double mine, final double bar)
    {
        if (Double.isNaN(mine) || Double.isNaN(bar))
        {
            return "no data";
        }
        return pass ? "**pass**" : "**fail** (" + ratio(mine, bar) + "×)";
    }

    private static String ratio(final double mine, final double theirs)
    {
        if (Double.isNaN(mine) || Double.isNaN(theirs) || theirs == 0)
        {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f", mine / theirs);
    }

    private static String fmt(final double value)
    {
        if (Double.isNaN(value))
        {
            return "—";
        }
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
            : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String fmt3(final double value)
    {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String label(final String system)
    {
        return switch (system)
        {
            case DIRECT -> "direct (no proxy)";
            case HAPROXY -> "HAProxy";
            case NGINX -> "nginx";
            case "haproxy-mtls" -> "HAProxy ×2 (A+B)";
            case "nginx-mtls" -> "nginx ×2 (A+B)";
            case "mecmesh-mtls" -> "mecmesh ×2 (A+B)";
            default -> system;
        };
    }

    private static String whyNotYet(final String cell)
    {
        if (cell.startsWith("h2c"))
        {
            return "no HTTP/2 in the data plane yet";
        }
        if (cell.startsWith("mtls"))
        {
            return "no mTLS between appliances yet";
        }
        if (cell.startsWith("tcp"))
        {
            return "no L4 TCP listener yet";
        }
        return "not supported yet";
    }

    private static List<String> systemsOf(final String measured)
    {
        return Arrays.stream(measured.trim().split("\\s+")).map(pair -> pair.substring(0, pair.indexOf('='))).toList();
    }

    private void line(final String text)
    {
        md.append(text).append('\n');
    }

    private void line()
    {
        md.append('\n');
    }

    /**
     * A cell of the comparison.
     *
     * @param id       short id, e.g. {@code h1-1k-1000}.
     * @param title    what it measures.
     * @param loadArgs the load generator's arguments.
     * @param systems  the systems measured, in order.
     * @param notYet   the systems listed as "not yet".
     */
    private record Cell(String id, String title, String loadArgs, List<String> systems, List<String> notYet)
    {
        boolean measures(final String system)
        {
            return systems.contains(system);
        }

        /** The system of a family in this cell ({@code haproxy} or {@code haproxy-mtls}), or null. */
        String systemOf(final String family)
        {
            for (final String system : systems)
            {
                if (system.equals(family) || system.startsWith(family + "-"))
                {
                    return system;
                }
            }
            return null;
        }
    }
}
