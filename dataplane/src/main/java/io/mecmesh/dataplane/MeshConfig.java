package io.mecmesh.dataplane;

import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Locality;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Everything one node's data plane runs: listeners, routes and clusters. Immutable and validated as a whole, so a
 * data plane never holds a half-consistent configuration. Today it comes from the node's {@code appliance.yaml};
 * the slice manager's compiler will produce it per node.
 *
 * <p>Validation errors are {@link IllegalArgumentException}s whose message starts with the key path inside this
 * record ({@code routes[1].cluster: ...}), so that a loader can prefix the file and the enclosing path.
 *
 * @param version          monotonically increasing version of this configuration (0 for a static file).
 * @param transport        the socket transport to run on.
 * @param eventLoopThreads number of event loops, 0 for one per core.
 * @param locality         where this node is (site, zone), for locality-aware balancing.
 * @param listeners        at least one listener, names unique.
 * @param routes           routes, each naming a cluster that exists.
 * @param clusters         clusters, names unique.
 */
public record MeshConfig(
    long version,
    TransportKind transport,
    int eventLoopThreads,
    Locality locality,
    List<ListenerConfig> listeners,
    List<RouteConfig> routes,
    List<ClusterConfig> clusters)
{
    public MeshConfig
    {
        requireNonNull(transport, "transport");
        requireNonNull(locality, "locality");
        listeners = List.copyOf(requireNonNull(listeners, "listeners"));
        routes = List.copyOf(requireNonNull(routes, "routes"));
        clusters = List.copyOf(requireNonNull(clusters, "clusters"));
        if (version < 0)
        {
            throw new IllegalArgumentException("version: expected 0 or more, got " + version);
        }
        if (eventLoopThreads < 0 || eventLoopThreads > 1024)
        {
            throw new IllegalArgumentException("eventLoopThreads: expected 0 (one per core) to 1024, got "
                + eventLoopThreads);
        }
        if (listeners.isEmpty())
        {
            throw new IllegalArgumentException("listeners: expected at least one listener");
        }
        requireUniqueNames("listeners", listeners.stream().map(ListenerConfig::name).collect(Collectors.toList()));
        requireUniqueNames("clusters", clusters.stream().map(ClusterConfig::name).collect(Collectors.toList()));

        final Set<String> clusterNames = clusters.stream().map(ClusterConfig::name).collect(Collectors.toSet());
        for (int i = 0; i < listeners.size(); i++)
        {
            final String cluster = listeners.get(i).tcpCluster().orElse(null);
            if (cluster != null && !clusterNames.contains(cluster))
            {
                throw new IllegalArgumentException("listeners[" + i + "].tcpCluster: no cluster named \"" + cluster
                    + "\" (clusters: " + String.join(", ", clusterNames.stream().sorted().toList()) + ")");
            }
        }
        for (int i = 0; i < routes.size(); i++)
        {
            final List<String> referenced = routes.get(i).action().clusterNames();
            for (int j = 0; j < referenced.size(); j++)
            {
                final String cluster = referenced.get(j);
                if (!clusterNames.contains(cluster))
                {
                    final String field = referenced.size() == 1 ? "routes[" + i + "].cluster"
                        : "routes[" + i + "].clusters[" + j + "].cluster";
                    throw new IllegalArgumentException(field + ": no cluster named \"" + cluster + "\" (clusters: "
                        + String.join(", ", clusterNames.stream().sorted().toList()) + ")");
                }
            }
        }
    }

    /**
     * A configuration for a node of unknown locality.
     *
     * @param version          configuration version.
     * @param transport        socket transport.
     * @param eventLoopThreads event loops, 0 for one per core.
     * @param listeners        listeners.
     * @param routes           routes.
     * @param clusters         clusters.
     */
    public MeshConfig(
        final long version,
        final TransportKind transport,
        final int eventLoopThreads,
        final List<ListenerConfig> listeners,
        final List<RouteConfig> routes,
        final List<ClusterConfig> clusters)
    {
        this(version, transport, eventLoopThreads, Locality.UNKNOWN, listeners, routes, clusters);
    }

    /**
     * @param newVersion the version of the new configuration.
     * @param newRoutes  its routes.
     * @param newClusters its clusters.
     * @return this configuration with other routes and clusters (listeners, transport and locality unchanged).
     */
    public MeshConfig withRoutes(
        final long newVersion, final List<RouteConfig> newRoutes, final List<ClusterConfig> newClusters)
    {
        return new MeshConfig(newVersion, transport, eventLoopThreads, locality, listeners, newRoutes, newClusters);
    }

    private static void requireUniqueNames(final String field, final List<String> names)
    {
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++)
        {
            if (!seen.add(names.get(i)))
            {
                throw new IllegalArgumentException(field + "[" + i + "].name: \"" + names.get(i)
                    + "\" is already used by another entry");
            }
        }
    }
}
