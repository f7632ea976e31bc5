package io.mecmesh.dataplane.upstream;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineWheelTest
{
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final long[] clock = {TimeUnit.SECONDS.toNanos(5)};
    private final DeadlineWheel wheel = new DeadlineWheel(loop.eventLoop(), () -> clock[0]);
    private final List<String> fired = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        assertThat(loop.finish()).isFalse();
    }

    private Deadline named(final String name)
    {
        return new Deadline()
        {
            @Override
            void onExpired()
            {
                fired.add(name);
            }
        };
    }

    private void advanceMs(final long ms)
    {
        clock[0] += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void shouldFireADeadlineWhenItPassesAndNotBefore()
    {
        final Deadline deadline = named("a");
        wheel.arm(deadline, 100);

        advanceMs(99);
        assertThat(wheel.expire(clock[0])).isZero();
        advanceMs(1);
        assertThat(wheel.expire(clock[0])).isEqualTo(1);

        assertThat(fired).containsExactly("a");
        assertThat(deadline.isArmed()).isFalse();
        assertThat(wheel.armed()).isZero();
    }

    @Test
    void shouldNotFireADisarmedDeadline()
    {
        final Deadline deadline = named("a");
        wheel.arm(deadline, 10);
        wheel.disarm(deadline);
        wheel.disarm(deadline);

        advanceMs(50);
        assertThat(wheel.expire(clock[0])).isZero();
        assertThat(fired).isEmpty();
        assertThat(wheel.armed()).isZero();
    }

    @Test
    void shouldFireDeadlinesBeyondOneTurnOfTheWheelOnlyAtTheirTime()
    {
        final Deadline late = named("late");
        final Deadline early = named("early");
        wheel.arm(late, DeadlineWheel.BUCKETS * DeadlineWheel.TICK_MS + 3);
        wheel.arm(early, 3);

        advanceMs(3);
        wheel.expire(clock[0]);
        assertThat(fired).containsExactly("early");
        for (int i = 0; i < DeadlineWheel.BUCKETS - 1; i++)
        {
            advanceMs(1);
            wheel.expire(clock[0]);
        }
        assertThat(fired).containsExactly("early");
        advanceMs(1);
        wheel.expire(clock[0]);
        assertThat(fired).containsExactly("early", "late");
    }

    @Test
    void shouldFireEverythingThatPassedAfterALongStall()
    {
        for (int i = 0; i < 10; i++)
        {
            wheel.arm(named("d" + i), i * 300L);
        }
        advanceMs(10_000);
        assertThat(wheel.expire(clock[0])).isEqualTo(10);
        assertThat(wheel.armed()).isZero();
    }

    @Test
    void shouldLetACallbackDisarmAnotherExpiringDeadlineAndReArmItself()
    {
        final Deadline[] pair = new Deadline[2];
        for (int i = 0; i < 2; i++)
        {
            final int self = i;
            pair[i] = new Deadline()
            {
                @Override
                void onExpired()
                {
                    fired.add("fired");
                    wheel.disarm(pair[1 - self]);
                    if (fired.size() == 1)
                    {
                        wheel.arm(this, 5);
                    }
                }
            };
        }
        wheel.arm(pair[0], 10);
        wheel.arm(pair[1], 10);

        advanceMs(10);
        assertThat(wheel.expire(clock[0])).isEqualTo(1);
        assertThat(wheel.armed()).isEqualTo(1);
        advanceMs(5);
        assertThat(wheel.expire(clock[0])).isEqualTo(1);
        assertThat(fired).hasSize(2);
        assertThat(wheel.armed()).isZero();
    }

    @Test
    void shouldStartTickingWithTheFirstDeadlineOnly()
    {
        assertThat(wheel.isTicking()).isFalse();
        wheel.arm(named("a"), 10);
        assertThat(wheel.isTicking()).isTrue();
    }
}
