package io.mecmesh.dataplane.cluster;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A cluster: a named set of endpoints that serve the same service, and how to connect to them.
 *
 * @param name                       a name unique among clusters.
 * @param endpoints                  at least one endpoint; requests go round robin over them.
 * @param connectTimeoutMs           how long a connection attempt may take before the request gets 502.
 * @param maxIdleConnectionsPerLoop  keep-alive connections kept per event loop and endpoint.
 * @param idleTimeoutMs              an upstream connection idle this long is closed.
 */
public record ClusterConfig(
    String name,
    List<Endpoint> endpoints,
    int connectTimeoutMs,
    int maxIdleConnectionsPerLoop,
    long idleTimeoutMs)
{
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP = 64;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

    public ClusterConfig
    {
        requireNonNull(name, "name");
        endpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
        if (name.isBlank())
        {
            throw new IllegalArgumentException("name: must not be empty");
        }
        if (endpoints.isEmpty())
        {
            throw new IllegalArgumentException("endpoints: expected at least one endpoint");
        }
        if (connectTimeoutMs < 1)
        {
            throw new IllegalArgumentException("connectTimeoutMs: expected at least 1, got " + connectTimeoutMs);
        }
        if (maxIdleConnectionsPerLoop < 0)
        {
            throw new IllegalArgumentException(
                "maxIdleConnectionsPerLoop: expected 0 or more, got " + maxIdleConnectionsPerLoop);
        }
        if (idleTimeoutMs < 1)
        {
            throw new IllegalArgumentException("idleTimeoutMs: expected at least 1, got " + idleTimeoutMs);
        }
    }

    /**
     * A cluster with the default connection settings.
     *
     * @param name      cluster name.
     * @param endpoints its endpoints.
     * @return the cluster configuration.
     */
    public static ClusterConfig of(final String name, final List<Endpoint> endpoints)
    {
        return new ClusterConfig(name, endpoints, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP,
            DEFAULT_IDLE_TIMEOUT_MS);
    }
}
