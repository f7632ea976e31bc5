package io.mecmesh.dataplane.overload;

/**
 * When the data plane sheds new requests (503 with {@code x-mecmesh-overloaded}) and when it stops: each signal
 * enters overload at or above its {@code max*} threshold and the data plane recovers only once every signal is
 * below its {@code recover*} threshold (hysteresis, so that it does not flap). A {@code max*} of 0 turns that
 * signal off; with all three off the data plane never sheds.
 *
 * @param maxEventLoopLagMs          event-loop lag (EWMA of a periodic task's lateness) that enters overload.
 * @param recoverEventLoopLagMs      lag below which that signal recovers; below {@code maxEventLoopLagMs}.
 * @param maxHeapPercent             heap use, in percent of the maximum heap, that enters overload.
 * @param recoverHeapPercent         heap use below which that signal recovers; below {@code maxHeapPercent}.
 * @param maxDirectMemoryPercent     direct memory use, in percent of the JVM's direct memory limit, that enters
 *                                   overload.
 * @param recoverDirectMemoryPercent direct memory use below which that signal recovers; below
 *                                   {@code maxDirectMemoryPercent}.
 */
public record OverloadConfig(
    long maxEventLoopLagMs,
    long recoverEventLoopLagMs,
    int maxHeapPercent,
    int recoverHeapPercent,
    int maxDirectMemoryPercent,
    int recoverDirectMemoryPercent)
{
    /** Never sheds: the default when a configuration says nothing about overload. */
    public static final OverloadConfig DISABLED = new OverloadConfig(0, 0, 0, 0, 0, 0);

    public static final long DEFAULT_MAX_EVENT_LOOP_LAG_MS = 500;
    public static final long DEFAULT_RECOVER_EVENT_LOOP_LAG_MS = 200;
    public static final int DEFAULT_MAX_HEAP_PERCENT = 95;
    public static final int DEFAULT_RECOVER_HEAP_PERCENT = 85;
    public static final int DEFAULT_MAX_DIRECT_MEMORY_PERCENT = 95;
    public static final int DEFAULT_RECOVER_DIRECT_MEMORY_PERCENT = 85;

    /** The thresholds a configuration's {@code overload} section starts from. */
    public static final OverloadConfig DEFAULTS = new OverloadConfig(DEFAULT_MAX_EVENT_LOOP_LAG_MS,
        DEFAULT_RECOVER_EVENT_LOOP_LAG_MS, DEFAULT_MAX_HEAP_PERCENT, DEFAULT_RECOVER_HEAP_PERCENT,
        DEFAULT_MAX_DIRECT_MEMORY_PERCENT, DEFAULT_RECOVER_DIRECT_MEMORY_PERCENT);

    public OverloadConfig
    {
        if (maxEventLoopLagMs < 0 || maxEventLoopLagMs > 60_000)
        {
            throw new IllegalArgumentException("maxEventLoopLagMs: expected 0 (off) to 60000, got "
                + maxEventLoopLagMs);
        }
        requireBelow("recoverEventLoopLagMs", recoverEventLoopLagMs, "maxEventLoopLagMs", maxEventLoopLagMs);
        requirePercent("maxHeapPercent", maxHeapPercent);
        requireBelow("recoverHeapPercent", recoverHeapPercent, "maxHeapPercent", maxHeapPercent);
        requirePercent("maxDirectMemoryPercent", maxDirectMemoryPercent);
        requireBelow("recoverDirectMemoryPercent", recoverDirectMemoryPercent, "maxDirectMemoryPercent",
            maxDirectMemoryPercent);
    }

    /**
     * @return true when at least one signal can put the data plane in overload.
     */
    public boolean isEnabled()
    {
        return maxEventLoopLagMs > 0 || maxHeapPercent > 0 || maxDirectMemoryPercent > 0;
    }

    private static void requirePercent(final String field, final int value)
    {
        if (value < 0 || value > 100)
        {
            throw new IllegalArgumentException(field + ": expected 0 (off) to 100, got " + value);
        }
    }

    private static void requireBelow(final String field, final long value, final String maxField, final long max)
    {
        if (max == 0)
        {
            if (value != 0)
            {
                throw new IllegalArgumentException(field + ": expected 0 while " + maxField + " is 0 (off), got "
                    + value);
            }
            return;
        }
        if (value < 0 || value >= max)
        {
            throw new IllegalArgumentException(field + ": expected 0 to " + (max - 1) + " (below " + maxField
                + "), got " + value);
        }
    }
}
