package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The process-wide reset budget driven by hand: a clock advanced by the test, shares whose close only records who
 * was closed.
 */
class Http2ResetBudgetTest
{
    private final AtomicLong nowNs = new AtomicLong(1_000);
    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final Http2ResetBudget budget = new Http2ResetBudget(new Http2ResetBudget.Limit(10, 1_000), nowNs::get,
        counters);
    private final List<String> closed = new ArrayList<>();

    private Http2ResetBudget.Share share(final String name)
    {
        return budget.newShare(() -> closed.add(name));
    }

    private void reset(final Http2ResetBudget.Share share, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            budget.onReset(share);
        }
    }

    @Test
    void shouldCloseNobodyWithinTheBudget()
    {
        reset(share("a"), 5);
        reset(share("b"), 5);

        assertThat(closed).isEmpty();
        assertThat(budget.offenders()).isEqualTo(2);
    }

    @Test
    void shouldCloseTheWorstOffendersFirstUntilHalfTheBudgetIsLeft()
    {
        final Http2ResetBudget.Share a = share("a");
        final Http2ResetBudget.Share b = share("b");
        final Http2ResetBudget.Share c = share("c");
        reset(a, 2);
        reset(b, 6);
        reset(c, 3);

        assertThat(closed).containsExactly("b");
        assertThat(counters.get(DataPlaneCounter.HTTP2_RESET_BUDGET_CLOSES)).isEqualTo(1);
        reset(b, 50);
        assertThat(closed).as("a closed connection counts no more").containsExactly("b");
    }

    @Test
    void shouldStartEveryWindowFromZero()
    {
        final Http2ResetBudget.Share a = share("a");
        reset(a, 10);
        nowNs.addAndGet(1_000);
        reset(a, 10);

        assertThat(closed).isEmpty();
        reset(a, 1);
        assertThat(closed).containsExactly("a");
    }

    @Test
    void shouldRejectABudgetTooSmallOrAnEmptyWindow()
    {
        assertThatThrownBy(() -> new Http2ResetBudget.Limit(1, 1_000))
            .hasMessage("maxResetsPerWindow: expected at least 2, got 1");
        assertThatThrownBy(() -> new Http2ResetBudget.Limit(10, 0)).hasMessage("windowNs: expected more than 0, got 0");
    }
}
