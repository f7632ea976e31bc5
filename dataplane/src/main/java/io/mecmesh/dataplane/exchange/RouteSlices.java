package io.mecmesh.dataplane.exchange;

import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.SlicePolicy;

import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * The slice of each compiled route, by its policy route id: the slice manager numbers a node's routes from 1 and
 * writes one {@code (slice, route)} record per route, under the slice of the route's service; so the table names
 * the slice a route belongs to. A hand-written route (route id 0) belongs to no slice. Built with a snapshot (cold
 * path), read per request without allocation. Immutable; safe to share between event loops.
 */
public final class RouteSlices
{
    private static final int[] NO_SLICES = new int[0];

    private final int[] sliceIds;
    private final SliceStats[] stats;

    private RouteSlices(final int[] sliceIds, final SliceStats[] stats)
    {
        this.sliceIds = sliceIds;
        this.stats = stats;
    }

    /**
     * @param policies   the snapshot's policy table.
     * @param classifier the snapshot's classifier (where each slice's statistics live).
     * @return each route id's slice.
     */
    public static RouteSlices of(final PolicyTable policies, final Classifier classifier)
    {
        requireNonNull(policies, "policies");
        requireNonNull(classifier, "classifier");
        int[] sliceIds = NO_SLICES;
        for (final SlicePolicy record : policies.records())
        {
            final int routeId = record.routeId();
            if (routeId == SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
            {
                continue;
            }
            if (routeId >= sliceIds.length)
            {
                sliceIds = Arrays.copyOf(sliceIds, routeId + 1);
            }
            // Records come ordered by slice: a route id under two slices (not compiled so) keeps the lowest slice.
            if (sliceIds[routeId] == 0)
            {
                sliceIds[routeId] = record.sliceId();
            }
        }
        final SliceStats[] stats = new SliceStats[sliceIds.length];
        for (int routeId = 0; routeId < sliceIds.length; routeId++)
        {
            if (sliceIds[routeId] != 0)
            {
                stats[routeId] = classifier.sliceStats(sliceIds[routeId]);
            }
        }
        return new RouteSlices(sliceIds, stats);
    }

    /**
     * @param policyRouteId a route's policy route id.
     * @return the slice the route belongs to, 0 for none.
     */
    public int sliceId(final int policyRouteId)
    {
        return policyRouteId > 0 && policyRouteId < sliceIds.length ? sliceIds[policyRouteId] : 0;
    }

    /**
     * @param policyRouteId a route id whose {@link #sliceId} is not 0.
     * @return that slice's statistics.
     */
    public SliceStats stats(final int policyRouteId)
    {
        return stats[policyRouteId];
    }
}
