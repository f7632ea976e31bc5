package io.mecmesh.dataplane.classify;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-slice statistics by slice id, so that a configuration swap keeps counting where the last version stopped.
 * Entries are made when a configuration is compiled (never on the request path). Thread-safe; read at scrape time.
 */
public final class SliceStatsRegistry
{
    private final ConcurrentMap<Integer, SliceStats> slices = new ConcurrentHashMap<>();
    private final SliceStats unclassified = slice(0);

    /**
     * @param sliceId the packed S-NSSAI, 0 for unclassified traffic.
     * @return its statistics, created on first use.
     */
    public SliceStats slice(final int sliceId)
    {
        return slices.computeIfAbsent(sliceId, SliceStats::new);
    }

    /**
     * @return the statistics of requests no rule matched (slice id 0).
     */
    public SliceStats unclassified()
    {
        return unclassified;
    }

    /**
     * @return every slice's statistics, unclassified first, then by slice id.
     */
    public List<SliceStats> slices()
    {
        final List<SliceStats> all = new ArrayList<>(slices.values());
        all.sort(Comparator.comparingInt((SliceStats s) -> s.sliceId() == 0 ? 0 : 1)
            .thenComparingInt(SliceStats::sliceId));
        return all;
    }
}
