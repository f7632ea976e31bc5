package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.exchange.Snapshot;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.route.RouteTable;

import java.util.Map;

/**
 * The one snapshot the request-path benchmarks' stages read, as the data plane publishes it.
 */
final class BenchSnapshots
{
    private BenchSnapshots()
    {
    }

    /**
     * @param routes     the route table.
     * @param classifier the classifier.
     * @return a holder of a snapshot with these, no policy table and no clusters.
     */
    static Snapshots of(final RouteTable routes, final Classifier classifier)
    {
        return new Snapshots(new Snapshot(routes.version(), routes, classifier, PolicyTable.empty(), Map.of()));
    }

    /**
     * @param routes   the route table.
     * @param registry per-slice statistics.
     * @return a holder of a snapshot with these routes and no classification rule.
     */
    static Snapshots of(final RouteTable routes, final SliceStatsRegistry registry)
    {
        return of(routes, Classifier.build(ClassificationConfig.NONE, registry));
    }
}
