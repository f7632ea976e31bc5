package io.mecmesh.appliance.control;

import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.api.ForwardingControlPlaneBackend;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.prometheus.metrics.core.metrics.Histogram;

import java.util.UUID;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The control plane as the API drives it, with every {@link #submit(Command)} (validate, journal, compile, publish:
 * one {@code mecmesh apply} or object command) timed into {@code mecmesh_control_apply_duration_seconds{outcome}}:
 * {@code applied}, {@code rejected} (the state refused it, nothing changed) or {@code failed} (not journaled); and
 * holds {@code mecmesh_node_config_apply_duration_seconds}, how long nodes take to run what was published. Both
 * histograms are registered by {@code MetricsExport.addControlPlane}. Everything else is passed through.
 */
public final class TimedControlPlane extends ForwardingControlPlaneBackend
{
    /** Classic buckets in seconds: a command is journaled and compiled in milliseconds, a large one in seconds. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** A node applies in milliseconds when connected; one that was away takes as long as it was away. */
    private static final double[] NODE_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
        3600};
    private static final double NANOS_PER_SECOND = 1e9;

    private final LongSupplier nanoTime;
    private final Histogram applyDuration = Histogram.builder()
        .name("mecmesh_control_apply_duration_seconds")
        .help("Time the control plane takes for a command (apply, create, delete): validate, journal, compile and "
            + "publish, by outcome (applied, rejected, failed).")
        .labelNames("outcome")
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .build();
    private final Histogram nodeApplyDuration = Histogram.builder()
        .name("mecmesh_node_config_apply_duration_seconds")
        .help("Time from the control plane handing a node's new configuration to distribution until the node reports "
            + "it runs it (once per version and node; a node that was away counts its absence).")
        .classicOnly()
        .classicUpperBounds(NODE_BUCKETS)
        .build();

    /**
     * @param backend  the control plane.
     * @param nanoTime the clock the durations are measured on.
     */
    public TimedControlPlane(final ControlPlaneBackend backend, final LongSupplier nanoTime)
    {
        super(backend);
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * @return the histogram of command durations, for {@code MetricsExport.addControlPlane} to register.
     */
    public Histogram applyDuration()
    {
        return applyDuration;
    }

    /**
     * @return the histogram of the nodes' apply durations, fed by {@link #observeNodeApply(long)}.
     */
    public Histogram nodeApplyDuration()
    {
        return nodeApplyDuration;
    }

    /**
     * Records how long a node took to apply a configuration (the slice manager's {@code onConfigApplied}).
     *
     * @param durationNs nanoseconds from hand-over to the node's report.
     */
    public void observeNodeApply(final long durationNs)
    {
        nodeApplyDuration.observe(durationNs / NANOS_PER_SECOND);
    }

    @Override
    public long submit(final Command command)
    {
        return timed(() -> delegate().submit(command));
    }

    @Override
    public long submit(final UUID requestId, final Command command)
    {
        return timed(() -> delegate().submit(requestId, command));
    }

    private long timed(final LongSupplier submit)
    {
        final long startNs = nanoTime.getAsLong();
        String outcome = "failed";
        try
        {
            final long sequence = submit.getAsLong();
            outcome = "applied";
            return sequence;
        }
        catch (final CommandRejectedException ex)
        {
            outcome = "rejected";
            throw ex;
        }
        finally
        {
            applyDuration.labelValues(outcome).observe((nanoTime.getAsLong() - startNs) / NANOS_PER_SECOND);
        }
    }
}
