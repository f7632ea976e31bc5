package io.mecmesh.dataplane.overload;

/**
 * What the {@link OverloadMonitor} reads each time it evaluates: the live values in production
 * ({@link RuntimeOverloadSignals}), values a test sets by hand otherwise. Read from one thread at a time.
 */
public interface OverloadSignals
{
    /**
     * @return the event loops' lag now, in nanoseconds (the worst loop's average lateness).
     */
    long eventLoopLagNs();

    /**
     * @return heap in use, in percent of the maximum heap.
     */
    int heapUsedPercent();

    /**
     * @return direct memory in use, in percent of the JVM's direct memory limit.
     */
    int directMemoryUsedPercent();

    /**
     * Starts measuring: the monitor calls it when shedding is turned on, so that a data plane that never sheds
     * runs no probes. Idempotent.
     */
    default void start()
    {
    }

    /**
     * Stops measuring: shedding was turned off or the data plane stops. Idempotent.
     */
    default void stop()
    {
    }
}
