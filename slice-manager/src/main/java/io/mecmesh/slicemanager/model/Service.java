package io.mecmesh.slicemanager.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A service in a slice: its endpoints, the requests it takes, who may call it, and its timeouts and retries. Build one
 * with {@link #builder(String, Slice)}, which derives timeouts and retries from the slice's packet delay budget.
 *
 * @param name          unique among services (lower-case DNS label); the name of its data-plane cluster.
 * @param slice         the S-NSSAI of the slice it belongs to.
 * @param endpoints     at least one; address and port unique.
 * @param routes        at least one; unique.
 * @param authorization who may call it.
 * @param timeouts      its timeouts.
 * @param retries       its retry policy.
 * @param maxActiveRequestsPerLoop requests of one event loop of an edge sent to the service's endpoints at once
 *                      (its cluster's {@code circuitBreakers.maxActiveRequestsPerLoop}); more wait by 5QI priority
 *                      level (issue 13 item 9). 0 = no limit.
 */
public record Service(
    String name,
    Snssai slice,
    List<ServiceEndpoint> endpoints,
    List<ServiceRoute> routes,
    AuthorizationPolicy authorization,
    Timeouts timeouts,
    RetryPolicy retries,
    int maxActiveRequestsPerLoop)
{
    /** The highest {@code maxActiveRequestsPerLoop}. */
    public static final int MAX_ACTIVE_REQUESTS_PER_LOOP = 1_000_000;

    /**
     * A service without an active-request limit.
     *
     * @param name          see the record.
     * @param slice         see the record.
     * @param endpoints     see the record.
     * @param routes        see the record.
     * @param authorization see the record.
     * @param timeouts      see the record.
     * @param retries       see the record.
     */
    public Service(final String name, final Snssai slice, final List<ServiceEndpoint> endpoints,
        final List<ServiceRoute> routes, final AuthorizationPolicy authorization, final Timeouts timeouts,
        final RetryPolicy retries)
    {
        this(name, slice, endpoints, routes, authorization, timeouts, retries, 0);
    }

    public Service
    {
        if (maxActiveRequestsPerLoop < 0 || maxActiveRequestsPerLoop > MAX_ACTIVE_REQUESTS_PER_LOOP)
        {
            throw new IllegalArgumentException("maxActiveRequestsPerLoop: expected 0 to "
                + MAX_ACTIVE_REQUESTS_PER_LOOP + ", got " + maxActiveRequestsPerLoop);
        }
        Checks.requireName("name", name);
        requireNonNull(slice, "slice");
        endpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
        routes = List.copyOf(requireNonNull(routes, "routes"));
        requireNonNull(authorization, "authorization");
        requireNonNull(timeouts, "timeouts");
        requireNonNull(retries, "retries");
        if (endpoints.isEmpty())
        {
            throw new IllegalArgumentException("endpoints: expected at least one endpoint");
        }
        if (routes.isEmpty())
        {
            throw new IllegalArgumentException("routes: expected at least one route");
        }
        final Set<String> addresses = new HashSet<>();
        for (int i = 0; i < endpoints.size(); i++)
        {
            final ServiceEndpoint endpoint = endpoints.get(i);
            if (!addresses.add(endpoint.address() + " " + endpoint.port()))
            {
                throw new IllegalArgumentException("endpoints[" + i + "]: " + endpoint.address() + " port "
                    + endpoint.port() + " is listed twice");
            }
        }
        if (new HashSet<>(routes).size() != routes.size())
        {
            for (int i = 0; i < routes.size(); i++)
            {
                if (routes.indexOf(routes.get(i)) != i)
                {
                    throw new IllegalArgumentException("routes[" + i + "]: " + routes.get(i) + " is listed twice");
                }
            }
        }
    }

    /**
     * Starts a service in a slice, with timeouts and retries derived from the slice's packet delay budget.
     *
     * @param name  the service name.
     * @param slice the slice it belongs to.
     * @return the builder.
     */
    public static Builder builder(final String name, final Slice slice)
    {
        return new Builder(name, slice);
    }

    /**
     * Collects a service's settings; {@link #build()} validates the whole.
     */
    public static final class Builder
    {
        private final String name;
        private final Snssai slice;
        private final List<ServiceEndpoint> endpoints = new ArrayList<>();
        private final List<ServiceRoute> routes = new ArrayList<>();
        private AuthorizationPolicy authorization = AuthorizationPolicy.ANY_AUTHENTICATED;
        private Timeouts timeouts;
        private RetryPolicy retries;
        private int maxActiveRequestsPerLoop;

        private Builder(final String name, final Slice slice)
        {
            requireNonNull(slice, "slice");
            this.name = requireNonNull(name, "name");
            this.slice = slice.snssai();
            this.timeouts = Timeouts.derivedFrom(slice.packetDelayBudgetMs());
            this.retries = RetryPolicy.derivedFrom(slice.packetDelayBudgetMs());
        }

        public Builder endpoint(final ServiceEndpoint endpoint)
        {
            endpoints.add(requireNonNull(endpoint, "endpoint"));
            return this;
        }

        public Builder endpoint(final String address, final int port, final String site, final String zone)
        {
            return endpoint(new ServiceEndpoint(address, port, Protocol.HTTP1, site, zone, 1));
        }

        public Builder route(final String host, final String pathPrefix)
        {
            routes.add(new ServiceRoute(host, pathPrefix));
            return this;
        }

        public Builder authorization(final AuthorizationPolicy authorization)
        {
            this.authorization = requireNonNull(authorization, "authorization");
            return this;
        }

        public Builder timeouts(final Timeouts timeouts)
        {
            this.timeouts = requireNonNull(timeouts, "timeouts");
            return this;
        }

        public Builder retries(final RetryPolicy retries)
        {
            this.retries = requireNonNull(retries, "retries");
            return this;
        }

        public Builder maxActiveRequestsPerLoop(final int limit)
        {
            this.maxActiveRequestsPerLoop = limit;
            return this;
        }

        public Service build()
        {
            return new Service(name, slice, endpoints, routes, authorization, timeouts, retries,
                maxActiveRequestsPerLoop);
        }
    }
}
