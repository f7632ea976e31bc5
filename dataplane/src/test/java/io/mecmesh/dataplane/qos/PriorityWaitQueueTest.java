package io.mecmesh.dataplane.qos;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PriorityWaitQueueTest
{
    private final List<String> admitted = new ArrayList<>();
    private final List<String> expired = new ArrayList<>();

    /** Admits up to {@code turns} entries per drain. */
    private PriorityWaitQueue.Listener<String> admitting(final int turns)
    {
        return new PriorityWaitQueue.Listener<>()
        {
            private int left = turns;

            @Override
            public boolean onTurn(final String item, final long nowNs)
            {
                if (left == 0)
                {
                    return false;
                }
                left--;
                admitted.add(item);
                return true;
            }

            @Override
            public void onExpired(final String item, final long nowNs)
            {
                expired.add(item);
            }
        };
    }

    @Test
    void shouldServeTheHigherPriorityLevelFirst()
    {
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(8, PriorityWaitQueue.defaultWeights());
        queue.offer("embb", 90, Long.MAX_VALUE);
        queue.offer("urllc", 19, Long.MAX_VALUE);

        queue.drain(0, admitting(1));

        assertThat(admitted).containsExactly("urllc");
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void shouldKeepFirstInFirstOutWithinALevel()
    {
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(8, PriorityWaitQueue.defaultWeights());
        queue.offer("a", 5, Long.MAX_VALUE);
        queue.offer("b", 5, Long.MAX_VALUE);
        queue.offer("c", 5, Long.MAX_VALUE);

        queue.drain(0, admitting(3));

        assertThat(admitted).containsExactly("a", "b", "c");
    }

    @Test
    void shouldNotStarveALowPriorityUnderAFloodOfHighPriority()
    {
        final int[] weights = PriorityWaitQueue.defaultWeights();
        weights[1] = 3;
        weights[100] = 1;
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(64, weights);
        for (int i = 0; i < 30; i++)
        {
            queue.offer("high", 1, Long.MAX_VALUE);
        }
        for (int i = 0; i < 10; i++)
        {
            queue.offer("low", 100, Long.MAX_VALUE);
        }

        queue.drain(0, admitting(20));

        // Weights 3:1 give the low level a quarter of the turns although the high level never empties.
        assertThat(admitted.stream().filter("low"::equals).count()).isEqualTo(5);
        assertThat(admitted.stream().filter("high"::equals).count()).isEqualTo(15);
    }

    @Test
    void shouldLetAConfiguredWeightChangeTheShares()
    {
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(64, PriorityWaitQueue.defaultWeights());
        queue.weight(1, 1);
        queue.weight(100, 1);
        for (int i = 0; i < 10; i++)
        {
            queue.offer("high", 1, Long.MAX_VALUE);
            queue.offer("low", 100, Long.MAX_VALUE);
        }

        queue.drain(0, admitting(10));

        assertThat(admitted.stream().filter("low"::equals).count()).isEqualTo(5);
    }

    @Test
    void shouldExpireEntriesPastTheirDeadlineBeforeGivingTurns()
    {
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(8, PriorityWaitQueue.defaultWeights());
        queue.offer("late", 1, 100);
        queue.offer("on-time", 1, 1_000);

        final int left = queue.drain(100, admitting(0));

        assertThat(left).isEqualTo(1);
        assertThat(expired).containsExactly("late");
        assertThat(admitted).isEmpty();
        assertThat(queue.earliestDeadlineNs()).isEqualTo(1_000);
    }

    @Test
    void shouldRefuseBeyondItsCapacityAndReuseFreedSlots()
    {
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(2, PriorityWaitQueue.defaultWeights());

        assertThat(queue.offer("a", 1, Long.MAX_VALUE)).isTrue();
        assertThat(queue.offer("b", 2, Long.MAX_VALUE)).isTrue();
        assertThat(queue.offer("c", 3, Long.MAX_VALUE)).isFalse();
        assertThat(queue.remove("a")).isTrue();
        assertThat(queue.offer("c", 3, Long.MAX_VALUE)).isTrue();

        queue.drain(0, admitting(5));

        assertThat(admitted).containsExactly("b", "c");
        assertThat(queue.size()).isZero();
    }

    @Test
    void shouldNotLetAnIdleLevelBankTurns()
    {
        final int[] weights = PriorityWaitQueue.defaultWeights();
        weights[1] = 1;
        weights[2] = 1;
        final PriorityWaitQueue<String> queue = new PriorityWaitQueue<>(64, weights);
        for (int i = 0; i < 10; i++)
        {
            queue.offer("busy", 2, Long.MAX_VALUE);
        }
        queue.drain(0, admitting(8));
        admitted.clear();
        for (int i = 0; i < 10; i++)
        {
            queue.offer("late", 1, Long.MAX_VALUE);
        }

        queue.drain(0, admitting(4));

        // Equal weights: the level that was idle gets its share from now, not eight turns of catch-up in a row.
        assertThat(admitted).contains("busy");
    }
}
