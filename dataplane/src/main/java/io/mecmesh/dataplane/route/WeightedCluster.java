package io.mecmesh.dataplane.route;

import static java.util.Objects.requireNonNull;

/**
 * One cluster of a traffic split.
 *
 * @param cluster the cluster's name.
 * @param weight  its share relative to the others (1 to 10,000).
 */
public record WeightedCluster(String cluster, int weight)
{
    public WeightedCluster
    {
        requireNonNull(cluster, "cluster");
        if (cluster.isBlank())
        {
            throw new IllegalArgumentException("cluster: must not be empty");
        }
        if (weight < 1 || weight > 10_000)
        {
            throw new IllegalArgumentException("weight: expected 1 to 10000, got " + weight);
        }
    }
}
