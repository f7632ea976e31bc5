package io.mecmesh.dataplane.overload;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Decides whether the data plane is in overload, from its {@link OverloadSignals} and {@link OverloadConfig}:
 * {@link #evaluate()} is run periodically (every {@link #EVALUATE_INTERVAL_MS} on one event loop, from
 * {@link #start(EventExecutor)}) and publishes the state that every overload stage handler ({@code stage.overload.OverloadHandler}) reads once per request (a
 * volatile read): the reason, and which 5QI priority levels are shed ({@link PriorityShedding}: the lowest priority
 * first, higher ones as the overload persists at its {@code max*} thresholds). Enters overload when a signal reaches its {@code max*} threshold; leaves it once every signal is
 * below its {@code recover*} threshold. The configuration can be swapped at run time. The evaluations and the
 * signals' probes run only while the configuration enables shedding: an edge that never sheds wakes no loop for
 * them. Thread-safe; {@link #evaluate()} from one thread at a time.
 */
public final class OverloadMonitor
{
    /** How often the state is evaluated by the data plane. */
    public static final long EVALUATE_INTERVAL_MS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(OverloadMonitor.class);

    private final OverloadSignals signals;
    private final OverloadStats stats;
    private final PriorityShedding shedding = new PriorityShedding();
    private volatile OverloadConfig config;
    private volatile OverloadReason reason;
    private EventExecutor evaluator;
    private ScheduledFuture<?> evaluations;

    /**
     * @param config  the thresholds.
     * @param signals what is measured.
     * @param stats   where transitions and shed requests are counted.
     */
    public OverloadMonitor(final OverloadConfig config, final OverloadSignals signals, final OverloadStats stats)
    {
        this.config = requireNonNull(config, "config");
        this.signals = requireNonNull(signals, "signals");
        this.stats = requireNonNull(stats, "stats");
    }

    /**
     * @param newConfig the thresholds from now on (applied at the next evaluation). Turning shedding on starts the
     *                  signals and the periodic evaluation (once {@link #start(EventExecutor) started}); turning it
     *                  off stops them and clears the state.
     */
    public void configure(final OverloadConfig newConfig)
    {
        this.config = requireNonNull(newConfig, "newConfig");
        schedule();
    }

    /**
     * Evaluates every {@link #EVALUATE_INTERVAL_MS} on {@code executor} while shedding is configured.
     *
     * @param executor where the evaluations run (one of the data plane's event loops).
     */
    public void start(final EventExecutor executor)
    {
        synchronized (this)
        {
            evaluator = requireNonNull(executor, "executor");
        }
        schedule();
    }

    /**
     * Stops the evaluations and the signals; the data plane is closing.
     */
    public synchronized void stop()
    {
        evaluator = null;
        if (evaluations != null)
        {
            evaluations.cancel(false);
            evaluations = null;
        }
        signals.stop();
    }

    /**
     * @return true while the periodic evaluation runs (shedding configured and started).
     */
    public synchronized boolean isEvaluating()
    {
        return evaluations != null;
    }

    private synchronized void schedule()
    {
        if (evaluator == null)
        {
            return;
        }
        if (config.isEnabled() && evaluations == null)
        {
            signals.start();
            evaluations = evaluator.scheduleWithFixedDelay(this::evaluate, EVALUATE_INTERVAL_MS,
                EVALUATE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
        else if (!config.isEnabled() && evaluations != null)
        {
            evaluations.cancel(false);
            evaluations = null;
            signals.stop();
            evaluator.execute(this::evaluate);
        }
    }

    /**
     * Reads the signals and updates the state.
     *
     * @return why the data plane sheds now, or {@code null} when it does not.
     */
    public OverloadReason evaluate()
    {
        final OverloadConfig thresholds = config;
        final OverloadReason before = reason;
        OverloadReason after = null;
        boolean held = false;
        if (thresholds.isEnabled())
        {
            final long lagMs = TimeUnit.NANOSECONDS.toMillis(signals.eventLoopLagNs());
            final int heap = signals.heapUsedPercent();
            final int direct = signals.directMemoryUsedPercent();
            if (thresholds.maxEventLoopLagMs() > 0 && lagMs >= thresholds.maxEventLoopLagMs())
            {
                after = OverloadReason.EVENT_LOOP_LAG;
            }
            else if (thresholds.maxHeapPercent() > 0 && heap >= thresholds.maxHeapPercent())
            {
                after = OverloadReason.HEAP;
            }
            else if (thresholds.maxDirectMemoryPercent() > 0 && direct >= thresholds.maxDirectMemoryPercent())
            {
                after = OverloadReason.DIRECT_MEMORY;
            }
            else if (before != null
                && (thresholds.maxEventLoopLagMs() > 0 && lagMs >= thresholds.recoverEventLoopLagMs()
                || thresholds.maxHeapPercent() > 0 && heap >= thresholds.recoverHeapPercent()
                || thresholds.maxDirectMemoryPercent() > 0 && direct >= thresholds.recoverDirectMemoryPercent()))
            {
                after = before;
                held = true;
            }
            if (after != before)
            {
                if (after != null)
                {
                    LOG.warn("overload: shedding new requests ({}: event-loop lag {} ms, heap {}%, direct memory {}%)",
                        after.headerValue(), lagMs, heap, direct);
                }
                else
                {
                    LOG.info("overload: recovered (event-loop lag {} ms, heap {}%, direct memory {}%)",
                        lagMs, heap, direct);
                }
            }
        }
        else if (before != null)
        {
            LOG.info("overload: shedding turned off");
        }
        if (shedding.onEvaluation(after != null, after != null && !held) && after != null
            && shedding.cutoff() < PriorityShedding.UNCLASSIFIED_PRIORITY_LEVEL)
        {
            LOG.warn("overload: shedding priority levels {} and lower priorities", shedding.cutoff());
        }
        reason = after;
        stats.onStateChange(after);
        return after;
    }

    /**
     * @return why the data plane sheds now, or {@code null} when it does not. One volatile read.
     */
    public OverloadReason reason()
    {
        return reason;
    }

    /**
     * @return what shedding did.
     */
    public OverloadStats stats()
    {
        return stats;
    }

    /**
     * @return the highest 5QI priority (lowest level number) shed now: requests of slices at this level and below
     * (higher numbers, unclassified traffic last of all) are shed; {@link Integer#MAX_VALUE} when nothing is.
     */
    public int shedFromPriorityLevel()
    {
        return shedding.cutoff();
    }

    /**
     * @param priorityLevel the 5QI priority level of a request's slice, or 128 for one without a slice policy.
     * @return the reason to shed it now, or {@code null} to let it pass (not in overload, or its priority is above
     * the band shed now).
     */
    public OverloadReason shedReason(final int priorityLevel)
    {
        final OverloadReason now = reason;
        return now != null && shedding.sheds(priorityLevel) ? now : null;
    }

    public void onShed(final OverloadReason shedFor)
    {
        stats.onShed(shedFor);
    }
}
