package io.mecmesh.dataplane.overload;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The live overload signals of this JVM:
 * <ul>
 *   <li>event-loop lag: a probe task on every event loop, rescheduled every {@link #PROBE_INTERVAL_MS}, measures
 *   how late it runs; each loop keeps an EWMA of its lateness and the signal is the worst loop's;</li>
 *   <li>heap: used heap over the maximum heap ({@link MemoryMXBean}; garbage not yet collected counts as used);</li>
 *   <li>direct memory: Netty's count of direct memory in use when it tracks it, else the JDK's direct buffer pool,
 *   over the JVM's direct memory limit.</li>
 * </ul>
 * The probes run only between {@link #start()} and {@link #stop()}: the monitor starts them while shedding is
 * configured, so an idle data plane that never sheds does not wake its loops every {@link #PROBE_INTERVAL_MS}.
 * Thread-safe: the probes write one volatile per loop, the monitor reads them.
 */
public final class RuntimeOverloadSignals implements OverloadSignals
{
    /** How often each event loop's probe runs. */
    public static final long PROBE_INTERVAL_MS = 50;
    private static final double EWMA_WEIGHT = 0.3;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final BufferPoolMXBean directPool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
        .stream().filter(pool -> "direct".equals(pool.getName())).findFirst().orElse(null);
    private final EventLoopGroup eventLoops;
    private volatile List<Probe> probes = List.of();

    /**
     * Measures nothing until {@link #start()}.
     *
     * @param eventLoops the data plane's event loops.
     */
    public RuntimeOverloadSignals(final EventLoopGroup eventLoops)
    {
        this.eventLoops = eventLoops;
    }

    /**
     * Starts a probe on every event loop of the group, unless they run already; the probes stop when the loops
     * shut down or on {@link #stop()}. The lag reads 0 until the probes have run.
     */
    @Override
    public synchronized void start()
    {
        if (!probes.isEmpty())
        {
            return;
        }
        final List<Probe> started = new ArrayList<>();
        for (final EventExecutor loop : eventLoops)
        {
            final Probe probe = new Probe(loop);
            started.add(probe);
            probe.schedule();
        }
        probes = List.copyOf(started);
    }

    /**
     * Stops the probes (and forgets their lag).
     */
    @Override
    public synchronized void stop()
    {
        probes.forEach(Probe::stop);
        probes = List.of();
    }

    /**
     * @return true while the probes run.
     */
    public boolean isMeasuring()
    {
        return !probes.isEmpty();
    }

    @Override
    public long eventLoopLagNs()
    {
        long worst = 0;
        for (final Probe probe : probes)
        {
            worst = Math.max(worst, probe.ewmaLagNs);
        }
        return worst;
    }

    @Override
    public int heapUsedPercent()
    {
        final MemoryUsage heap = memory.getHeapMemoryUsage();
        final long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        return max <= 0 ? 0 : (int)(heap.getUsed() * 100 / max);
    }

    @Override
    public int directMemoryUsedPercent()
    {
        long used = PlatformDependent.usedDirectMemory();
        if (used < 0)
        {
            used = directPool == null ? 0 : directPool.getMemoryUsed();
        }
        final long max = PlatformDependent.maxDirectMemory();
        return max <= 0 ? 0 : (int)Math.min(100, used * 100 / max);
    }

    /** One event loop's lateness, measured by a task that expects to run {@link #PROBE_INTERVAL_MS} later. */
    private static final class Probe implements Runnable
    {
        private final EventExecutor loop;
        private final long intervalNs = TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MS);
        private long expectedNs;
        private volatile long ewmaLagNs;
        private volatile boolean stopped;
        private ScheduledFuture<?> next;

        Probe(final EventExecutor loop)
        {
            this.loop = loop;
        }

        void schedule()
        {
            if (stopped || loop.isShuttingDown())
            {
                return;
            }
            expectedNs = System.nanoTime() + intervalNs;
            next = loop.schedule(this, intervalNs, TimeUnit.NANOSECONDS);
        }

        void stop()
        {
            stopped = true;
            final ScheduledFuture<?> scheduled = next;
            if (scheduled != null)
            {
                scheduled.cancel(false);
            }
        }

        @Override
        public void run()
        {
            final long lagNs = Math.max(0, System.nanoTime() - expectedNs);
            ewmaLagNs = (long)(ewmaLagNs * (1 - EWMA_WEIGHT) + lagNs * EWMA_WEIGHT);
            schedule();
        }
    }
}
