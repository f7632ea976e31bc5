package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.authz.AuthorizationPolicy;

import static java.util.Objects.requireNonNull;

/**
 * A route: requests that match go where the action says, with headers rewritten on the way.
 *
 * @param name            a name for metrics and logs (need not be unique; empty for none).
 * @param match           what the route takes.
 * @param action          what it does with them.
 * @param requestHeaders  headers set/removed on the forwarded request.
 * @param responseHeaders headers set/removed on the response.
 * @param authorization   who may call this route (by the caller's SPIFFE id), and with which methods and paths.
 * @param policyRouteId   the route id its per-slice policy records are keyed by ({@code PolicyTable}: the
 *                        slice manager's compiled routes are numbered from 1); 0 for a hand-written route, which
 *                        then uses the slice-default record (route id 0) of the request's slice.
 */
public record RouteConfig(
    String name,
    RouteMatch match,
    RouteAction action,
    HeaderRewrite requestHeaders,
    HeaderRewrite responseHeaders,
    AuthorizationPolicy authorization,
    int policyRouteId)
{
    /** The host that matches any authority. */
    public static final String ANY_HOST = RouteMatch.ANY_AUTHORITY;

    public RouteConfig
    {
        requireNonNull(name, "name");
        requireNonNull(match, "match");
        requireNonNull(action, "action");
        requireNonNull(requestHeaders, "requestHeaders");
        requireNonNull(responseHeaders, "responseHeaders");
        requireNonNull(authorization, "authorization");
        if (policyRouteId < 0)
        {
            throw new IllegalArgumentException("policyRouteId: expected 0 (slice default) or more, got "
                + policyRouteId);
        }
    }

    /**
     * A route without a policy route id of its own (it uses the slice-default policy record).
     *
     * @param name            the route's name.
     * @param match           what it takes.
     * @param action          what it does.
     * @param requestHeaders  request header rewrite.
     * @param responseHeaders response header rewrite.
     * @param authorization   who may call it.
     */
    public RouteConfig(
        final String name,
        final RouteMatch match,
        final RouteAction action,
        final HeaderRewrite requestHeaders,
        final HeaderRewrite responseHeaders,
        final AuthorizationPolicy authorization)
    {
        this(name, match, action, requestHeaders, responseHeaders, authorization, 0);
    }

    /**
     * @param routeId the route id of its policy records.
     * @return this route keyed by that id in the policy table.
     */
    public RouteConfig withPolicyRouteId(final int routeId)
    {
        return new RouteConfig(name, match, action, requestHeaders, responseHeaders, authorization, routeId);
    }

    /**
     * A route without an authorization policy.
     *
     * @param name            the route's name.
     * @param match           what it takes.
     * @param action          what it does.
     * @param requestHeaders  request header rewrite.
     * @param responseHeaders response header rewrite.
     */
    public RouteConfig(
        final String name,
        final RouteMatch match,
        final RouteAction action,
        final HeaderRewrite requestHeaders,
        final HeaderRewrite responseHeaders)
    {
        this(name, match, action, requestHeaders, responseHeaders, AuthorizationPolicy.ALLOW_ALL);
    }

    /**
     * The simplest route: a host and a path prefix forwarded to one cluster with the default timeouts and retries.
     *
     * @param host       the authority ({@code *} for any).
     * @param pathPrefix the path prefix.
     * @param cluster    the cluster.
     */
    public RouteConfig(final String host, final String pathPrefix, final String cluster)
    {
        this("", RouteMatch.prefix(host, pathPrefix), RouteAction.Forward.to(cluster), HeaderRewrite.NONE,
            HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL);
    }
}
