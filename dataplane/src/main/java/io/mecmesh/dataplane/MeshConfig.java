package io.mecmesh.dataplane;

import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.HealthCheckConfig;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.overload.OverloadConfig;
import io.mecmesh.dataplane.qos.QosConfig;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * @param healthChecks     active health checks by the name of the cluster they probe (clusters without one are
 *                         checked passively only).
 * @param overload         when new requests are shed with 503 ({@link OverloadConfig#DISABLED}: never).
 * @param classification   the rules that put requests into slices ({@link ClassificationConfig#NONE}: every
 *                         request is unclassified); compiled by the slice manager. A rule naming a listener this
 *                         node does not have never matches.
 * @param qos              the node's QoS settings beyond the policy records: link capacity for GBR admission,
 *                         per-slice mode, shaping wait, requests/s, GBR ({@link QosConfig#NONE}: none).
 */
public record MeshConfig(
    long version,
    TransportKind transport,
    int eventLoopThreads,
    Locality locality,
    List<ListenerConfig> listeners,
    List<RouteConfig> routes,
    List<ClusterConfig> clusters,
    Map<String, HealthCheckConfig> healthChecks,
    OverloadConfig overload,
    ClassificationConfig classification,
    QosConfig qos)
{
    public MeshConfig
    {
        requireNonNull(transport, "transport");
        requireNonNull(qos, "qos");
        requireNonNull(locality, "locality");
        requireNonNull(overload, "overload");
        requireNonNull(classification, "classification");
        listeners = List.copyOf(requireNonNull(listeners, "listeners"));
        routes = List.copyOf(requireNonNull(routes, "routes"));
        clusters = List.copyOf(requireNonNull(clusters, "clusters"));
        healthChecks = Collections.unmodifiableMap(new TreeMap<>(requireNonNull(healthChecks, "healthChecks")));
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
        for (final Map.Entry<String, HealthCheckConfig> check : healthChecks.entrySet())
        {
            final String cluster = check.getKey();
            if (!clusterNames.contains(cluster))
            {
                throw new IllegalArgumentException("healthChecks." + cluster + ": no cluster named \"" + cluster
                    + "\" (clusters: " + String.join(", ", clusterNames.stream().sorted().toList()) + ")");
            }
            if (check.getValue().kind() == HealthCheckConfig.Kind.HTTP && clusters.stream()
                .anyMatch(c -> c.name().equals(cluster) && c.protocol() == UpstreamProtocol.HTTP2))
            {
                throw new IllegalArgumentException("healthChecks." + cluster + ".kind: http probes speak HTTP/1.1 "
                    + "and cluster \"" + cluster + "\" speaks http2; use kind tcp");
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
     * A configuration without QoS settings.
     *
     * @param version          configuration version.
     * @param transport        socket transport.
     * @param eventLoopThreads event loops, 0 for one per core.
     * @param locality         this node's locality.
     * @param listeners        listeners.
     * @param routes           routes.
     * @param clusters         clusters.
     * @param healthChecks     active health checks by cluster name.
     * @param overload         overload thresholds.
     * @param classification   classification rules.
     */
    public MeshConfig(
        final long version,
        final TransportKind transport,
        final int eventLoopThreads,
        final Locality locality,
        final List<ListenerConfig> listeners,
        final List<RouteConfig> routes,
        final List<ClusterConfig> clusters,
        final Map<String, HealthCheckConfig> healthChecks,
        final OverloadConfig overload,
        final ClassificationConfig classification)
    {
        this(version, transport, eventLoopThreads, locality, listeners, routes, clusters, healthChecks, overload,
            classification, QosConfig.NONE);
    }

    /**
     * A configuration without classification rules (every request unclassified).
     *
     * @param version          configuration version.
     * @param transport        socket transport.
     * @param eventLoopThreads event loops, 0 for one per core.
     * @param locality         this node's locality.
     * @param listeners        listeners.
     * @param routes           routes.
     * @param clusters         clusters.
     * @param healthChecks     active health checks by cluster name.
     * @param overload         overload thresholds.
     */
    public MeshConfig(
        final long version,
        final TransportKind transport,
        final int eventLoopThreads,
        final Locality locality,
        final List<ListenerConfig> listeners,
        final List<RouteConfig> routes,
        final List<ClusterConfig> clusters,
        final Map<String, HealthCheckConfig> healthChecks,
        final OverloadConfig overload)
    {
        this(version, transport, eventLoopThreads, locality, listeners, routes, clusters, healthChecks, overload,
            ClassificationConfig.NONE);
    }

    /**
     * A configuration without active health checks and without overload shedding.
     *
     * @param version          configuration version.
     * @param transport        socket transport.
     * @param eventLoopThreads event loops, 0 for one per core.
     * @param locality         this node's locality.
     * @param listeners        listeners.
     * @param routes           routes.
     * @param clusters         clusters.
     */
    public MeshConfig(
        final long version,
        final TransportKind transport,
        final int eventLoopThreads,
        final Locality locality,
        final List<ListenerConfig> listeners,
        final List<RouteConfig> routes,
        final List<ClusterConfig> clusters)
    {
        this(version, transport, eventLoopThreads, locality, listeners, routes, clusters, Map.of(),
            OverloadConfig.DISABLED, ClassificationConfig.NONE);
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
     * @return this configuration with other routes and clusters (listeners, transport, locality and
     * classification unchanged).
     */
    public MeshConfig withRoutes(
        final long newVersion, final List<RouteConfig> newRoutes, final List<ClusterConfig> newClusters)
    {
        return new MeshConfig(newVersion, transport, eventLoopThreads, locality, listeners, newRoutes, newClusters,
            healthChecks, overload, classification, qos);
    }

    /**
     * On an edge node, the file's configuration merged with the compiled one takes the compiled classification:
     * {@code fromFile.withRoutes(v, routes, clusters).withClassification(compiled.classification())}.
     *
     * @param newClassification the classification rules.
     * @return this configuration (same version) with other classification rules.
     */
    public MeshConfig withClassification(final ClassificationConfig newClassification)
    {
        return new MeshConfig(version, transport, eventLoopThreads, locality, listeners, routes, clusters,
            healthChecks, overload, newClassification, qos);
    }

    /**
     * @param newVersion   the version of the new configuration.
     * @param newListeners its listeners.
     * @return this configuration with other listeners.
     */
    public MeshConfig withListeners(final long newVersion, final List<ListenerConfig> newListeners)
    {
        return new MeshConfig(newVersion, transport, eventLoopThreads, locality, newListeners, routes, clusters,
            healthChecks, overload, classification, qos);
    }

    /**
     * @param newHealthChecks active health checks by cluster name.
     * @return this configuration (same version) with other health checks.
     */
    public MeshConfig withHealthChecks(final Map<String, HealthCheckConfig> newHealthChecks)
    {
        return new MeshConfig(version, transport, eventLoopThreads, locality, listeners, routes, clusters,
            newHealthChecks, overload, classification, qos);
    }

    /**
     * @param newOverload overload thresholds.
     * @return this configuration (same version) with other overload thresholds.
     */
    public MeshConfig withOverload(final OverloadConfig newOverload)
    {
        return new MeshConfig(version, transport, eventLoopThreads, locality, listeners, routes, clusters,
            healthChecks, newOverload, classification, qos);
    }

    /**
     * @param newQos the node's QoS settings.
     * @return this configuration (same version) with other QoS settings.
     */
    public MeshConfig withQos(final QosConfig newQos)
    {
        return new MeshConfig(version, transport, eventLoopThreads, locality, listeners, routes, clusters,
            healthChecks, overload, classification, newQos);
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
