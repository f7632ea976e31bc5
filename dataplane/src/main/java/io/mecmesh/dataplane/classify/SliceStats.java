package io.mecmesh.dataplane.classify;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the request path did for one slice (slice id 0: unclassified traffic), kept across configuration versions.
 * Incremented by the event loops without contention, read at scrape time. Thread-safe.
 */
public final class SliceStats
{
    private final int sliceId;
    private final String sliceText;
    private final LongAdder requests = new LongAdder();
    private final LongAdder policyHits = new LongAdder();
    private final LongAdder policyMisses = new LongAdder();

    SliceStats(final int sliceId)
    {
        this.sliceId = sliceId;
        this.sliceText = sliceText(sliceId);
    }

    /**
     * The text form of a packed slice id: {@code sst-sd} in hex ({@code 1-0000a1}), {@code sst} without an SD,
     * {@code unclassified} for 0.
     *
     * @param sliceId the packed S-NSSAI.
     * @return its text.
     */
    public static String sliceText(final int sliceId)
    {
        if (sliceId == 0)
        {
            return "unclassified";
        }
        final int sst = sliceId >>> 24;
        final int sd = sliceId & 0xFF_FFFF;
        return sd == 0xFF_FFFF ? Integer.toString(sst) : String.format("%d-%06x", sst, sd);
    }

    public int sliceId()
    {
        return sliceId;
    }

    /**
     * @return the slice as a metric label value ({@link #sliceText(int)}).
     */
    public String sliceText()
    {
        return sliceText;
    }

    /**
     * @return requests the classify stage put into this slice (for slice 0: requests no rule, route or default slice
     *     put into a slice).
     */
    public long requests()
    {
        return requests.sum();
    }

    /**
     * @return forwarded requests whose (slice, route) or (slice, 0) record was found in the policy table.
     */
    public long policyHits()
    {
        return policyHits.sum();
    }

    /**
     * @return forwarded requests for which the policy table had no record: they ran with the route's own settings.
     */
    public long policyMisses()
    {
        return policyMisses.sum();
    }

    public void onRequest()
    {
        requests.increment();
    }

    /**
     * A request counted here moved into another slice (the slice of its route, which comes before the default
     * slice and unclassified): uncounts it.
     */
    public void onRequestMoved()
    {
        requests.decrement();
    }

    /**
     * Counts one policy lookup.
     *
     * @param hit whether a record was found.
     */
    public void onPolicyLookup(final boolean hit)
    {
        (hit ? policyHits : policyMisses).increment();
    }
}
