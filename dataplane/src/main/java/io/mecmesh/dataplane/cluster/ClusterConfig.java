package io.mecmesh.dataplane.cluster;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A cluster: a named set of endpoints that serve the same service, and how to connect to them.
 *
 * @param name                       a name unique among clusters.
 * @param endpoints                  at least one endpoint; requests go round robin over them.
 * @param connectTimeoutMs           how long a connection attempt may take before the request gets 502.
 * @param maxIdleConnectionsPerLoop  keep-alive connections kept per event loop and endpoint.
 * @param idleTimeoutMs              an upstream connection idle this long is closed.
 * @param lbPolicy                   how an endpoint is picked.
 * @param hashHeader                 the request header hashed by {@link LbPolicy#RING_HASH} (empty otherwise).
 * @param localitySpillPercent       a locality is used alone while at least this share of its endpoints is
 *                                   healthy; below it, the next locality's endpoints join (same host, same site,
 *                                   same zone, anywhere).
 * @param outlierDetection           passive health checking.
 * @param tls                        mutual TLS towards the endpoints, or empty for plain text.
 * @param protocol                   HTTP/1.1 or HTTP/2 towards the endpoints.
 * @param circuitBreakers            limits on connections, pending requests, requests and retries at once.
 */
public record ClusterConfig(
    String name,
    List<Endpoint> endpoints,
    int connectTimeoutMs,
    int maxIdleConnectionsPerLoop,
    long idleTimeoutMs,
    LbPolicy lbPolicy,
    String hashHeader,
    int localitySpillPercent,
    OutlierDetection outlierDetection,
    Optional<ClusterTls> tls,
    UpstreamProtocol protocol,
    CircuitBreakers circuitBreakers)
{
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP = 64;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

    public static final int DEFAULT_LOCALITY_SPILL_PERCENT = 70;

    public ClusterConfig
    {
        requireNonNull(name, "name");
        requireNonNull(lbPolicy, "lbPolicy");
        requireNonNull(hashHeader, "hashHeader");
        requireNonNull(outlierDetection, "outlierDetection");
        requireNonNull(tls, "tls");
        requireNonNull(protocol, "protocol");
        requireNonNull(circuitBreakers, "circuitBreakers");
        if (lbPolicy == LbPolicy.RING_HASH && hashHeader.isBlank())
        {
            throw new IllegalArgumentException("hashHeader: required with lbPolicy ring_hash");
        }
        if (localitySpillPercent < 0 || localitySpillPercent > 100)
        {
            throw new IllegalArgumentException("localitySpillPercent: expected 0 to 100, got " + localitySpillPercent);
        }

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
     * A cluster with the default circuit breakers.
     *
     * @param name                      cluster name.
     * @param endpoints                 its endpoints.
     * @param connectTimeoutMs          connect timeout.
     * @param maxIdleConnectionsPerLoop idle connections kept per event loop and endpoint.
     * @param idleTimeoutMs             idle timeout of upstream connections.
     * @param lbPolicy                  balancing policy.
     * @param hashHeader                header hashed by ring hash.
     * @param localitySpillPercent      locality spill-over threshold.
     * @param outlierDetection          passive health checking.
     * @param tls                       mutual TLS towards the endpoints, or empty.
     * @param protocol                  HTTP/1.1 or HTTP/2 towards the endpoints.
     */
    public ClusterConfig(
        final String name,
        final List<Endpoint> endpoints,
        final int connectTimeoutMs,
        final int maxIdleConnectionsPerLoop,
        final long idleTimeoutMs,
        final LbPolicy lbPolicy,
        final String hashHeader,
        final int localitySpillPercent,
        final OutlierDetection outlierDetection,
        final Optional<ClusterTls> tls,
        final UpstreamProtocol protocol)
    {
        this(name, endpoints, connectTimeoutMs, maxIdleConnectionsPerLoop, idleTimeoutMs, lbPolicy, hashHeader,
            localitySpillPercent, outlierDetection, tls, protocol, CircuitBreakers.DEFAULT);
    }

    /**
     * An HTTP/1.1 cluster.
     *
     * @param name                      cluster name.
     * @param endpoints                 its endpoints.
     * @param connectTimeoutMs          connect timeout.
     * @param maxIdleConnectionsPerLoop idle connections kept per event loop and endpoint.
     * @param idleTimeoutMs             idle timeout of upstream connections.
     * @param lbPolicy                  balancing policy.
     * @param hashHeader                header hashed by ring hash.
     * @param localitySpillPercent      locality spill-over threshold.
     * @param outlierDetection          passive health checking.
     * @param tls                       mutual TLS towards the endpoints, or empty.
     */
    public ClusterConfig(
        final String name,
        final List<Endpoint> endpoints,
        final int connectTimeoutMs,
        final int maxIdleConnectionsPerLoop,
        final long idleTimeoutMs,
        final LbPolicy lbPolicy,
        final String hashHeader,
        final int localitySpillPercent,
        final OutlierDetection outlierDetection,
        final Optional<ClusterTls> tls)
    {
        this(name, endpoints, connectTimeoutMs, maxIdleConnectionsPerLoop, idleTimeoutMs, lbPolicy, hashHeader,
            localitySpillPercent, outlierDetection, tls, UpstreamProtocol.HTTP1);
    }

    /**
     * @param newProtocol the protocol towards the endpoints.
     * @return this cluster speaking another protocol.
     */
    public ClusterConfig withProtocol(final UpstreamProtocol newProtocol)
    {
        return new ClusterConfig(name, endpoints, connectTimeoutMs, maxIdleConnectionsPerLoop, idleTimeoutMs,
            lbPolicy, hashHeader, localitySpillPercent, outlierDetection, tls, newProtocol, circuitBreakers);
    }

    /**
     * @param newTls mutual TLS towards the endpoints, or empty for plain text.
     * @return this cluster with other TLS settings.
     */
    public ClusterConfig withTls(final Optional<ClusterTls> newTls)
    {
        return new ClusterConfig(name, endpoints, connectTimeoutMs, maxIdleConnectionsPerLoop, idleTimeoutMs,
            lbPolicy, hashHeader, localitySpillPercent, outlierDetection, newTls, protocol, circuitBreakers);
    }

    /**
     * @param limits the circuit breakers.
     * @return this cluster with other circuit breakers.
     */
    public ClusterConfig withCircuitBreakers(final CircuitBreakers limits)
    {
        return new ClusterConfig(name, endpoints, connectTimeoutMs, maxIdleConnectionsPerLoop, idleTimeoutMs,
            lbPolicy, hashHeader, localitySpillPercent, outlierDetection, tls, protocol, limits);
    }

    /**
     * A round-robin cluster with the default locality and outlier settings.
     *
     * @param name                      cluster name.
     * @param endpoints                 its endpoints.
     * @param connectTimeoutMs          connect timeout.
     * @param maxIdleConnectionsPerLoop idle connections kept per event loop and endpoint.
     * @param idleTimeoutMs             idle timeout of upstream connections.
     */
    public ClusterConfig(
        final String name,
        final List<Endpoint> endpoints,
        final int connectTimeoutMs,
        final int maxIdleConnectionsPerLoop,
        final long idleTimeoutMs)
    {
        this(name, endpoints, connectTimeoutMs, maxIdleConnectionsPerLoop, idleTimeoutMs, LbPolicy.ROUND_ROBIN, "",
            DEFAULT_LOCALITY_SPILL_PERCENT, OutlierDetection.DEFAULT, Optional.empty(), UpstreamProtocol.HTTP1);
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
