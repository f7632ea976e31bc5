package io.mecmesh.dataplane.overload;

import java.util.concurrent.atomic.LongAdder;

/**
 * What overload shedding did: requests shed by reason, times the data plane entered overload, and whether it is
 * in overload now (a gauge). Thread-safe; read at scrape time.
 */
public final class OverloadStats
{
    private static final OverloadReason[] REASONS = OverloadReason.values();

    private final LongAdder[] shed = new LongAdder[REASONS.length];
    private final LongAdder entered = new LongAdder();
    private volatile OverloadReason current;

    public OverloadStats()
    {
        for (int i = 0; i < shed.length; i++)
        {
            shed[i] = new LongAdder();
        }
    }

    void onShed(final OverloadReason reason)
    {
        shed[reason.ordinal()].increment();
    }

    void onStateChange(final OverloadReason reason)
    {
        if (reason != null && current == null)
        {
            entered.increment();
        }
        current = reason;
    }

    /**
     * @param reason why.
     * @return requests answered 503 for that reason.
     */
    public long shed(final OverloadReason reason)
    {
        return shed[reason.ordinal()].sum();
    }

    /**
     * @return requests answered 503 for any reason.
     */
    public long shedTotal()
    {
        long total = 0;
        for (final LongAdder adder : shed)
        {
            total += adder.sum();
        }
        return total;
    }

    /**
     * @return times the data plane went from normal to overload.
     */
    public long entered()
    {
        return entered.sum();
    }

    /**
     * @return why the data plane is shedding now, or {@code null} when it is not (gauge: 1 while non-null).
     */
    public OverloadReason current()
    {
        return current;
    }
}
