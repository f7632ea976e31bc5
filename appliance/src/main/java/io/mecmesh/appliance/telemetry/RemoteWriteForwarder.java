package io.mecmesh.appliance.telemetry;

import io.mecmesh.appliance.Version;
import io.mecmesh.appliance.config.TelemetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Store and forward of this appliance's metrics to a Prometheus remote-write 1.0 receiver. Two threads:
 * <ul>
 *   <li>the collector, every {@code intervalMs}: reads the exposition (what {@code /metrics} serves), stamps every
 *   sample with the collection time, encodes and compresses it ({@link WriteRequestEncoder}) and appends it to the
 *   on-disk spool ({@link RemoteWriteSpool}, bounded by {@code diskQuotaBytes}, oldest dropped first);</li>
 *   <li>the sender: posts the oldest spooled batch, removes it once the receiver accepted it (2xx) or refused it for
 *   good (4xx but 429), and otherwise keeps it and tries again after a back-off (0.5 s doubling up to the interval,
 *   at most 30 s). Batches go strictly in collection order, one at a time, so a receiver that was away gets the
 *   samples of its absence in order, before the newer ones.</li>
 * </ul>
 * Every batch goes through the disk, connected or not: samples collected before a restart of the appliance are
 * sent after it. The collector never waits for the receiver. Logs only on a change between working and failing.
 */
