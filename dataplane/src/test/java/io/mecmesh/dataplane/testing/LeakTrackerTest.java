package io.mecmesh.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak tracker must see a leak, or its silence in every other test means nothing.
 */
class LeakTrackerTest
{
    @Test
    void shouldReportBufferThatWasNeverReleased()
    {
        LeakTracker.collect();
        leakOneBuffer();

        assertThat(LeakTracker.collect()).anySatisfy(report -> assertThat(report).startsWith("LEAK: ByteBuf"));
    }

    private static void leakOneBuffer()
    {
        final ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeLong(42);
    }
}
