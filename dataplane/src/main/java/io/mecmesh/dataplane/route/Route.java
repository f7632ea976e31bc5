package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.cluster.Cluster;

import static java.util.Objects.requireNonNull;

/**
 * A compiled route: its configuration and the cluster it forwards to.
 *
 * @param config  the route as configured.
 * @param cluster the cluster requests on this route go to.
 */
public record Route(RouteConfig config, Cluster cluster)
{
    public Route
    {
        requireNonNull(config, "config");
        requireNonNull(cluster, "cluster");
    }
}
