package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecRuleState;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Timeouts;
import io.mecmesh.slicemanager.model.TrafficFilter;
import io.mecmesh.slicemanager.model.TrafficRule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The MEC 011 traffic rules of the application instances a node hosts, as that node's routes: placed before the
 * services' routes, so that for the same host an active rule takes the traffic and an inactive one gives it back to
 * the mesh route.
 *
 * <p>Mapping: a rule's filters select requests by their destination, {@code dstAddress}: each single address
 * ({@code 192.0.2.10} or {@code 192.0.2.10/32}, IPv6 {@code /128}) is a route for that authority host (the original
 * destination of a request through the proxy). {@code FORWARD_*} routes to the instance's endpoints, declared or of
 * the services it registered ({@link AppInstance#forwardEndpoints()}, cluster {@code mec-app-NAME}), {@code DROP} answers 403, {@code PASSTHROUGH}, {@code DUPLICATE_*} and {@code INACTIVE} give
 * no route (the request keeps its mesh route). Rules are ordered by {@code priority} (0 first), then instance id and
 * rule id. The routes carry the slice-default policy record (route id 0) of the instance's slice: they inherit its
 * QoS. Not mapped (yet): address ranges, {@code dstPort} and the source, protocol, tunnel, token and QCI/DSCP/TC
 * filters (a filter without a single destination address gives no route), duplication (mirroring).
 */
final class TrafficRuleRoutes
{
    private static final Pattern SINGLE_V4 = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3})(/32)?");
    private static final Pattern SINGLE_V6 = Pattern.compile("([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(/128)?");

    /** One active rule of one instance, for ordering. */
    private record Active(AppInstance app, TrafficRule rule)
    {
    }

    private final List<RouteConfig> routes = new ArrayList<>();
    private final List<ClusterConfig> clusters = new ArrayList<>();

    private TrafficRuleRoutes()
    {
    }

    /**
     * Compiles the rules of the instances {@code node} hosts, and adds what they compile to to the node's content
     * hash.
     *
     * @param state   the desired state.
     * @param node    the node.
     * @param encoder the node's content hash.
     * @return the routes (to go before the services' routes) and clusters.
     */
    static TrafficRuleRoutes compile(final DesiredState state, final Node node, final CanonicalEncoder encoder)
    {
        return compile(state, node, encoder, Map.of());
    }

    /**
     * As {@link #compile(DesiredState, Node, CanonicalEncoder)}, the FORWARD routes of the instances in
     * {@code policyRouteIds} carrying their instance's own policy record (its MEC 015 allocation,
     * {@link BwAllocationRates}) instead of the slice's default one.
     *
     * @param state          the desired state.
     * @param node           the node.
     * @param encoder        the node's content hash.
     * @param policyRouteIds route ids of the instances' own policy records, by instance id.
     * @return the routes (to go before the services' routes) and clusters.
     */
    static TrafficRuleRoutes compile(final DesiredState state, final Node node, final CanonicalEncoder encoder,
        final Map<String, Integer> policyRouteIds)
    {
        final TrafficRuleRoutes compiled = new TrafficRuleRoutes();
        final List<Active> active = new ArrayList<>();
        for (final AppInstance app : state.apps().values())
        {
            if (!app.node().equals(node.id()))
            {
                continue;
            }
            if (!app.forwardEndpoints().isEmpty())
            {
                compiled.clusters.add(cluster(app, state.slices().get(app.slice()), encoder));
            }
            for (final TrafficRule rule : app.trafficRules())
            {
                if (rule.state() == MecRuleState.ACTIVE)
                {
                    active.add(new Active(app, rule));
                }
            }
        }
        active.sort(Comparator.comparingInt((Active a) -> a.rule().priority()).thenComparing(a -> a.app().id())
            .thenComparing(a -> a.rule().id()));
        for (final Active each : active)
        {
            final RouteAction action = action(each, state.slices().get(each.app().slice()));
            if (action == null)
            {
                continue;
            }
            for (final String host : hosts(each.rule()))
            {
                final String name = "mec-" + each.app().id() + "-" + each.rule().id() + "-" + host;
                encoder.putString(name).putString(host).putString(each.rule().action().name());
                final int policyRouteId = action instanceof RouteAction.Forward
                    ? policyRouteIds.getOrDefault(each.app().id(), SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
                    : SlicePolicy.SLICE_DEFAULT_ROUTE_ID;
                if (policyRouteId != SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
                {
                    encoder.putInt(policyRouteId);
                }
                compiled.routes.add(new RouteConfig(name, RouteMatch.prefix(host, "/"), action, HeaderRewrite.NONE,
                    HeaderRewrite.NONE, io.mecmesh.dataplane.authz.AuthorizationPolicy.ALLOW_ALL)
                    .withPolicyRouteId(policyRouteId));
            }
        }
        encoder.putInt(compiled.routes.size()).putInt(compiled.clusters.size());
        return compiled;
    }

    /**
     * The ACTIVE DNS rules of the instances {@code node} hosts, by instance id then rule id, added to the node's
     * content hash when there are any (so that nodes without any keep their hash).
     *
     * @param state   the desired state.
     * @param node    the node.
     * @param encoder the node's content hash.
     * @return the rules its MEC DNS responder serves.
     */
    static List<NodeDnsRule> dnsRules(final DesiredState state, final Node node, final CanonicalEncoder encoder)
    {
        final List<NodeDnsRule> rules = new ArrayList<>();
        for (final AppInstance app : state.apps().values())
        {
            if (!app.node().equals(node.id()))
            {
                continue;
            }
            app.dnsRules().stream().filter(rule -> rule.state() == MecRuleState.ACTIVE)
                .map(rule -> NodeDnsRule.of(app, rule)).forEach(rules::add);
        }
        rules.sort(Comparator.comparing(NodeDnsRule::appInstanceId).thenComparing(NodeDnsRule::ruleId));
        if (!rules.isEmpty())
        {
            encoder.putInt(rules.size());
            for (final NodeDnsRule rule : rules)
            {
                encoder.putString(rule.appInstanceId()).putString(rule.ruleId()).putString(rule.domainName())
                    .putString(rule.ipAddressType().name()).putString(rule.ipAddress())
                    .putInt(rule.ttl().orElse(-1));
            }
        }
        return rules;
    }

    List<RouteConfig> routes()
    {
        return routes;
    }

    List<ClusterConfig> clusters()
    {
        return clusters;
    }

    /**
     * @param app an application instance.
     * @return the name of the cluster of its endpoints.
     */
    static String clusterName(final AppInstance app)
    {
        return "mec-app-" + app.name();
    }

    /** Whether the instances a node hosts differ between two states (the node must be compiled again). */
    static boolean changedOn(final DesiredState before, final DesiredState after, final Node node)
    {
        if (before.apps() == after.apps() || before.apps().equals(after.apps()))
        {
            return false;
        }
        return !hosted(before, node).equals(hosted(after, node));
    }

    private static List<AppInstance> hosted(final DesiredState state, final Node node)
    {
        return state.apps().values().stream().filter(app -> app.node().equals(node.id())).toList();
    }

    private static RouteAction action(final Active active, final Slice slice)
    {
        final Timeouts timeouts = Timeouts.derivedFrom(slice.packetDelayBudgetMs());
        return switch (active.rule().action())
        {
            case DROP -> new RouteAction.Respond(403, "dropped by MEC traffic rule " + active.rule().id()
                + " of application instance " + active.app().id() + "\n");
            case FORWARD_DECAPSULATED, FORWARD_ENCAPSULATED -> new RouteAction.Forward(
                List.of(new WeightedCluster(clusterName(active.app()), 1)), timeouts.requestTimeoutMs(),
                timeouts.perTryTimeoutMs(), RetryPolicy.NONE);
            case PASSTHROUGH, DUPLICATE_DECAPSULATED, DUPLICATE_ENCAPSULATED -> null;
        };
    }

    /** The single destination addresses of a rule's filters, in order, without repeats. */
    private static List<String> hosts(final TrafficRule rule)
    {
        final List<String> hosts = new ArrayList<>();
        for (final TrafficFilter filter : rule.filters())
        {
            for (final String address : filter.list("dstAddress"))
            {
                final String host = singleHost(address.trim());
                if (host != null && !hosts.contains(host))
                {
                    hosts.add(host);
                }
            }
        }
        return hosts;
    }

    private static String singleHost(final String address)
    {
        final var v4 = SINGLE_V4.matcher(address);
        if (v4.matches())
        {
            return v4.group(1);
        }
        final var v6 = SINGLE_V6.matcher(address);
        if (v6.matches())
        {
            return "[" + v6.group(1).toLowerCase(java.util.Locale.ROOT) + "]";
        }
        return null;
    }

    private static ClusterConfig cluster(final AppInstance app, final Slice slice, final CanonicalEncoder encoder)
    {
        final Timeouts timeouts = Timeouts.derivedFrom(slice.packetDelayBudgetMs());
        final List<MeshEndpoint> sorted = app.forwardEndpoints().stream()
            .sorted(Comparator.comparing(MeshEndpoint::address).thenComparingInt(MeshEndpoint::port)).toList();
        encoder.putString(clusterName(app)).putInt(timeouts.connectTimeoutMs()).putInt(sorted.size());
        final List<Endpoint> endpoints = new ArrayList<>();
        for (final MeshEndpoint endpoint : sorted)
        {
            encoder.putString(endpoint.address()).putInt(endpoint.port());
            endpoints.add(new Endpoint(endpoint.address(), endpoint.port(), Locality.UNKNOWN, 1));
        }
        return new ClusterConfig(clusterName(app), endpoints, timeouts.connectTimeoutMs(),
            ClusterConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP, ClusterConfig.DEFAULT_IDLE_TIMEOUT_MS);
    }
}
