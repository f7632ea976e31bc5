package io.mecmesh.dataplane.overload;

import io.mecmesh.dataplane.testing.Await;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live signals: a blocked event loop shows as lag (its probe runs late) that decays once the loop is free;
 * memory use reads as a percentage.
 */
class RuntimeOverloadSignalsTest
{
    @Test
    void shouldSeeABlockedEventLoopAsLagAndRecover()
    {
        final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        final RuntimeOverloadSignals signals = new RuntimeOverloadSignals(loops);
        try
        {
            assertThat(signals.isMeasuring()).as("no probe before start").isFalse();
            signals.start();
            signals.start();
            assertThat(signals.isMeasuring()).isTrue();
            loops.next().execute(() -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400)));

            Await.until("lag seen", Duration.ofSeconds(5),
                () -> signals.eventLoopLagNs() > TimeUnit.MILLISECONDS.toNanos(50));
            Await.until("lag decayed", Duration.ofSeconds(10),
                () -> signals.eventLoopLagNs() < TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(signals.heapUsedPercent()).isBetween(0, 100);
            assertThat(signals.directMemoryUsedPercent()).isBetween(0, 100);
        }
        finally
        {
            signals.stop();
            assertThat(signals.isMeasuring()).isFalse();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