public final class RemoteWriteForwarder implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteForwarder.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long MIN_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long IDLE_POLL_MS = 50;

    private final TelemetryConfig.RemoteWrite config;
    private final RemoteWriteSpool spool;
    private final Supplier<String> exposition;
    private final Map<String, String> externalLabels;
    private final LongSupplier epochMillis;
    private final HttpClient client;
    private final Map<RemoteWriteCounter, AtomicLong> counters = new EnumMap<>(RemoteWriteCounter.class);
    private final ScheduledExecutorService collector;
    private final Thread sender;
    private volatile boolean running = true;
    private boolean failing;
    private long backoffMs = MIN_BACKOFF_MS;

    private RemoteWriteForwarder(final TelemetryConfig.RemoteWrite config, final RemoteWriteSpool spool,
        final Supplier<String> exposition, final Map<String, String> externalLabels, final LongSupplier epochMillis)
    {
        this.config = config;
        this.spool = spool;
        this.exposition = exposition;
        this.externalLabels = Map.copyOf(externalLabels);
        this.epochMillis = epochMillis;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
            .build();
        for (final RemoteWriteCounter counter : RemoteWriteCounter.values())
        {
            counters.put(counter, new AtomicLong());
        }
        this.collector = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-remote-write-collector");
            thread.setDaemon(true);
            return thread;
        });
        this.sender = new Thread(this::sendLoop, "mecmesh-remote-write-sender");
        this.sender.setDaemon(true);
    }

    /**
     * Opens the spool (keeping what a previous run left unsent) and starts collecting and sending.
     *
     * @param config         the receiver, interval and quota.
     * @param directory      the spool's directory.
     * @param exposition     the metrics, as a Prometheus text exposition.
     * @param externalLabels labels added to every series (which appliance sent it).
     * @return the running forwarder.
     * @throws UncheckedIOException if the spool's directory cannot be created or read.
     */
    public static RemoteWriteForwarder start(final TelemetryConfig.RemoteWrite config, final Path directory,
        final Supplier<String> exposition, final Map<String, String> externalLabels)
    {
        final RemoteWriteForwarder forwarder = create(config, directory, exposition, externalLabels,
            System::currentTimeMillis);
        final RemoteWriteSpool spool = forwarder.spool;
        forwarder.collector.scheduleAtFixedRate(forwarder::collect, 0, config.intervalMs(), TimeUnit.MILLISECONDS);
        forwarder.sender.start();
        LOG.info("remote write to {} every {} ms ({} batches left from before, quota {} bytes in {})", config.url(),
            config.intervalMs(), spool.pendingBatches(), config.diskQuotaBytes(), directory);
        return forwarder;
    }

    /**
     * A forwarder whose threads are not started: {@link #collect()} and {@link #sendOldest()} are called by hand
     * (tests).
     */
    static RemoteWriteForwarder create(final TelemetryConfig.RemoteWrite config, final Path directory,
        final Supplier<String> exposition, final Map<String, String> externalLabels, final LongSupplier epochMillis)
    {
        requireNonNull(config, "config");
        requireNonNull(exposition, "exposition");
        requireNonNull(externalLabels, "externalLabels");
        requireNonNull(epochMillis, "epochMillis");
        return new RemoteWriteForwarder(config, RemoteWriteSpool.open(directory, config.diskQuotaBytes()), exposition,
            externalLabels, epochMillis);
    }

    /**
     * @param counter what to read.
     * @return its count since start.
     */
    public long get(final RemoteWriteCounter counter)
    {
        return counters.get(counter).get();
    }

    /**
     * @return batches on disk not yet accepted by the receiver.
     */
    public int pendingBatches()
    {
        return spool.pendingBatches();
    }

    /**
     * @return their size on disk.
     */
    public long pendingBytes()
    {
        return spool.pendingBytes();
    }

    /** One collection: never throws (a scheduled task that throws is never run again). */
    void collect()
    {
        try
        {
            final long nowMs = epochMillis.getAsLong();
            final List<Series> series = ExpositionParser.parse(exposition.get(), externalLabels);
            final byte[] body = WriteRequestEncoder.compress(WriteRequestEncoder.encode(series, nowMs));
            final RemoteWriteSpool.Dropped dropped = spool.append(body, series.size());
            counters.get(RemoteWriteCounter.BATCHES_DROPPED).addAndGet(dropped.batches());
            counters.get(RemoteWriteCounter.SAMPLES_DROPPED).addAndGet(dropped.samples());
            LockSupport.unpark(sender);
        }
        catch (final RuntimeException ex)
        {
            if (counters.get(RemoteWriteCounter.COLLECT_FAILURES).getAndIncrement() == 0)
            {
                LOG.error("remote write: cannot collect and spool metrics (counted in "
                    + "mecmesh_remote_write_collect_failures_total, logged once): {}", ex.toString());
            }
        }
    }

    private void sendLoop()
    {
        while (running)
        {
            final int sent = sendOldest();
            if (sent == 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MS));
            }
            else if (sent < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
                backoffMs = Math.min(backoffMs * 2, Math.max(MIN_BACKOFF_MS, Math.min(config.intervalMs(),
                    MAX_BACKOFF_MS)));
            }
        }
    }

    /**
     * Sends the oldest spooled batch.
     *
     * @return 1 when it was sent or refused for good (removed), 0 when there is none, -1 when it stays for a retry.
     */
    int sendOldest()
    {
        final Optional<RemoteWriteSpool.Batch> oldest = spool.oldest();
        if (oldest.isEmpty())
        {
            return 0;
        }
        final RemoteWriteSpool.Batch batch = oldest.get();
        final Optional<byte[]> body;
        try
        {
            body = spool.read(batch);
        }
        catch (final UncheckedIOException ex)
        {
            return failed("cannot read " + batch.file() + ": " + ex.getMessage());
        }
        if (body.isEmpty())
        {
            return 1;
        }
        final int status;
        try
        {
            status = client.send(HttpRequest.newBuilder(config.url()).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("User-Agent", "mecmesh/" + Version.current())
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.get())).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final IOException ex)
        {
            return failed(ex.toString());
        }
        catch (final InterruptedException ex)
        {
            // close() interrupts: the batch stays on disk for the next start.
            Thread.currentThread().interrupt();
            running = false;
            return -1;
        }
        if (status / 100 == 2)
        {
            spool.remove(batch);
            counters.get(RemoteWriteCounter.BATCHES_SENT).incrementAndGet();
            counters.get(RemoteWriteCounter.SAMPLES_SENT).addAndGet(batch.samples());
            recovered();
            return 1;
        }
        if (status / 100 == 4 && status != 429)
        {
            spool.remove(batch);
            if (counters.get(RemoteWriteCounter.BATCHES_REJECTED).getAndIncrement() == 0)
            {
                LOG.warn("remote write: {} refused a batch with HTTP {}: dropped (counted in "
                    + "mecmesh_remote_write_batches_total{outcome=\"rejected\"}, logged once)", config.url(), status);
            }
            counters.get(RemoteWriteCounter.SAMPLES_REJECTED).addAndGet(batch.samples());
            recovered();
            return 1;
        }
        return failed("HTTP " + status);
    }

    private int failed(final String reason)
    {
        counters.get(RemoteWriteCounter.SEND_FAILURES).incrementAndGet();
        if (!failing)
        {
            failing = true;
            LOG.warn("remote write to {} failing ({}): keeping samples on disk (quota {} bytes) and retrying",
                config.url(), reason, config.diskQuotaBytes());
        }
        return -1;
    }

    private void recovered()
    {
        backoffMs = MIN_BACKOFF_MS;
        if (failing)
        {
            failing = false;
            LOG.info("remote write to {} works again: sending {} spooled batches in order", config.url(),
                spool.pendingBatches());
        }
    }

    @Override
    public void close()
    {
        running = false;
        collector.shutdownNow();
        sender.interrupt();
        try
        {
            collector.awaitTermination(5, TimeUnit.SECONDS);
            sender.join(TimeUnit.SECONDS.toMillis(15));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
