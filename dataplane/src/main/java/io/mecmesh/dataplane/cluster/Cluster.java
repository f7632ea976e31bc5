package io.mecmesh.dataplane.cluster;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * A cluster at run time: its configuration, its endpoints resolved once, and the round-robin cursor.
 * Thread-safe: shared by every event loop.
 */
public final class Cluster
{
    private final ClusterConfig config;
    private final InetSocketAddress[] addresses;
    private final AtomicInteger cursor = new AtomicInteger();

    private Cluster(final ClusterConfig config, final InetSocketAddress[] addresses)
    {
        this.config = requireNonNull(config, "config");
        this.addresses = addresses.clone();
    }

    /**
     * Resolves the cluster's endpoints (a host name is looked up once, here, never on the request path).
     *
     * @param config the cluster configuration.
     * @return the cluster.
     * @throws IllegalArgumentException naming the endpoint that does not resolve.
     */
    public static Cluster resolve(final ClusterConfig config)
    {
        final List<Endpoint> endpoints = config.endpoints();
        final InetSocketAddress[] addresses = new InetSocketAddress[endpoints.size()];
        for (int i = 0; i < addresses.length; i++)
        {
            final Endpoint endpoint = endpoints.get(i);
            final InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
            if (address.isUnresolved())
            {
                throw new IllegalArgumentException("endpoints[" + i + "]: host \"" + endpoint.host()
                    + "\" does not resolve");
            }
            addresses[i] = address;
        }
        return new Cluster(config, addresses);
    }

    public ClusterConfig config()
    {
        return config;
    }

    public String name()
    {
        return config.name();
    }

    /**
     * @return the next endpoint, round robin.
     */
    public InetSocketAddress nextAddress()
    {
        if (addresses.length == 1)
        {
            return addresses[0];
        }
        return addresses[Math.floorMod(cursor.getAndIncrement(), addresses.length)];
    }
}
