package io.mecmesh.dataplane.accesslog;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log's share of the request path allocates nothing: an exchange's bookkeeping and its record written
 * into the ring (the caller, route and endpoint already named once), measured with the thread's allocation counter.
 */
class ExchangeLogAllocationTest
{
    private static final int EXCHANGES = 100_000;
    private static final int WARM_UP_ROUNDS = 20;
    private static final int MEASURED_ROUNDS = 5;
    private static final MessageHandler DRAIN = (type, buffer, index, length) -> { };

    @Test
    void shouldAllocateNothingWhenLogging100kExchanges()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        final long threadId = Thread.currentThread().getId();
        final DataPlaneCounters counters = new DataPlaneCounters();
        final AccessLog accessLog = new AccessLog(counters);
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect((1 << 16) + RingBufferDescriptor.TRAILER_LENGTH)));
        accessLog.attach(ring);
        final ExchangeLog log = new ExchangeLog(accessLog);
        final Object caller = new Object();
        final Object endpoint = new Object();

        for (int i = 0; i < WARM_UP_ROUNDS; i++)
        {
            logExchanges(log, ring, caller, endpoint);
        }
        final long calibrationStart = threads.getThreadAllocatedBytes(threadId);
        final long measuringCost = threads.getThreadAllocatedBytes(threadId) - calibrationStart;

        // One 16-byte object per exchange would show as 1.6 MB per round; what the JVM may charge the thread now and
        // then (tens of bytes) is kept apart by requiring every round under 1 KiB and one at exactly zero.
        long fewest = Long.MAX_VALUE;
        long most = 0;
        for (int round = 0; round < MEASURED_ROUNDS; round++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            logExchanges(log, ring, caller, endpoint);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before - measuringCost;
            fewest = Math.min(fewest, allocated);
            most = Math.max(most, allocated);
        }

        assertThat(counters.get(DataPlaneCounter.ACCESS_LOG_DROPPED)).as("every record written").isZero();
        assertThat(most).as("bytes allocated by the worst round of %d exchanges", EXCHANGES).isLessThan(1024);
        assertThat(fewest).as("bytes allocated by the best round of %d exchanges", EXCHANGES).isZero();
    }

    private static void logExchanges(final ExchangeLog log, final ManyToOneRingBuffer ring, final Object caller,
        final Object endpoint)
    {
        for (int i = 0; i < EXCHANGES; i++)
        {
            log.begin(System.nanoTime());
            log.onAttempt(System.nanoTime());
            log.onRequestBytes(100);
            log.onResponseHead(200, System.nanoTime());
            log.onResponseBytes(1000);
            log.end(1 << 24 | 0xA1, caller, "orders", endpoint);
            if ((i & 255) == 255)
            {
                ring.read(DRAIN, 1024);
            }
        }
        ring.read(DRAIN, 1024);
    }
}
