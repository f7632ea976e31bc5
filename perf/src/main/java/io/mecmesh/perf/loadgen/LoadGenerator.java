package io.mecmesh.perf.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * {@code mecmesh-loadgen}: open-loop (or closed-loop) HTTP load against one URL, latency in HdrHistograms.
 *
 * <p>What it measures: for each request of the measurement window, the time from its intended send time (open loop)
 * to the last byte of its response, on the client's clock, including any wait for a free connection. What it leaves
 * out: the warm-up, DNS (the host is resolved once before the run) and connection set-up before the first request.
 *
 * <p>The main thread does the reporting: every second it takes the interval histogram, appends it to the
 * {@code .hlog} and prints the progress line; the event loops ({@link LoadAgent}) do the sending.
 */
public final class LoadGenerator
{
    static final long LOWEST_US = 1;
    static final long HIGHEST_US = 60_000_000L;
    static final int SIGNIFICANT_DIGITS = 3;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final long REPORT_GRACE_NS = 5 * SECOND_NS;

    private LoadGenerator()
    {
    }

    /**
     * Runs the load generator and exits: 0 when the run completed, 1 when it could not run or write its results, 2
     * on a bad command line.
     *
     * @param args the command line; {@code --help} lists the options.
     */
    public static void main(final String[] args)
    {
        // The appliance's slf4j-api is on the class path without a binding: keep Netty on java.util.logging.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * @param args the command line.
     * @param out  where the help text and the summary go.
     * @param err  where the progress line and errors go.
     * @return the exit code.
     */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        if (LoadGenOptions.wantsHelp(args))
        {
            out.println(LoadGenOptions.USAGE);
            return 0;
        }
        final LoadGenConfig config;
        try
        {
            config = LoadGenOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("mecmesh-loadgen: " + ex.getMessage());
            err.println("try --help");
            return 2;
        }
        try
        {
            final LoadResult result = run(config, err);
            if (config.jsonFile().isPresent())
            {
                writeJson(result, config.jsonFile().get());
            }
            out.println(result.summary());
            return 0;
        }
        catch (final UncheckedIOException | IllegalArgumentException | IllegalStateException ex)
        {
            err.println("mecmesh-loadgen: " + ex.getMessage());
            return 1;
        }
    }

    /**
     * Runs the load and blocks until it is over: at most warm-up + duration + timeout, plus connection set-up.
     *
     * @param config   the run.
     * @param progress where the progress line goes (unless {@code --quiet}).
     * @return what was measured.
     * @throws UncheckedIOException     when the TLS files or the {@code .hlog} file cannot be used.
     * @throws IllegalArgumentException when the host does not resolve.
     */
    static LoadResult run(final LoadGenConfig config, final PrintStream progress)
    {
        requireNonNull(config, "config");
        requireNonNull(progress, "progress");
        final ClientTransport transport = ClientTransport.select();
        final Optional<SslContext> sslContext = TlsContexts.forClient(config);
        final InetSocketAddress address = new InetSocketAddress(config.target().host(), config.target().port());
        if (address.isUnresolved())
        {
            throw new IllegalArgumentException("url: cannot resolve " + config.target().host());
        }

        final LoadCounters counters = new LoadCounters();
        final Recorder correctedUs = new Recorder(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS);
        final Recorder uncorrectedUs = new Recorder(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS);
        final int loops = config.eventLoops();
        final CountDownLatch firstAttempts = new CountDownLatch(config.connections());
        final CountDownLatch finished = new CountDownLatch(loops);
        final MultiThreadIoEventLoopGroup group = transport.newEventLoopGroup(loops);
        try (HlogOutput hlog = HlogOutput.open(config.hlogFile()))
        {
            final Bootstrap base = new Bootstrap()
                .channel(transport.channelClass())
                .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE,
                    TimeUnit.NANOSECONDS.toMillis(config.timeoutNs())));
            final List<LoadAgent> agents = new ArrayList<>(loops);
            for (int k = 0; k < loops; k++)
            {
                final EventLoop eventLoop = group.next();
                final Bootstrap bootstrap = base.clone().group(eventLoop);
                final RequestTemplate template =
                    new RequestTemplate(config.target(), config.tls(), config.bodySize(), ByteBufAllocator.DEFAULT);
                final int connectionCount = config.connections() / loops + (k < config.connections() % loops ? 1 : 0);
                agents.add(new LoadAgent(eventLoop, k, loops, config, counters, correctedUs, uncorrectedUs, template,
                    firstAttempts, finished,
                    agent -> config.http2() ?
                        new Http2Connection(agent, template, bootstrap, address, sslContext, config.target().host(),
                            config.streams()) :
                        new Http1Connection(agent, template, bootstrap, address, sslContext, config.target().host()),
                    connectionCount));
            }

