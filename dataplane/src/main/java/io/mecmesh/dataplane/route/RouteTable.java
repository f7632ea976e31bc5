package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.counters.StatsRegistry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of the routes. A request's authority chooses the hosts to try — its exact name first, then
 * the {@code *.suffix} wildcards from the longest suffix, then {@code *} — and within a host the routes are tried in
 * configuration order: the first that matches takes the request. Safe to share between event loops; a new
 * configuration builds a new table and swaps it in whole.
 */
public final class RouteTable
{
    private final VirtualHost[] exactHosts;
    private final VirtualHost[] suffixHosts;
    private final Route[] anyHost;
    private final long version;

    private RouteTable(
        final VirtualHost[] exactHosts, final VirtualHost[] suffixHosts, final Route[] anyHost, final long version)
    {
        this.exactHosts = exactHosts;
        this.suffixHosts = suffixHosts;
        this.anyHost = anyHost;
        this.version = version;
    }

    /**
     * Compiles the routes.
     *
     * @param routes   routes in configuration order.
     * @param clusters run-time clusters by name; every cluster a route forwards to must be there.
     * @param version  the configuration version the table comes from.
     * @param stats    where routes keep their statistics, by name.
     * @return the table.
     */
    public static RouteTable build(
        final List<RouteConfig> routes, final Map<String, Cluster> clusters, final long version,
        final StatsRegistry stats)
    {
        final Map<String, List<Route>> byHost = new LinkedHashMap<>();
        for (final RouteConfig config : routes)
        {
            byHost.computeIfAbsent(config.match().authority(), h -> new ArrayList<>())
                .add(new Route(config, clusters, stats));
        }
        final List<VirtualHost> exact = new ArrayList<>();
        final List<VirtualHost> suffix = new ArrayList<>();
        Route[] any = new Route[0];
        for (final Map.Entry<String, List<Route>> entry : byHost.entrySet())
        {
            final String host = entry.getKey();
            final Route[] hostRoutes = entry.getValue().toArray(new Route[0]);
            if (RouteMatch.ANY_AUTHORITY.equals(host))
            {
                any = hostRoutes;
            }
            else if (host.startsWith("*."))
            {
                suffix.add(new VirtualHost(host.substring(1), hostRoutes));
            }
            else
            {
                exact.add(new VirtualHost(host, hostRoutes));
            }
        }
        suffix.sort(Comparator.comparingInt((VirtualHost h) -> h.host.length()).reversed());
        return new RouteTable(exact.toArray(new VirtualHost[0]), suffix.toArray(new VirtualHost[0]), any, version);
    }

    /**
     * Compiles routes for configuration version 0.
     *
     * @param routes   routes in configuration order.
     * @param clusters run-time clusters by name.
     * @return the table.
     */
    public static RouteTable build(final List<RouteConfig> routes, final Map<String, Cluster> clusters)
    {
        return build(routes, clusters, 0, new StatsRegistry());
    }

    public long version()
    {
        return version;
    }

    /**
     * Finds the route for a request. Allocates nothing unless a route matches by regular expression.
     *
     * @param request   the request head.
     * @param authority the authority (Host header or absolute-form target; may carry a port; {@code null} when
     *                  absent).
     * @param path      the request target in origin form.
     * @return the route, or {@code null} when none matches.
     */
    public Route find(final RequestHead request, final CharSequence authority, final CharSequence path)
    {
        if (authority != null)
        {
            final int hostLength = hostLength(authority);
            for (final VirtualHost host : exactHosts)
            {
                if (host.equalsHost(authority, hostLength))
                {
                    final Route route = first(host.routes, request, path);
                    if (route != null)
                    {
                        return route;
                    }
                    break;
                }
            }
            for (final VirtualHost host : suffixHosts)
            {
                if (host.endsHost(authority, hostLength))
                {
                    final Route route = first(host.routes, request, path);
                    if (route != null)
                    {
                        return route;
                    }
                }
            }
        }
        return first(anyHost, request, path);
    }

    /**
     * Finds a route by authority and path alone, for callers without a request head (benchmarks, tools): a route
     * with method or header conditions is skipped.
     *
     * @param authority the authority, or {@code null}.
     * @param path      the request target in origin form.
     * @return the route, or {@code null} when none matches.
     */
    public Route find(final CharSequence authority, final CharSequence path)
    {
        return find(null, authority, path);
    }

    private static Route first(final Route[] routes, final RequestHead request, final CharSequence path)
    {
        for (final Route route : routes)
        {
            if (route.matches(request, path))
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
        boolean equalsHost(final CharSequence authority, final int hostLength)
        {
            return hostLength == host.length() && regionEquals(authority, 0, hostLength);
        }

        /** {@code host} here is the suffix with its leading dot: {@code .example.com}. */
        boolean endsHost(final CharSequence authority, final int hostLength)
        {
            return hostLength > host.length() && regionEquals(authority, hostLength - host.length(), hostLength);
        }

        private boolean regionEquals(final CharSequence authority, final int from, final int to)
        {
            for (int i = from; i < to; i++)
            {
                if (Character.toLowerCase(authority.charAt(i)) != host.charAt(i - from))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
