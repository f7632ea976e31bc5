package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.cluster.Cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An immutable snapshot of the routes: looked up once per request by authority, then by the longest path prefix.
 * A host's own routes are tried before the routes for any host ({@code *}). Safe to share between event loops;
 * a new configuration builds a new table and swaps it in whole.
 */
public final class RouteTable
{
    private final VirtualHost[] hosts;
    private final Route[] anyHost;

    private RouteTable(final VirtualHost[] hosts, final Route[] anyHost)
    {
        this.hosts = hosts;
        this.anyHost = anyHost;
    }

    /**
     * Compiles the routes.
     *
     * @param routes   routes in configuration order.
     * @param clusters run-time clusters by name; every route's cluster must be there.
     * @return the table.
     */
    public static RouteTable build(final List<RouteConfig> routes, final Map<String, Cluster> clusters)
    {
        final Map<String, List<Route>> byHost = new LinkedHashMap<>();
        for (final RouteConfig config : routes)
        {
            final Cluster cluster = clusters.get(config.cluster());
            if (cluster == null)
            {
                throw new IllegalArgumentException("no cluster named \"" + config.cluster() + "\"");
            }
            byHost.computeIfAbsent(config.host().toLowerCase(Locale.ROOT), h -> new ArrayList<>())
                .add(new Route(config, cluster));
        }
        final Comparator<Route> longestPrefixFirst =
            Comparator.comparingInt((Route r) -> r.config().pathPrefix().length()).reversed();
        final List<VirtualHost> hosts = new ArrayList<>();
        Route[] anyHost = new Route[0];
        for (final Map.Entry<String, List<Route>> entry : byHost.entrySet())
        {
            final List<Route> sorted = new ArrayList<>(entry.getValue());
            sorted.sort(longestPrefixFirst);
            if (RouteConfig.ANY_HOST.equals(entry.getKey()))
            {
                anyHost = sorted.toArray(new Route[0]);
            }
            else
            {
                hosts.add(new VirtualHost(entry.getKey(), sorted.toArray(new Route[0])));
            }
        }
        return new RouteTable(hosts.toArray(new VirtualHost[0]), anyHost);
    }

    /**
     * Finds the route for a request. Allocates nothing.
     *
     * @param authority the Host header (may carry a port; may be {@code null} when absent).
     * @param path      the request target in origin form (starts with {@code /}).
     * @return the route, or {@code null} when none matches.
     */
    public Route find(final CharSequence authority, final String path)
    {
        if (authority != null)
        {
            final int hostLength = hostLength(authority);
            for (final VirtualHost host : hosts)
            {
                if (host.matches(authority, hostLength))
                {
                    final Route route = longestPrefix(host.routes, path);
                    if (route != null)
                    {
                        return route;
                    }
                    break;
                }
            }
        }
        return longestPrefix(anyHost, path);
    }

    private static Route longestPrefix(final Route[] routes, final String path)
    {
        for (final Route route : routes)
        {
            if (path.startsWith(route.config().pathPrefix()))
            {
                return route;
            }
        }
        return null;
    }

    /** Length of the host part of an authority: up to the port's colon, keeping IPv6 brackets. */
    private static int hostLength(final CharSequence authority)
    {
        final int length = authority.length();
        if (length > 0 && authority.charAt(0) == '[')
        {
            for (int i = 1; i < length; i++)
            {
                if (authority.charAt(i) == ']')
                {
                    return i + 1;
                }
            }
            return length;
        }
        for (int i = 0; i < length; i++)
        {
            if (authority.charAt(i) == ':')
            {
                return i;
            }
        }
        return length;
    }

    private record VirtualHost(String host, Route[] routes)
    {
        boolean matches(final CharSequence authority, final int hostLength)
        {
            if (hostLength != host.length())
            {
                return false;
            }
            for (int i = 0; i < hostLength; i++)
            {
                if (Character.toLowerCase(authority.charAt(i)) != host.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
