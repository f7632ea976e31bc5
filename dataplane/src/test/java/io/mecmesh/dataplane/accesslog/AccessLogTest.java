package io.mecmesh.dataplane.accesslog;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest
{
    @Test
    void shouldReadBackEveryFieldOfAnEncodedRecord()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8 + AccessLogDescriptor.LENGTH]);
        AccessLogRecord.encode(buffer, 8, 1_796_000_000_123L, 5_000_000_000L, 4_000_000L, 1L << 33, 77L,
            0x0100_00A1, 3, 65_535, 9, 504, AccessLogDescriptor.FLAG_RETRIED | AccessLogDescriptor.FLAG_LOCAL, 4);

        final AccessLogRecord record = new AccessLogRecord().wrap(buffer, 8);

        assertThat(record.timeMs()).isEqualTo(1_796_000_000_123L);
        assertThat(record.durationNs()).isEqualTo(5_000_000_000L);
        assertThat(record.upstreamNs()).isEqualTo(4_000_000L);
        assertThat(record.requestBytes()).isEqualTo(1L << 33);
        assertThat(record.responseBytes()).isEqualTo(77L);
        assertThat(record.sliceId()).isEqualTo(0x0100_00A1);
        assertThat(record.callerId()).isEqualTo(3);
        assertThat(record.routeId()).isEqualTo(65_535);
        assertThat(record.endpointId()).isEqualTo(9);
        assertThat(record.status()).isEqualTo(504);
        assertThat(record.flags()).isEqualTo(AccessLogDescriptor.FLAG_RETRIED | AccessLogDescriptor.FLAG_LOCAL);
        assertThat(record.attempts()).isEqualTo(4);
        assertThat(buffer.getLong(0)).as("nothing written before the offset").isZero();
    }

    @Test
    void shouldDropAndCountRecordsWhenTheRingIsFullWithoutBlocking()
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        final AccessLog log = new AccessLog(counters);
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(1024 + RingBufferDescriptor.TRAILER_LENGTH)));
        assertThat(write(log, 200)).as("no ring attached: disabled").isFalse();
        log.attach(ring);

        int written = 0;
        for (int i = 0; i < 20; i++)
        {
            written += write(log, 200 + i) ? 1 : 0;
        }

        // 96-byte record + 8-byte ring header = 104 bytes: 9 fit in 1,024.
        assertThat(written).isEqualTo(9);
        assertThat(counters.get(DataPlaneCounter.ACCESS_LOG_DROPPED)).isEqualTo(11);
        final List<Integer> statuses = new ArrayList<>();
        final AccessLogRecord record = new AccessLogRecord();
        ring.read((type, buffer, index, length) ->
        {
            assertThat(type).isEqualTo(AccessLogDescriptor.RECORD_MSG_TYPE_ID);
            assertThat(length).isEqualTo(AccessLogDescriptor.LENGTH);
            statuses.add(record.wrap(buffer, index).status());
        });
        assertThat(statuses).hasSize(9).startsWith(200, 201).endsWith(208);
        assertThat(write(log, 299)).as("room again once drained").isTrue();
    }

    @Test
    void shouldGiveOneIdPerNameAndResolveIt()
    {
        final AccessLogNames names = new AccessLogNames();
        final int caller = names.intern("spiffe://mec.example/ns/a/sa/app");
        final int route = names.intern("orders");

        assertThat(caller).isPositive().isNotEqualTo(route);
        assertThat(names.intern(new String("spiffe://mec.example/ns/a/sa/app"))).isEqualTo(caller);
        assertThat(names.name(caller)).isEqualTo("spiffe://mec.example/ns/a/sa/app");
        assertThat(names.name(route)).isEqualTo("orders");
        assertThat(names.name(0)).isEmpty();
        assertThat(names.name(9_999)).isEmpty();
    }

    @Test
    void shouldNameTheConnectionsCallerAndWriteAnExchangeOnce()
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        assertThat(PeerIdentity.of(channel)).as("a plain-text connection").isNull();
        assertThat(channel.hasAttr(PeerIdentity.SPIFFE_ID)).as("no attribute created by looking").isFalse();
        final SpiffeId caller = SpiffeId.parse("spiffe://mec.example/ns/a/sa/app");
        channel.attr(PeerIdentity.SPIFFE_ID).set(caller);
        final AccessLog log = new AccessLog(new DataPlaneCounters());
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(1024 + RingBufferDescriptor.TRAILER_LENGTH)));
        log.attach(ring);
        final ExchangeLog exchange = new ExchangeLog(log);

        exchange.begin(System.nanoTime());
        exchange.onLocalAnswer(403);
        exchange.end(7, PeerIdentity.of(channel), "orders", null);
        exchange.end(7, PeerIdentity.of(channel), "orders", null);

        final List<String> callers = new ArrayList<>();
        final AccessLogRecord record = new AccessLogRecord();
        assertThat(ring.read((type, buffer, index, length) ->
        {
            record.wrap(buffer, index);
            callers.add(log.names().name(record.callerId()) + " " + record.status() + " "
                + log.names().name(record.routeId()));
        })).as("one record per exchange").isEqualTo(1);
        assertThat(callers).containsExactly("spiffe://mec.example/ns/a/sa/app 403 orders");
        channel.finishAndReleaseAll();
    }

    private static boolean write(final AccessLog log, final int status)
    {
        return log.write(1L, 2L, 3L, 4L, 5L, 6, 0, 0, 0, status, 0, 1);
    }
}
