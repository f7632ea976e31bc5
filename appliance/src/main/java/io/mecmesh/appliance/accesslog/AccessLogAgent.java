package io.mecmesh.appliance.accesslog;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.AccessLogNames;
import io.mecmesh.dataplane.accesslog.AccessLogRecord;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Drains the data plane's access-log ring: tells its {@link AccessLogListener} (the per-slice, per-route request
 * metrics) of every record and, when the queue is on, appends it to the access-log queue (one document per record,
 * names resolved from the data plane's table) and applies the retention: hourly files older than {@code retentionHours}, or beyond
 * {@code maxBytes} together, are deleted oldest first, never the file being written. The only thread that touches
 * the queue's appender; driven by an {@code AgentRunner} (or by a test calling {@link #doWork()} with its clock).
 */
public final class AccessLogAgent implements Agent
{
    /** Records drained per duty cycle at most. */
    static final int BATCH = 256;
    /** How often the retention is applied. */
    static final long RETENTION_CHECK_MS = TimeUnit.MINUTES.toMillis(1);

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogAgent.class);
    /**
     * The empty name as {@link AccessLogQueue#encode(String)} writes it (a stop-bit length of 0), spelled out so that
     * an edge that keeps only the request metrics (the queue off) never loads Chronicle: about 170 classes and
     * 2-3 MB of metaspace (perf/RESULTS.md "Memory").
     */
    static final byte[] EMPTY_NAME = {0};

    private final RingBuffer ring;
    private final AccessLogNames names;
    private final Path directory;
    private final boolean writeQueue;
    private final AccessLogListener listener;
    private final long retentionMs;
    private final long maxBytes;
    private final EpochClock clock;
    private final AccessLogRecord record = new AccessLogRecord();
    private final MessageHandler handler = this::onRecord;
    private final byte[][] encodedNames = new byte[AccessLogNames.CAPACITY][];
    private ChronicleQueue queue;
    private ExcerptAppender appender;
    private long nextRetentionMs;
    private long written;
    private long deletedFiles;

    /**
     * @param ring           the ring the data plane writes.
     * @param names          the data plane's name table.
     * @param directory      the queue's directory (created if absent).
     * @param retentionHours hourly files older than this are deleted.
     * @param maxBytes       the most the queue's files may take together.
     * @param clock          wall-clock time, for the retention.
     */
    public AccessLogAgent(final RingBuffer ring, final AccessLogNames names, final Path directory,
        final long retentionHours, final long maxBytes, final EpochClock clock)
    {
        this(ring, names, directory, true, retentionHours, maxBytes, clock, AccessLogListener.NONE);
    }

    /**
     * @param ring           the ring the data plane writes.
     * @param names          the data plane's name table.
     * @param directory      the queue's directory (created if absent).
     * @param writeQueue     whether records go to the queue at all (false: only the listener sees them, and the
     *                       directory is never touched).
     * @param retentionHours hourly files older than this are deleted.
     * @param maxBytes       the most the queue's files may take together.
     * @param clock          wall-clock time, for the retention.
     * @param listener       told of every record first.
     */
    public AccessLogAgent(final RingBuffer ring, final AccessLogNames names, final Path directory,
        final boolean writeQueue, final long retentionHours, final long maxBytes, final EpochClock clock,
        final AccessLogListener listener)
    {
        this.ring = requireNonNull(ring, "ring");
        this.names = requireNonNull(names, "names");
        this.directory = requireNonNull(directory, "directory");
        this.writeQueue = writeQueue;
        this.listener = requireNonNull(listener, "listener");
        this.retentionMs = TimeUnit.HOURS.toMillis(retentionHours);
        this.maxBytes = maxBytes;
        this.clock = requireNonNull(clock, "clock");
    }

    /** Opens the queue (once: the service opens it before the runner's thread starts, to fail the start early). */
    @Override
    public void onStart()
    {
        if (queue != null || !writeQueue)
        {
            return;
        }
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("accessLog.directory: cannot create " + directory + ": " + ex, ex);
        }
        queue = AccessLogQueue.openForWriting(directory);
    }

    @Override
    public int doWork()
    {
        if (queue == null && writeQueue)
        {
            onStart();
        }
        int work = ring.read(handler, BATCH);
        final long nowMs = clock.time();
        work += listener.doWork(nowMs);
        if (!writeQueue)
        {
            return work;
        }
        if (nowMs >= nextRetentionMs)
        {
            nextRetentionMs = nowMs + RETENTION_CHECK_MS;
            work += applyRetention(nowMs);
        }
        return work;
    }

    /** Drains what is left in the ring, then closes the queue. */
    @Override
    public void onClose()
    {
        if (queue != null || !writeQueue)
        {
            while (ring.read(handler, BATCH) > 0)
            {
                // drain
            }
        }
        listener.onClose();
        if (queue != null)
        {
            queue.close();
            queue = null;
            appender = null;
        }
    }

    @Override
    public String roleName()
    {
        return "access-log";
    }

    /**
     * @return the records written to the queue so far (none when the queue is off).
     */
    public long written()
    {
        return written;
    }

    /**
     * @return the hourly files deleted by the retention so far.
     */
    public long deletedFiles()
    {
        return deletedFiles;
    }

    private void onRecord(final int msgTypeId, final DirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId != AccessLogDescriptor.RECORD_MSG_TYPE_ID || length != AccessLogDescriptor.LENGTH)
        {
            return;
        }
        record.wrap(buffer, index);
        listener.onRecord(record);
        if (!writeQueue)
        {
            return;
        }
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        try (DocumentContext context = appender.writingDocument())
        {
            AccessLogQueue.write(context.wire().bytes(), buffer, index, encoded(record.callerId()),
                encoded(record.routeId()), encoded(record.endpointId()));
        }
        written++;
    }

    /** A name's encoding in a document, made the first time the name is written (the table only grows). */
    private byte[] encoded(final int id)
    {
        if (id <= 0 || id >= encodedNames.length)
        {
            return EMPTY_NAME;
        }
        byte[] encoded = encodedNames[id];
        if (encoded == null)
        {
            final String name = names.name(id);
            if (name.isEmpty())
            {
                return EMPTY_NAME;
            }
            encoded = AccessLogQueue.encode(name);
            encodedNames[id] = encoded;
        }
        return encoded;
    }

    /**
     * Deletes the oldest hourly files while they are older than the retention or the files together exceed the
     * byte budget; the newest file (the one written) is always kept.
     *
     * @return the files deleted.
     */
    int applyRetention(final long nowMs)
    {
        final List<Path> files;
        try (Stream<Path> listing = Files.list(directory))
        {
            files = listing.filter(p -> p.getFileName().toString().endsWith(AccessLogQueue.FILE_SUFFIX)).sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            LOG.warn("access log {}: cannot list for retention: {}", directory, ex.toString());
            return 0;
        }
        long total = 0;
        final long[] sizes = new long[files.size()];
        for (int i = 0; i < files.size(); i++)
        {
            sizes[i] = sizeOf(files.get(i));
            total += sizes[i];
        }
        int deleted = 0;
        for (int i = 0; i < files.size() - 1; i++)
        {
            final Path file = files.get(i);
            final boolean expired = nowMs - lastModifiedMs(file) > retentionMs;
            if (!expired && total <= maxBytes)
            {
                break;
            }
            try
            {
                Files.deleteIfExists(file);
                total -= sizes[i];
                deleted++;
            }
            catch (final IOException ex)
            {
                LOG.warn("access log {}: cannot delete {}: {}", directory, file, ex.toString());
                break;
            }
        }
        if (deleted > 0)
        {
            deletedFiles += deleted;
            if (queue instanceof SingleChronicleQueue single)
            {
                single.refreshDirectoryListing();
            }
            LOG.info("access log {}: retention deleted {} hourly file(s)", directory, deleted);
        }
        return deleted;
    }

    private static long sizeOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    private static long lastModifiedMs(final Path file)
    {
        try
        {
            return Files.getLastModifiedTime(file).toMillis();
        }
        catch (final IOException ex)
        {
            return Long.MAX_VALUE;
        }
    }
}
