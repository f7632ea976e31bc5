package io.mecmesh.perf.loadgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The command line of {@code mecmesh-loadgen}: a hand-written parser of {@code --name value} and {@code --flag}
 * options into a {@link LoadGenConfig}, and the {@code --help} text.
 */
final class LoadGenOptions
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: mecmesh-loadgen --url URL [options]",
        "",
        "Open-loop HTTP load at a fixed rate (the wrk2 model): request i is due at start + i/rate and its latency",
        "runs from that intended time, so a stalled server cannot hide behind the requests it delayed.",
        "",
        "  --url URL           http://host[:port]/path or https://...; the only address contacted (required)",
        "  --rate N            requests per second over all connections (required unless --closed-loop)",
        "  --connections N     TCP connections, HTTP/1.1 keep-alive, one request in flight each (default 10)",
        "  --duration T        measurement window, e.g. 30s, 500ms, 2m (default 10s)",
        "  --warmup T          load before the window, not measured (default 0s)",
        "  --body-size N       request body bytes; POST when > 0, else GET (default 0)",
        "  --http2             HTTP/2: prior knowledge on cleartext, ALPN h2 with TLS",
        "  --streams N         HTTP/2 requests in flight per connection (default 1)",
        "  --tls               connect with TLS (implied by https://)",
        "  --cert FILE         client certificate chain, PEM (mTLS; needs --key)",
        "  --key FILE          client private key, PEM PKCS#8 (mTLS)",
        "  --cacert FILE       CA bundle, PEM, that verifies the server (default: the JDK trust store)",
        "  --closed-loop       max-rate mode: each connection sends again as soon as a response arrives",
        "  --hlog FILE         write the latency log (HdrHistogram .hlog, one interval per second)",
        "  --json FILE         write the JSON summary",
        "  --quiet             no progress line on stderr",
        "  --threads N         event-loop threads (default 1: leave the CPU to the system under test)",
        "  --timeout T         response timeout, connect timeout and drain time after the window (default 2s)",
        "  --watch-cpu N       report core N's busy share per second of the window (the generator's core), so a",
        "                      saturated harness shows in the JSON (cpu.coreBusyPeakPercent)",
        "  --watch-pid P[,P]   report these processes' CPU time too (the origin's), repeatable",
        "  --help              this text",
        "",
        "Latency is in microseconds, recorded from 1 us to 60 s with 3 significant digits.");

    private static final Set<String> VALUE_OPTIONS = Set.of("--url", "--rate", "--connections", "--duration",
        "--warmup", "--body-size", "--streams", "--cert", "--key", "--cacert", "--hlog", "--json", "--threads",
        "--timeout", "--watch-cpu", "--watch-pid");

    private LoadGenOptions()
    {
    }

    /**
     * @param args the command line.
     * @return true when the command line asks for the help text.
     */
    static boolean wantsHelp(final String[] args)
    {
        for (final String arg : args)
        {
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses a command line.
     *
     * @param args the command line, without the program name.
     * @return the validated configuration.
     * @throws IllegalArgumentException naming the first option that is unknown, missing a value or invalid.
     */
    static LoadGenConfig parse(final String[] args)
    {
        requireNonNull(args, "args");
        String url = null;
        double rate = 0;
        boolean rateGiven = false;
        int connections = 10;
        long durationNs = 10_000_000_000L;
        long warmupNs = 0;
        int bodySize = 0;
        boolean http2 = false;
        int streams = 1;
        boolean tls = false;
        Path cert = null;
        Path key = null;
        Path cacert = null;
        boolean closedLoop = false;
        Path hlog = null;
        Path json = null;
        boolean quiet = false;
        int threads = 1;
        long timeoutNs = 2_000_000_000L;
        OptionalInt watchCpu = OptionalInt.empty();
        final List<Long> watchPids = new ArrayList<>();

        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--http2":
                    http2 = true;
                    break;
                case "--tls":
                    tls = true;
                    break;
                case "--closed-loop":
                    closedLoop = true;
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                default:
                    if (!VALUE_OPTIONS.contains(option))
                    {
                        throw new IllegalArgumentException(option.startsWith("--") ?
                            "unknown option: " + option : "unexpected argument: " + option);
                    }
                    final String value = valueOf(args, i);
                    i++;
                    switch (option)
                    {
                        case "--url":
                            url = value;
                            break;
                        case "--rate":
                            rate = parseDouble(option, value);
                            rateGiven = true;
                            break;
                        case "--connections":
                            connections = parseInt(option, value);
                            break;
                        case "--duration":
                            durationNs = parseDurationNs(option, value);
                            break;
                        case "--warmup":
                            warmupNs = parseDurationNs(option, value);
                            break;
                        case "--body-size":
                            bodySize = parseInt(option, value);
                            break;
                        case "--streams":
                            streams = parseInt(option, value);
                            break;
                        case "--cert":
                            cert = Path.of(value);
                            break;
                        case "--key":
                            key = Path.of(value);
                            break;
                        case "--cacert":
                            cacert = Path.of(value);
                            break;
                        case "--hlog":
                            hlog = Path.of(value);
                            break;
                        case "--json":
                            json = Path.of(value);
                            break;
                        case "--threads":
                            threads = parseInt(option, value);
                            break;
                        case "--timeout":
                            timeoutNs = parseDurationNs(option, value);
                            break;
                        case "--watch-cpu":
                            watchCpu = OptionalInt.of(parseInt(option, value));
                            break;
                        case "--watch-pid":
                            for (final String pid : value.split(","))
                            {
                                if (!pid.isBlank())
                                {
                                    watchPids.add((long)parseInt(option, pid));
                                }
                            }
                            break;
                        default:
                            throw new IllegalArgumentException("unknown option: " + option);
                    }
            }
        }

        if (url == null)
        {
            throw new IllegalArgumentException("--url is required");
        }
        if (!rateGiven && !closedLoop)
        {
            throw new IllegalArgumentException("--rate is required (or --closed-loop for the maximum rate)");
        }
        final TargetUrl target = TargetUrl.parse(url);
        return new LoadGenConfig(target, rate, connections, durationNs, warmupNs, bodySize, http2, streams,
            tls || target.isHttps(), Optional.ofNullable(cert), Optional.ofNullable(key), Optional.ofNullable(cacert),
            closedLoop, Optional.ofNullable(hlog), Optional.ofNullable(json), quiet, threads, timeoutNs, watchCpu,
            watchPids);
    }

    /**
     * Parses a duration: a number with unit {@code ms}, {@code s}, {@code m} or {@code h}; no unit means seconds.
     *
     * @param option the option, for the error message.
     * @param value  e.g. {@code 30s}, {@code 250ms}, {@code 1.5}.
     * @return nanoseconds.
     */
    static long parseDurationNs(final String option, final String value)
    {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        final long unitNs;
        final String number;
        if (text.endsWith("ms"))
        {
            unitNs = 1_000_000L;
            number = text.substring(0, text.length() - 2);
        }
        else if (text.endsWith("s"))
        {
            unitNs = 1_000_000_000L;
            number = text.substring(0, text.length() - 1);
        }
        else if (text.endsWith("m"))
        {
            unitNs = 60_000_000_000L;
            number = text.substring(0, text.length() - 1);
        }
        else if (text.endsWith("h"))
        {
            unitNs = 3_600_000_000_000L;
            number = text.substring(0, text.length() - 1);
        }
        else
        {
            unitNs = 1_000_000_000L;
            number = text;
        }
        final double amount = parseDouble(option, number);
        if (amount < 0 || amount * unitNs > LoadGenConfig.MAX_RUN_NS)
        {
            throw new IllegalArgumentException(option + ": out of range: " + value);
        }
        return Math.round(amount * unitNs);
    }

    private static String valueOf(final String[] args, final int index)
    {
        if (index + 1 >= args.length)
        {
            throw new IllegalArgumentException(args[index] + " needs a value");
        }
        return args[index + 1];
    }

    private static int parseInt(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + ": not an integer: " + value, ex);
        }
    }

    private static double parseDouble(final String option, final String value)
    {
        try
        {
            final double parsed = Double.parseDouble(value.trim());
            if (!Double.isFinite(parsed))
            {
                throw new IllegalArgumentException(option + ": not a finite number: " + value);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + ": not a number: " + value, ex);
        }
    }
}
