package io.mecmesh.dataplane.qos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.agrona.collections.Int2ObjectHashMap;

import static java.util.Objects.requireNonNull;

/**
 * The node's QoS state, shared by its event loops: the running {@link QosConfig}, the shared {@link RateBudget}s
 * (one per slice and per service, each direction, and requests/s per slice), the {@link GbrAdmission}, and the
 * per-slice {@link SliceQosStats}. Each event loop works through its own {@link LoopQos} ({@link #newLoop}), which
 * caches shards of the budgets and touches this object only when a shard runs dry or the configuration changed.
 *
 * <p>A budget is created the first time a loop needs it and replaced when its rate or burst changes (a new policy
 * table); a new {@link QosConfig} ({@link #configure}) drops them all, so the loops rebuild their shards. Thread-safe.
 */
public final class QosRuntime
{
    private final LongSupplier nanoClock;
    private final int loops;
    private final GbrAdmission gbr = new GbrAdmission(0);
    private final ConcurrentHashMap<Long, RateBudget> budgets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, SliceQosStats> stats = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Object, LoopQos> byLoop = new ConcurrentHashMap<>();
    private volatile Settings settings = new Settings(QosConfig.NONE, 0);

    /**
     * @param nanoClock the clock of every bucket and deadline ({@code System::nanoTime} in production).
     * @param loops     how many event loops share the budgets (sizes the shards' chunks), at least 1.
     */
    public QosRuntime(final LongSupplier nanoClock, final int loops)
    {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.loops = Math.max(1, loops);
    }

    /**
     * Runs another configuration from now on: requests already admitted keep what they hold.
     *
     * @param config the node's QoS configuration.
     */
    public void configure(final QosConfig config)
    {
        requireNonNull(config, "config");
        final Settings current = settings;
        if (current.config.equals(config))
        {
            return;
        }
        gbr.capacityBps(config.linkCapacityBps());
        budgets.clear();
        settings = new Settings(config, current.generation + 1);
    }

    public QosConfig config()
    {
        return settings.config;
    }

    public GbrAdmission gbr()
    {
        return gbr;
    }

    public long nanoTime()
    {
        return nanoClock.getAsLong();
    }

    /**
     * @return a new loop's view; call once per event loop.
     */
    public LoopQos newLoop()
    {
        return new LoopQos(this);
    }

    /**
     * @param eventLoop an event loop (any object naming one thread).
     * @return that loop's view, created on first use (once per connection, not per request).
     */
    public LoopQos forLoop(final Object eventLoop)
    {
        final LoopQos existing = byLoop.get(eventLoop);
        return existing != null ? existing : byLoop.computeIfAbsent(eventLoop, k -> new LoopQos(this));
    }

    /**
     * @return every slice's statistics so far (for metrics).
     */
    public Collection<SliceQosStats> slices()
    {
        final List<SliceQosStats> all = new ArrayList<>(stats.values());
        all.sort((a, b) -> Integer.compareUnsigned(a.sliceId(), b.sliceId()));
        return all;
    }

    /**
     * @param sliceId the packed S-NSSAI.
     * @return its statistics, created on first use.
     */
    public SliceQosStats stats(final int sliceId)
    {
        return stats.computeIfAbsent(sliceId, SliceQosStats::new);
    }

    Settings settings()
    {
        return settings;
    }

    int loops()
    {
        return loops;
    }

    /** The shared budget of a key at this rate and burst, created or replaced when the rate or burst changed. */
    RateBudget budget(final long key, final long ratePerSecond, final long burst)
    {
        final RateBudget existing = budgets.get(key);
        if (existing != null && existing.ratePerSecond() == ratePerSecond && existing.burst() == burst)
        {
            return existing;
        }
        return budgets.compute(key, (k, old) -> old != null && old.ratePerSecond() == ratePerSecond
            && old.burst() == burst ? old : new RateBudget(ratePerSecond, burst, nanoClock.getAsLong()));
    }

    /** One configuration, immutable once published. */
    static final class Settings
    {
        final QosConfig config;
        final long generation;
        final Int2ObjectHashMap<SliceQosConfig> bySlice = new Int2ObjectHashMap<>();
        final int[] weights = PriorityWaitQueue.defaultWeights();

        Settings(final QosConfig config, final long generation)
        {
            this.config = config;
            this.generation = generation;
            for (final SliceQosConfig slice : config.slices())
            {
                bySlice.put(slice.sliceId(), slice);
            }
        }
    }
}
