package io.mecmesh.dataplane.cluster;

import java.net.InetSocketAddress;

/**
 * What an idle upstream connection is kept under: a connection is reused only for the same endpoint of the same
 * cluster with the same transport security.
 *
 * @param address the endpoint.
 * @param cluster the cluster's name.
 * @param tls     whether the connection is TLS.
 */
public record PoolKey(InetSocketAddress address, String cluster, boolean tls)
{
}
