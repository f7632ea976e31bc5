package io.mecmesh.dataplane.cluster;

import java.net.InetSocketAddress;

/**
 * What an idle upstream connection is kept under: a connection is reused only for the same endpoint of the same
 * cluster with the same transport security and the same DSCP marking (a URLLC request never leaves on a connection
 * marked for eMBB, nor the other way round).
 *
 * @param address the endpoint.
 * @param cluster the cluster's name.
 * @param tls     whether the connection is TLS.
 * @param dscp    the DSCP its packets carry (IP_TOS / IPV6_TCLASS {@code dscp << 2}), 0 to 63; 0 is unmarked.
 */
public record PoolKey(InetSocketAddress address, String cluster, boolean tls, int dscp)
{
    /** DSCP values: six bits. */
    public static final int DSCP_VALUES = 64;

    public PoolKey
    {
        if (dscp < 0 || dscp >= DSCP_VALUES)
        {
            throw new IllegalArgumentException("dscp: expected 0 to 63, got " + dscp);
        }
    }

    /**
     * The key of unmarked connections to an endpoint.
     *
     * @param address the endpoint.
     * @param cluster the cluster's name.
     * @param tls     whether the connection is TLS.
     */
    public PoolKey(final InetSocketAddress address, final String cluster, final boolean tls)
    {
        this(address, cluster, tls, 0);
    }
}
