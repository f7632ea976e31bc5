package io.mecmesh.dataplane.route;

import static java.util.Objects.requireNonNull;

/**
 * A route: requests whose authority and path match go to a cluster.
 *
 * @param host       the authority to match, without port, case-insensitive; {@code *} matches any host.
 * @param pathPrefix the path prefix to match; {@code /} matches every path.
 * @param cluster    the name of the cluster to forward to.
 */
public record RouteConfig(String host, String pathPrefix, String cluster)
{
    /** The host that matches any authority. */
    public static final String ANY_HOST = "*";

    public RouteConfig
    {
        requireNonNull(host, "host");
        requireNonNull(pathPrefix, "pathPrefix");
        requireNonNull(cluster, "cluster");
        if (host.isBlank())
        {
            throw new IllegalArgumentException("host: must not be empty (use \"*\" for any host)");
        }
        if (!pathPrefix.startsWith("/"))
        {
            throw new IllegalArgumentException("pathPrefix: must start with '/', got \"" + pathPrefix + "\"");
        }
        if (cluster.isBlank())
        {
            throw new IllegalArgumentException("cluster: must not be empty");
        }
    }
}
