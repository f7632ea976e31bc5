package io.mecmesh.dataplane.exchange;

import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.route.RouteTable;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What one configuration version runs on the request path: its routes, classifier, per-slice policy table and
 * clusters, compiled together and published whole through {@link Snapshots} (one release store), so that a reader
 * never pairs the routes of one version with the policy table of another. Immutable; safe to share between event
 * loops.
 *
 * @param version    the configuration version.
 * @param routes     the route table.
 * @param classifier the slice classifier.
 * @param policies   the per-slice policy table (empty when the node runs none).
 * @param clusters   the clusters by name.
 * @param routeSlices the slice of each compiled route, from the policy table (derived: use the other constructor).
 */
public record Snapshot(
    long version, RouteTable routes, Classifier classifier, PolicyTable policies, Map<String, Cluster> clusters,
    RouteSlices routeSlices)
{
    public Snapshot
    {
        requireNonNull(routes, "routes");
        requireNonNull(classifier, "classifier");
        requireNonNull(policies, "policies");
        requireNonNull(clusters, "clusters");
        requireNonNull(routeSlices, "routeSlices");
    }

    /**
     * @param version    the configuration version.
     * @param routes     the route table.
     * @param classifier the slice classifier.
     * @param policies   the per-slice policy table (empty when the node runs none).
     * @param clusters   the clusters by name.
     */
    public Snapshot(
        final long version, final RouteTable routes, final Classifier classifier, final PolicyTable policies,
        final Map<String, Cluster> clusters)
    {
        this(version, routes, classifier, policies, clusters, RouteSlices.of(policies, classifier));
    }

    /**
     * @param table another policy table.
     * @return this snapshot with that table.
     */
    public Snapshot withPolicies(final PolicyTable table)
    {
        return new Snapshot(version, routes, classifier, table, clusters);
    }
}
