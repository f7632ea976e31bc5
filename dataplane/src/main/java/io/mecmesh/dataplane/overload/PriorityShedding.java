package io.mecmesh.dataplane.overload;

import java.util.Arrays;

/**
 * Which requests overload sheds, by the 5QI priority level of their slice (1 is the highest priority, 127 the
 * lowest; a request without a slice policy counts as {@link #UNCLASSIFIED_PRIORITY_LEVEL}, below every slice): a
 * request is shed when its level is at or above the current cutoff. Entering overload sheds the lowest band only
 * (levels from {@code cutoffs[0]}); each evaluation that still finds a signal at its {@code max*} threshold lowers
 * the cutoff one band, towards the highest priorities; an evaluation between the {@code recover*} and {@code max*}
 * thresholds holds it (the shedding done so far is enough); recovery sheds nothing again. So under a light overload
 * only best-effort traffic is refused, and URLLC is refused last, once every lower band has been shed and the
 * overload still grows. The default bands follow TS 23.501's table 5.7.4-1: 80 and up (buffered video, default
 * bearers: 5QI 8, 9, 10), 60 (5QI 6, 79, 80), 40 (GBR video, live uplink), 20 (voice, delay-critical GBR 82-90),
 * then everything. Evaluated by the {@link OverloadMonitor}'s thread only; the cutoff is read by every event loop
 * (a volatile read).
 */
public final class PriorityShedding
{
    /** The level of a request whose slice has no policy record, or that is unclassified: shed first. */
    public static final int UNCLASSIFIED_PRIORITY_LEVEL = 128;
    /** The cutoff while not in overload: no level reaches it. */
    static final int NONE = Integer.MAX_VALUE;
    /** Cutoffs from the first band shed to the last; the last (1) sheds every request. */
    static final int[] DEFAULT_CUTOFFS = {80, 60, 40, 20, 1};

    private final int[] cutoffs;
    private int band = -1;
    private volatile int cutoff = NONE;

    PriorityShedding()
    {
        this(DEFAULT_CUTOFFS);
    }

    PriorityShedding(final int[] cutoffs)
    {
        if (cutoffs.length == 0 || cutoffs[cutoffs.length - 1] != 1)
        {
            throw new IllegalArgumentException("cutoffs: expected the last band to start at level 1, got "
                + Arrays.toString(cutoffs));
        }
        for (int i = 1; i < cutoffs.length; i++)
        {
            if (cutoffs[i] >= cutoffs[i - 1])
            {
                throw new IllegalArgumentException("cutoffs: expected strictly decreasing levels, got "
                    + Arrays.toString(cutoffs));
            }
        }
        this.cutoffs = cutoffs.clone();
    }

    /**
     * Moves the cutoff after an evaluation.
     *
     * @param overloaded true while in overload.
     * @param atMax      true when a signal is at or above its {@code max*} threshold (not only above its
     *                   {@code recover*} one).
     * @return true when the cutoff changed.
     */
    boolean onEvaluation(final boolean overloaded, final boolean atMax)
    {
        final int before = band;
        if (!overloaded)
        {
            band = -1;
        }
        else if (band < 0)
        {
            band = 0;
        }
        else if (atMax && band < cutoffs.length - 1)
        {
            band++;
        }
        cutoff = band < 0 ? NONE : cutoffs[band];
        return band != before;
    }

    /**
     * @param priorityLevel the request's 5QI priority level, or {@link #UNCLASSIFIED_PRIORITY_LEVEL}.
     * @return true when a request at that level is shed now.
     */
    boolean sheds(final int priorityLevel)
    {
        return priorityLevel >= cutoff;
    }

    /**
     * @return the lowest priority level shed now (requests at it and above are shed), {@link #NONE} when nothing is.
     */
    int cutoff()
    {
        return cutoff;
    }
}
