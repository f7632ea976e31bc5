package io.mecmesh.dataplane.qos;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LoopQosTest
{
    private static final int SLICE = 0x01_000001;
    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong();
    private final QosRuntime runtime = new QosRuntime(clock::get, 2);

    @Test
    void shouldShareOneSliceBudgetBetweenLoops()
    {
        final LoopQos first = runtime.newLoop();
        final LoopQos second = runtime.newLoop();
        int granted = 0;
        for (int i = 0; i < 100; i++)
        {
            granted += first.tryAcquire(SLICE, 0, LoopQos.DOWNLINK, 1_000_000, 10_000, 1_000, 0) ? 1 : 0;
            granted += second.tryAcquire(SLICE, 0, LoopQos.DOWNLINK, 1_000_000, 10_000, 1_000, 0) ? 1 : 0;
        }

        assertThat(granted).isEqualTo(10);
        assertThat(first.lastWaitNs()).isPositive();
        clock.set(first.lastWaitNs());
        assertThat(first.tryAcquire(SLICE, 0, LoopQos.DOWNLINK, 1_000_000, 10_000, 1_000, clock.get())).isTrue();
    }

    @Test
    void shouldKeepRoutesAndDirectionsInTheirOwnBuckets()
    {
        final LoopQos loop = runtime.newLoop();

        assertThat(loop.tryAcquire(SLICE, 0, LoopQos.DOWNLINK, 1_000, 1_000, 1_000, 0)).isTrue();
        assertThat(loop.tryAcquire(SLICE, 0, LoopQos.DOWNLINK, 1_000, 1_000, 1, 0)).isFalse();
        assertThat(loop.tryAcquire(SLICE, 0, LoopQos.UPLINK, 1_000, 1_000, 1_000, 0)).isTrue();
        assertThat(loop.tryAcquire(SLICE, 3, LoopQos.DOWNLINK, 1_000, 1_000, 1_000, 0)).isTrue();
    }

    @Test
    void shouldNotLimitWithoutARate()
    {
        final LoopQos loop = runtime.newLoop();

        for (int i = 0; i < 1_000; i++)
        {
            assertThat(loop.tryAcquire(SLICE, 0, LoopQos.REQUESTS, 0, 0, 1, 0)).isTrue();
        }
    }

    @Test
    void shouldRebuildBucketsWhenTheRateChanges()
    {
        final LoopQos loop = runtime.newLoop();
        assertThat(loop.tryAcquire(SLICE, 0, LoopQos.REQUESTS, 1, 1, 1, 0)).isTrue();
        assertThat(loop.tryAcquire(SLICE, 0, LoopQos.REQUESTS, 1, 1, 1, 0)).isFalse();

        assertThat(loop.tryAcquire(SLICE, 0, LoopQos.REQUESTS, 10, 5, 1, 0)).isTrue();
    }

    @Test
    void shouldReadTheSliceSettingsOfTheRunningConfiguration()
    {
        final LoopQos loop = runtime.newLoop();
        assertThat(loop.slice(SLICE).mode()).isEqualTo(QosMode.POLICE);

        runtime.configure(new QosConfig(10_000_000,
            List.of(new SliceQosConfig(SLICE, QosMode.SHAPE, 500, 100, 2_000_000, 3_000_000, 0))));

        assertThat(loop.slice(SLICE).mode()).isEqualTo(QosMode.SHAPE);
        assertThat(loop.slice(SLICE).gbrBps()).isEqualTo(5_000_000);
    }

    @Test
    void shouldAdmitGbrRequestsUpToTheLinkCapacityAndCountThemActive()
    {
        runtime.configure(new QosConfig(10_000_000, List.of()));
        final LoopQos loop = runtime.newLoop();

        assertThat(loop.tryAdmitGbr(SLICE, 5_000_000)).isTrue();
        assertThat(loop.tryAdmitGbr(SLICE, 5_000_000)).isTrue();
        assertThat(loop.tryAdmitGbr(SLICE, 5_000_000)).isFalse();
        assertThat(runtime.stats(SLICE).activeGbr()).isEqualTo(2);

        loop.releaseGbr(SLICE, 5_000_000);

        assertThat(runtime.stats(SLICE).activeGbr()).isEqualTo(1);
        assertThat(loop.tryAdmitGbr(SLICE, 5_000_000)).isTrue();
    }

    @Test
    void shouldCountOutcomesAndBytesPerSlice()
    {
        final LoopQos loop = runtime.newLoop();

        loop.count(SLICE, QosOutcome.POLICED);
        loop.count(SLICE, QosOutcome.POLICED);
        loop.countBytes(SLICE, LoopQos.DOWNLINK, 1_500);
        loop.countQueued(SLICE, 7 * MS);

        final SliceQosStats stats = runtime.slices().iterator().next();
        assertThat(stats.count(QosOutcome.POLICED)).isEqualTo(2);
        assertThat(stats.count(QosOutcome.ADMITTED)).isZero();
        assertThat(stats.downlinkBytes()).isEqualTo(1_500);
        assertThat(stats.queuedNs()).isEqualTo(7 * MS);
    }

    @Test
    void shouldSumTheCountsOfEveryLoopWhileTwoLoopsCountAtOnce() throws Exception
    {
        final LoopQos first = runtime.newLoop();
        final LoopQos second = runtime.newLoop();
        final int perLoop = 200_000;
        final Thread other = new Thread(() ->
        {
            for (int i = 0; i < perLoop; i++)
            {
                second.count(SLICE, QosOutcome.ADMITTED);
                second.countBytes(SLICE, LoopQos.UPLINK, 3);
            }
        });
        other.start();
        for (int i = 0; i < perLoop; i++)
        {
            first.count(SLICE, QosOutcome.ADMITTED);
            first.countBytes(SLICE, LoopQos.UPLINK, 3);
        }
        other.join(30_000);

        assertThat(other.isAlive()).isFalse();
        assertThat(runtime.stats(SLICE).count(QosOutcome.ADMITTED)).as("each loop's own counts, summed: none lost")
            .isEqualTo(2L * perLoop);
        assertThat(runtime.stats(SLICE).uplinkBytes()).isEqualTo(6L * perLoop);
        assertThat(first.stats(SLICE)).isSameAs(second.stats(SLICE));
    }
}