            agents.forEach(LoadAgent::connectAll);
            await(firstAttempts, System.nanoTime() + config.timeoutNs() + SECOND_NS);

            final HarnessCpu.Window cpu = new HarnessCpu.Window(CpuProbe.of(config));
            final long startNs = System.nanoTime() + 1_000_000L;
            final long startEpochMs = System.currentTimeMillis() + 1;
            cpu.atStart(System.nanoTime());
            agents.forEach(agent -> agent.start(startNs));

            final Histogram totalUs = new Histogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS);
            final Histogram totalUncorrectedUs = new Histogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS);
            report(config, counters, correctedUs, uncorrectedUs, finished, startNs, startEpochMs, hlog,
                totalUs, totalUncorrectedUs, progress, cpu);
            final HarnessCpu harnessCpu = cpu.atEnd(System.nanoTime());

            final Map<LoadCounter, Long> counts = new EnumMap<>(LoadCounter.class);
            for (final LoadCounter counter : LoadCounter.values())
            {
                counts.put(counter, counters.get(counter));
            }
            return new LoadResult(config, transport.name(), counts, totalUs, totalUncorrectedUs, harnessCpu);
        }
        finally
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    private static void report(
        final LoadGenConfig config,
        final LoadCounters counters,
        final Recorder correctedUs,
        final Recorder uncorrectedUs,
        final CountDownLatch finished,
        final long startNs,
        final long startEpochMs,
        final HlogOutput hlog,
        final Histogram totalUs,
        final Histogram totalUncorrectedUs,
        final PrintStream progress,
        final HarnessCpu.Window cpu)
    {
        final long windowStartNs = startNs + config.warmupNs();
        final long windowEndNs = windowStartNs + config.durationNs();
        final long lastReportNs = windowStartNs + config.durationNs() + config.timeoutNs() + REPORT_GRACE_NS;

        for (long tickNs = startNs + SECOND_NS; tickNs - windowStartNs < 0; tickNs += SECOND_NS)
        {
            await(finished, tickNs);
            if (!config.quiet())
            {
                progress.printf(Locale.ROOT, "[warm-up %4.0fs] sent %d, connect errors %d%n",
                    (tickNs - startNs) / 1e9, counters.get(LoadCounter.SENT_WARMUP),
                    counters.get(LoadCounter.ERROR_CONNECT));
            }
        }
        await(finished, windowStartNs);
        cpu.atWindowStart(System.nanoTime());
        // Only requests of the window are recorded, so this first interval (from before the window to a moment after
        // its start, as late as this thread woke up) belongs to the window: it is logged as starting with the window.
        final long windowStartEpochMs = startEpochMs + TimeUnit.NANOSECONDS.toMillis(config.warmupNs());
        hlog.start(windowStartEpochMs, config);
        final Histogram first = correctedUs.getIntervalHistogram();
        first.setStartTimeStamp(Math.max(first.getStartTimeStamp(), windowStartEpochMs));
        totalUs.add(first);
        totalUncorrectedUs.add(uncorrectedUs.getIntervalHistogram());
        if (first.getTotalCount() > 0)
        {
            hlog.append(first);
        }

        long lastCompleted = 0;
        long lastSent = 0;
        for (int second = 1; ; second++)
        {
            final long tickNs = Math.min(windowStartNs + second * SECOND_NS, lastReportNs);
            final boolean ended = await(finished, tickNs);
            cpu.atTick(System.nanoTime(), windowEndNs);
            final Histogram interval = correctedUs.getIntervalHistogram();
            totalUs.add(interval);
            totalUncorrectedUs.add(uncorrectedUs.getIntervalHistogram());
            hlog.append(interval);
            if (!config.quiet())
            {
                final long sent = counters.get(LoadCounter.SENT);
                final long completed = counters.get(LoadCounter.COMPLETED);
                final boolean draining = (long)second * SECOND_NS > config.durationNs() + SECOND_NS - 1;
                progress.printf(Locale.ROOT,
                    "[%s] sent %6d/s, completed %6d/s, errors %d | p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                    draining ? "drain" : String.format(Locale.ROOT, "%4ds", second), sent - lastSent, completed - lastCompleted, counters.errors(),
                    interval.getValueAtPercentile(50) / 1e3, interval.getValueAtPercentile(99) / 1e3,
                    interval.getMaxValue() / 1e3);
                lastSent = sent;
                lastCompleted = completed;
            }
            if (ended || System.nanoTime() - lastReportNs >= 0)
            {
                return;
            }
        }
    }

    /**
     * @return true when the latch reached zero before the deadline.
     */
    private static boolean await(final CountDownLatch latch, final long deadlineNs)
    {
        try
        {
            return latch.await(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /**
     * @param latencyNs a latency.
     * @return it in microseconds, within the histograms' range.
     */
    static long clampUs(final long latencyNs)
    {
        return Math.max(LOWEST_US, Math.min(HIGHEST_US, latencyNs / 1_000L));
    }

    private static void writeJson(final LoadResult result, final Path file)
    {
        try
        {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), result.toJson());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("json: cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The optional {@code .hlog}: one interval histogram per second of the window, values in microseconds,
     * {@code Interval_Max} in milliseconds. Used by the reporting thread only.
     */
    private static final class HlogOutput implements AutoCloseable
    {
        private final Optional<PrintStream> stream;
        private HistogramLogWriter writer;
        private long baseEpochMs;

        private HlogOutput(final Optional<PrintStream> stream)
        {
            this.stream = stream;
        }

        static HlogOutput open(final Optional<Path> file)
        {
            if (file.isEmpty())
            {
                return new HlogOutput(Optional.empty());
            }
            try
            {
                return new HlogOutput(Optional.of(new PrintStream(file.get().toFile(), "US-ASCII")));
            }
            catch (final FileNotFoundException | java.io.UnsupportedEncodingException ex)
            {
                throw new UncheckedIOException("hlog: cannot write " + file.get() + ": " + ex.getMessage(), ex);
            }
        }

        void start(final long windowStartEpochMs, final LoadGenConfig config)
        {
            if (stream.isEmpty())
            {
                return;
            }
            baseEpochMs = windowStartEpochMs;
            writer = new HistogramLogWriter(stream.get());
            writer.outputComment("mecmesh-loadgen " + (config.closedLoop() ? "closed-loop" :
                "open-loop " + config.ratePerSecond() + " req/s") + " " + config.target().authority() +
                config.target().path() + "; values in microseconds, Interval_Max in milliseconds");
            writer.outputLogFormatVersion();
            writer.outputStartTime(windowStartEpochMs);
            writer.setBaseTime(windowStartEpochMs);
            writer.outputBaseTime(windowStartEpochMs);
            writer.outputLegend();
        }

        void append(final Histogram interval)
        {
            if (writer != null)
            {
                writer.outputIntervalHistogram(
                    (interval.getStartTimeStamp() - baseEpochMs) / 1e3,
                    (interval.getEndTimeStamp() - baseEpochMs) / 1e3,
                    interval, 1e3);
            }
        }

        @Override
        public void close()
        {
            stream.ifPresent(PrintStream::close);
        }
    }
}
