package io.mecmesh.appliance.accesslog;

import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogAgentTest
{
    @TempDir
    Path directory;

    @Test
    void shouldSpellTheEmptyNameAsTheQueueEncodesIt()
    {
        assertThat(AccessLogAgent.EMPTY_NAME).isEqualTo(AccessLogQueue.encode(""));
    }

    @Test
    void shouldAppendEachRingRecordToTheQueueWithItsNamesResolved()
    {
        final AccessLog log = new AccessLog(new DataPlaneCounters());
        final ManyToOneRingBuffer ring = ring();
        log.attach(ring);
        final int caller = log.names().intern("spiffe://mec.example/ns/a/sa/app");
        final int route = log.names().intern("orders");
        final int endpoint = log.names().intern("127.0.0.1:8080");
        log.write(1_000L, 2_000_000L, 1_500_000L, 10, 20, 1 << 24 | 0xA1, caller, route, endpoint, 200, 0, 1);
        log.write(2_000L, 3_000_000L, 0, 0, 30, 0, 0, route, 0, 502,
            AccessLogDescriptor.FLAG_LOCAL | AccessLogDescriptor.FLAG_RETRIED, 3);
        final CachedEpochClock clock = new CachedEpochClock();
        final AccessLogAgent agent = new AccessLogAgent(ring, log.names(), directory, 24, 1L << 30, clock);
        try
        {
            assertThat(agent.doWork()).isGreaterThanOrEqualTo(2);
            assertThat(agent.written()).isEqualTo(2);
        }
        finally
        {
            agent.onClose();
        }

        final List<AccessLogEntry> entries = readAll(directory);
        assertThat(entries).containsExactly(
            new AccessLogEntry(1_000L, 1 << 24 | 0xA1, "spiffe://mec.example/ns/a/sa/app", "orders",
                "127.0.0.1:8080", 200, 10, 20, 2_000_000L, 1_500_000L, 1, 0),
            new AccessLogEntry(2_000L, 0, "", "orders", "", 502, 0, 30, 3_000_000L, 0, 3,
                AccessLogDescriptor.FLAG_LOCAL | AccessLogDescriptor.FLAG_RETRIED));
        assertThat(entries.get(0).slice()).isEqualTo("1-0000a1");
        assertThat(entries.get(1).flagNames()).containsExactly("retried", "local");
    }

    @Test
    void shouldDeleteHourlyFilesOlderThanTheRetentionButNeverTheNewest() throws Exception
    {
        final long nowMs = TimeUnit.DAYS.toMillis(20_000);
        final Path old1 = hourFile("20261201-00F", nowMs - TimeUnit.HOURS.toMillis(30), 10);
        final Path old2 = hourFile("20261201-01F", nowMs - TimeUnit.HOURS.toMillis(25), 10);
        final Path recent = hourFile("20261202-05F", nowMs - TimeUnit.HOURS.toMillis(2), 10);
        final Path newest = hourFile("20261202-06F", nowMs - TimeUnit.HOURS.toMillis(100), 10);
        final AccessLogAgent agent = new AccessLogAgent(ring(), new AccessLog(new DataPlaneCounters()).names(),
            directory, 24, 1L << 30, new CachedEpochClock());

        assertThat(agent.applyRetention(nowMs)).isEqualTo(2);

        assertThat(old1).doesNotExist();
        assertThat(old2).doesNotExist();
        assertThat(recent).exists();
        assertThat(newest).as("the file being written, however old").exists();
        assertThat(agent.deletedFiles()).isEqualTo(2);
    }

    @Test
    void shouldDeleteTheOldestFilesWhileTogetherOverMaxBytes() throws Exception
    {
        final long nowMs = TimeUnit.DAYS.toMillis(20_000);
        final Path a = hourFile("20261202-01F", nowMs, 600_000);
        final Path b = hourFile("20261202-02F", nowMs, 600_000);
        final Path c = hourFile("20261202-03F", nowMs, 600_000);
        final AccessLogAgent agent = new AccessLogAgent(ring(), new AccessLog(new DataPlaneCounters()).names(),
            directory, 24, 1L << 20, new CachedEpochClock());

        assertThat(agent.applyRetention(nowMs)).isEqualTo(2);

        assertThat(a).doesNotExist();
        assertThat(b).doesNotExist();
        assertThat(c).exists();
    }

    private Path hourFile(final String name, final long modifiedMs, final int size) throws Exception
    {
        final Path file = directory.resolve(name + AccessLogQueue.FILE_SUFFIX);
        Files.write(file, new byte[size]);
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMs));
        return file;
    }

    private static ManyToOneRingBuffer ring()
    {
        return new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    private static List<AccessLogEntry> readAll(final Path directory)
    {
        final List<AccessLogEntry> entries = new ArrayList<>();
        try (ChronicleQueue queue = AccessLogQueue.openForReading(directory);
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        return entries;
                    }
                    entries.add(AccessLogQueue.read(context.wire().bytes()));
                }
            }
        }
    }
}
