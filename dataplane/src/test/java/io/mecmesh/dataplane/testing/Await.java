package io.mecmesh.dataplane.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline: the test-side replacement for sleeping (awaitility is not served here).
 */
public final class Await
{
    private Await()
    {
    }

    /**
     * Polls the condition every millisecond until it holds.
     *
     * @param what      what is awaited, for the failure message.
     * @param timeout   how long to wait at most.
     * @param condition the condition.
     * @throws AssertionError when the condition does not hold in time.
     */
    public static void until(final String what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
