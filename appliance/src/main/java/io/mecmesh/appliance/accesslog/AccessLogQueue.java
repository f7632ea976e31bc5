package io.mecmesh.appliance.accesslog;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.accesslog.AccessLogRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * The access log on disk: a Chronicle Queue rolled hourly, one document per request. A document is the record's
 * {@link AccessLogDescriptor#LENGTH} bytes as the data plane wrote them, then the caller's SPIFFE id, the route's
 * name and the endpoint as UTF-8 strings (empty when none), so that the queue reads without the running process's
 * name table.
 */
public final class AccessLogQueue
{
    /** The queue's files are hourly: retention deletes whole hours. */
    static final RollCycles ROLL_CYCLE = RollCycles.FAST_HOURLY;
    /** The queue's data files (one per hour); the directory also holds Chronicle's metadata file. */
    static final String FILE_SUFFIX = ".cq4";

    private AccessLogQueue()
    {
    }

    /**
     * @param directory the queue's directory.
     * @return the queue opened to append.
     */
    static ChronicleQueue openForWriting(final Path directory)
    {
        System.setProperty("chronicle.analytics.disable", "true");
        return ChronicleQueue.singleBuilder(directory).rollCycle(ROLL_CYCLE).build();
    }

    /**
     * @param directory the queue's directory (it exists).
     * @return the queue opened to read only, while the appliance writes it or after it stopped.
     */
    public static ChronicleQueue openForReading(final Path directory)
    {
        System.setProperty("chronicle.analytics.disable", "true");
        return ChronicleQueue.singleBuilder(directory).rollCycle(ROLL_CYCLE).readOnly(true).build();
    }

    /**
     * Writes one document's content: the record at {@code index} of {@code buffer}, then its three names, each as
     * {@link #encode(String)} made it once (what {@code Bytes.writeUtf8} writes, so {@link #read(Bytes)} reads it:
     * the names are encoded once per name, not once per record).
     */
    static void write(final Bytes<?> bytes, final DirectBuffer buffer, final int index, final byte[] caller,
        final byte[] route, final byte[] endpoint)
    {
        for (int i = 0; i < AccessLogDescriptor.LENGTH; i += Long.BYTES)
        {
            bytes.writeLong(buffer.getLong(index + i, AccessLogDescriptor.BYTE_ORDER));
        }
        bytes.write(caller);
        bytes.write(route);
        bytes.write(endpoint);
    }

    /**
     * @param name a caller, route or endpoint name.
     * @return its encoding in a document: a stop-bit length and the UTF-8 bytes, as {@code Bytes.writeUtf8} writes.
     */
    static byte[] encode(final String name)
    {
        final Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(name.length() + 8);
        try
        {
            bytes.writeUtf8(name);
            return bytes.toByteArray();
        }
        finally
        {
            bytes.releaseLast();
        }
    }

    /**
     * Reads one document's content.
     *
     * @return the entry, or {@code null} when the document is not an access-log record.
     */
    public static AccessLogEntry read(final Bytes<?> bytes)
    {
        if (bytes.readRemaining() < AccessLogDescriptor.LENGTH + 3)
        {
            return null;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AccessLogDescriptor.LENGTH]);
        for (int i = 0; i < AccessLogDescriptor.LENGTH; i += Long.BYTES)
        {
            buffer.putLong(i, bytes.readLong(), AccessLogDescriptor.BYTE_ORDER);
        }
        final AccessLogRecord record = new AccessLogRecord().wrap(buffer, 0);
        final String caller = bytes.readUtf8();
        final String route = bytes.readUtf8();
        final String endpoint = bytes.readUtf8();
        return new AccessLogEntry(record.timeMs(), record.sliceId(), caller == null ? "" : caller,
            route == null ? "" : route, endpoint == null ? "" : endpoint, record.status(), record.requestBytes(),
            record.responseBytes(), record.durationNs(), record.upstreamNs(), record.attempts(), record.flags());
    }
}
