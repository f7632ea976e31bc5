package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.slicemanager.model.SliceQos;
import io.mecmesh.dataplane.classify.HeaderValue;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.slicemanager.model.AuthorizationPolicy;
import io.mecmesh.slicemanager.model.BitRates;
import io.mecmesh.slicemanager.model.ClassificationRule;
import io.mecmesh.slicemanager.model.NodeSpiffeIds;
import io.mecmesh.slicemanager.model.Cidr;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Protocol;
import io.mecmesh.slicemanager.model.RetryPolicy;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.ServiceEndpoint;
import io.mecmesh.slicemanager.model.ServiceRoute;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;
import io.mecmesh.slicemanager.model.Timeouts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

import static java.util.Objects.requireNonNull;

/**
 * Compiles the desired state into one {@link NodeMeshConfig} per node. A pure, deterministic function of the desired
 * state, the settings and the previous result: the same inputs always give equal outputs.
 *
 * <p><b>What a node sees.</b> Slices are isolated end to end: a node's workloads may call the services of the slices
 * its own services belong to, and nothing else. So a node's configuration holds the services of those slices (routes
 * and clusters), a slice-default policy record per such slice and a policy record per route.
 *
 * <p><b>Classification.</b> The classification rules of the visible slices, by slice (in S-NSSAI order), each slice's
 * rules in their declared order, each carrying the slice id of the slice's policy records; the data plane takes the
 * first rule that matches. Every compiled route carries its route id ({@code RouteConfig.policyRouteId}) so that the
 * request path finds its (slice, route) policy record.
 *
 * <p><b>Mesh hops.</b> With a trust domain in the settings, a service that runs on other nodes only, all of which
 * declare a mesh endpoint, is reached through those nodes: its cluster's endpoints are their inbound mesh listeners,
 * with mutual TLS from this node's identity ({@link TlsConfig#nodeIdentity}), the peer's SPIFFE id checked (the
 * node's own id when one node runs the service, the trust domain when several do) and the service name as SNI. The
 * node that runs the service routes the call on to the service's endpoints. Otherwise the cluster holds the
 * service's endpoints. A cluster speaks HTTP/2 (prior knowledge, or ALPN h2 on a hop) when every endpoint of its
 * service does, else HTTP/1.1.
 *
 * <p><b>MEC traffic rules.</b> The active traffic rules of the application instances a node hosts come first in its
 * routes ({@link TrafficRuleRoutes}); their active DNS rules go to the node's MEC DNS responder
 * ({@link NodeMeshConfig#dnsRules()}).
 *
 * <p><b>Versions.</b> A node's version is the desired-state sequence number at which its content (hashed with
 * SHA-256 over a canonical encoding) last changed. Sequence numbers only grow and survive restarts (they are
 * journaled), so versions only grow, also across a restart of the slice manager.
 *
 * <p><b>Incremental.</b> Only nodes whose inputs changed are compiled again: nodes added or changed, and nodes that see
 * a slice that changed, that holds a service that changed (its old or its new slice) or a service of a node that
 * was added, removed or changed (its placement and mesh endpoint shape the mesh hops). The others keep their
 * previous configuration object. {@link #nodeCompilations()} counts the nodes compiled, for tests and benchmarks.
 *
 * <p>Not thread-safe: one conductor thread compiles.
 */
public final class MeshCompiler
{
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long MIN_BURST_BYTES = 64 * 1024;

    private long nodeCompilations;

    /**
     * Compiles every node from scratch.
     *
     * @param state    the desired state.
     * @param settings the settings.
     * @return every node's configuration.
     */
    public CompiledMesh compile(final DesiredState state, final CompilerSettings settings)
    {
        return compile(state, CompiledMesh.empty(settings), settings);
    }

    /**
     * Compiles the nodes whose inputs changed since {@code previous}; the others keep their configuration.
     *
     * @param state    the desired state.
     * @param previous the previous result (or {@link CompiledMesh#empty(CompilerSettings)}).
     * @param settings the settings; if they differ from the previous result's, every node is compiled.
     * @return every node's configuration.
     */
    public CompiledMesh compile(final DesiredState state, final CompiledMesh previous, final CompilerSettings settings)
    {
        requireNonNull(state, "state");
        requireNonNull(previous, "previous");
        requireNonNull(settings, "settings");
        final boolean full = !settings.equals(previous.settings()) || previous.nodes().isEmpty();
        final Set<Integer> touched = full ? Set.of() : touchedSliceIds(previous.source(), state);
        Map<Snssai, List<Service>> servicesBySlice = null;
        Map<String, List<Node>> nodesByService = null;

        final SortedMap<String, NodeMeshConfig> nodes = new TreeMap<>();
        for (final Node node : state.nodes().values())
        {
            final NodeMeshConfig before = previous.nodes().get(node.id());
            final boolean unchanged = !full && before != null
                && node.equals(previous.source().nodes().get(node.id()))
                && !seesAny(before, touched)
                && !TrafficRuleRoutes.changedOn(previous.source(), state, node)
                && !BwAllocationRates.changedOn(previous.source(), state, node);
            if (unchanged)
            {
                nodes.put(node.id(), before);
                continue;
            }
            if (servicesBySlice == null)
            {
                servicesBySlice = servicesBySlice(state);
                nodesByService = nodesByService(state);
            }
            final SortedSet<Snssai> visible = visibleSlices(state, node);
            final NodeMeshConfig compiled = compileNode(state, settings, node, visible, servicesBySlice,
                nodesByService);
            nodeCompilations++;
            nodes.put(node.id(), before != null && before.contentHash().equals(compiled.contentHash())
                ? before : compiled);
        }
        return new CompiledMesh(state, settings, nodes);
    }

    /**
     * How many node configurations this compiler has compiled (not counting those reused unchanged).
     *
     * @return the count.
     */
    public long nodeCompilations()
    {
        return nodeCompilations;
    }

    /**
     * Whether a node's previous configuration covers one of the touched slices. Its slices are those of its
     * slice-default policy records: a node whose own definition did not change sees the same slices, unless one of
     * its services moved to another slice, and then both slices are touched.
     */
    private static boolean seesAny(final NodeMeshConfig before, final Set<Integer> touched)
    {
        if (touched.isEmpty())
        {
            return false;
        }
        for (final SlicePolicy policy : before.policies())
        {
            if (policy.routeId() == SlicePolicy.SLICE_DEFAULT_ROUTE_ID && touched.contains(policy.sliceId()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The ids of the slices whose definition changed or that gained, lost or hold a changed service: one ordered
     * walk over both states' sorted maps (an unchanged object is the same instance in both, so most steps are one
     * reference comparison).
     */
    private static Set<Integer> touchedSliceIds(final DesiredState before, final DesiredState after)
    {
        final Set<Integer> touched = new HashSet<>();
        walk(before.slices(), after.slices(), (old, now) -> touched.add((old != null ? old : now).snssai().sliceId()));
        walk(before.services(), after.services(), (old, now) ->
        {
            if (old != null)
            {
                touched.add(old.slice().sliceId());
            }
            if (now != null)
            {
                touched.add(now.slice().sliceId());
            }
        });
        // Where a service runs and the mesh endpoints of its nodes shape the other nodes' mesh hops.
        walk(before.nodes(), after.nodes(), (old, now) ->
        {
            if (old != null)
            {
                touchServices(before, old, touched);
            }
            if (now != null)
            {
                touchServices(after, now, touched);
            }
        });
        return touched;
    }

    private static void touchServices(final DesiredState state, final Node node, final Set<Integer> touched)
    {
        for (final String name : node.services())
        {
            final Service service = state.services().get(name);
            if (service != null)
            {
                touched.add(service.slice().sliceId());
            }
        }
    }

    /** Calls {@code changed} for every key whose value differs between two maps sorted the same way. */
    private static <K extends Comparable<K>, V> void walk(
        final SortedMap<K, V> before, final SortedMap<K, V> after, final BiConsumer<V, V> changed)
    {
        final Iterator<Map.Entry<K, V>> olds = before.entrySet().iterator();
        final Iterator<Map.Entry<K, V>> nows = after.entrySet().iterator();
        Map.Entry<K, V> old = olds.hasNext() ? olds.next() : null;
        Map.Entry<K, V> now = nows.hasNext() ? nows.next() : null;
        while (old != null || now != null)
        {
            final int order = old == null ? 1 : now == null ? -1 : old.getKey().compareTo(now.getKey());
            if (order < 0)
            {
                changed.accept(old.getValue(), null);
                old = olds.hasNext() ? olds.next() : null;
            }
            else if (order > 0)
            {
                changed.accept(null, now.getValue());
                now = nows.hasNext() ? nows.next() : null;
            }
            else
            {
                if (old.getValue() != now.getValue() && !Objects.equals(old.getValue(), now.getValue()))
                {
                    changed.accept(old.getValue(), now.getValue());
                }
                old = olds.hasNext() ? olds.next() : null;
                now = nows.hasNext() ? nows.next() : null;
            }
        }
    }

    private static Map<Snssai, List<Service>> servicesBySlice(final DesiredState state)
    {
        final Map<Snssai, List<Service>> bySlice = new HashMap<>();
        for (final Service service : state.services().values())
        {
            bySlice.computeIfAbsent(service.slice(), s -> new ArrayList<>()).add(service);
        }
        return bySlice;
    }

    private static Map<String, List<Node>> nodesByService(final DesiredState state)
    {
        final Map<String, List<Node>> byService = new HashMap<>();
        for (final Node node : state.nodes().values())
        {
            for (final String service : node.services())
            {
                byService.computeIfAbsent(service, s -> new ArrayList<>()).add(node);
            }
        }
        return byService;
    }

    private static SortedSet<Snssai> visibleSlices(final DesiredState state, final Node node)
    {
        final SortedSet<Snssai> visible = new TreeSet<>();
        for (final String name : node.services())
        {
            visible.add(state.services().get(name).slice());
        }
        return visible;
    }

    private static NodeMeshConfig compileNode(
        final DesiredState state,
        final CompilerSettings settings,
        final Node node,
        final SortedSet<Snssai> visible,
        final Map<Snssai, List<Service>> servicesBySlice,
        final Map<String, List<Node>> nodesByService)
    {
        final List<Service> services = new ArrayList<>();
        for (final Snssai slice : visible)
        {
            services.addAll(servicesBySlice.getOrDefault(slice, List.of()));
        }
        services.sort(Comparator.comparing(Service::name));

        final List<RouteBinding> routes = routes(services);
        final List<AuthorizationPolicy> authorizationSets = new ArrayList<>();
        for (final Service service : services)
        {
            if (!service.authorization().equals(AuthorizationPolicy.ANY_AUTHENTICATED)
                && !authorizationSets.contains(service.authorization()))
            {
                authorizationSets.add(service.authorization());
            }
        }

        final List<SlicePolicy> policies = new ArrayList<>();
        for (final Snssai snssai : visible)
        {
            policies.add(sliceDefaultPolicy(state.slices().get(snssai)));
        }
        final Map<String, BwAllocationRates.Rates> allocated = BwAllocationRates.byMeshService(state, node);
        for (final RouteBinding route : routes)
        {
            final Service service = state.services().get(route.service());
            final Slice slice = state.slices().get(route.slice());
            policies.add(BwAllocationRates.limit(policy(slice, route.routeId(), service.timeouts(),
                service.retries(), authorizationSets.indexOf(service.authorization()) + 1), slice,
                allocated.get(route.service())));
        }
        // An instance with a MEC 015 allocation: one record of its own for its FORWARD traffic-rule routes.
        final Map<String, Integer> appRouteIds = new HashMap<>();
        for (final Map.Entry<String, BwAllocationRates.Rates> app : BwAllocationRates.byApp(state, node).entrySet())
        {
            final Slice slice = state.slices().get(state.apps().get(app.getKey()).slice());
            final int routeId = routes.size() + 1 + appRouteIds.size();
            appRouteIds.put(app.getKey(), routeId);
            policies.add(BwAllocationRates.limit(policy(slice, routeId, Timeouts.derivedFrom(
                slice.packetDelayBudgetMs()), RetryPolicy.derivedFrom(slice.packetDelayBudgetMs()), 0), slice,
                app.getValue()));
        }
        // A MEC 015 session-specific allocation: a record of its own, charged by the classification rules of its
        // 5-tuple (ahead of the slices' rules, so the session is classified by them first).
        final List<io.mecmesh.dataplane.classify.ClassificationRule> rules = new ArrayList<>();
        int sessionRouteId = routes.size() + 1 + appRouteIds.size();
        for (final BwAllocationRates.Session session : BwAllocationRates.sessions(state, node))
        {
            final Slice slice = state.slices().get(state.apps().get(session.allocation().appInstanceId()).slice());
            final List<io.mecmesh.dataplane.classify.ClassificationRule> sessionRules =
                BwAllocationRates.sessionRules(session, slice.snssai().sliceId(), sessionRouteId);
            if (sessionRules.isEmpty())
            {
                continue;
            }
            rules.addAll(sessionRules);
            policies.add(BwAllocationRates.limit(policy(slice, sessionRouteId, Timeouts.derivedFrom(
                slice.packetDelayBudgetMs()), RetryPolicy.derivedFrom(slice.packetDelayBudgetMs()), 0), slice,
                session.rates()));
            sessionRouteId++;
        }

        final CanonicalEncoder encoder = new CanonicalEncoder();
        encoder.putString(node.id()).putString(settings.transport().name()).putInt(settings.eventLoopThreads());
        encoder.putInt(settings.listeners().size());
        for (final ListenerConfig listener : settings.listeners())
        {
            encoder.putString(listener.name()).putString(listener.address()).putInt(listener.port())
                .putInt(listener.maxRequestLineBytes()).putInt(listener.maxHeaderBytes());
        }
        encoder.putInt(routes.size());
        for (final RouteBinding route : routes)
        {
            encoder.putInt(route.routeId()).putString(route.host()).putString(route.pathPrefix())
                .putString(route.service()).putInt(route.slice().sliceId());
            final List<String> callers = node.services().contains(route.service())
                ? callers(state.services().get(route.service()), state.slices().get(route.slice()))
                .allowedCallerPrefixes() : List.of();
            encoder.putInt(callers.size());
            callers.forEach(encoder::putString);
        }
        final List<ClusterConfig> clusters = new ArrayList<>();
        encoder.putInt(services.size());
        for (final Service service : services)
        {
            final List<Node> hops = meshHops(settings, node, nodesByService.getOrDefault(service.name(), List.of()),
                service);
            clusters.add(hops.isEmpty() ? directCluster(encoder, service)
                : hopCluster(encoder, service, hops, settings.trustDomain().orElseThrow()));
        }
        encoder.putInt(policies.size());
        for (final SlicePolicy policy : policies)
        {
            encoder.putInt(policy.sliceId()).putInt(policy.routeId()).putInt(policy.priorityLevel())
                .putInt(policy.dscp()).putLong(policy.uplinkRateBytesPerSecond())
                .putLong(policy.downlinkRateBytesPerSecond()).putLong(policy.burstBytes())
                .putLong(policy.requestTimeoutNs()).putInt(policy.maxRetries()).putInt(policy.retryBudgetPercent())
                .putInt(policy.authorizationSetId());
        }
        encoder.putInt(authorizationSets.size());
        for (final AuthorizationPolicy set : authorizationSets)
        {
            encoder.putInt(set.allowedCallerPrefixes().size());
            set.allowedCallerPrefixes().forEach(encoder::putString);
        }

        rules.addAll(classification(state, visible));
        encoder.putInt(rules.size());
        for (final io.mecmesh.dataplane.classify.ClassificationRule rule : rules)
        {
            encoder.putInt(rule.sliceId()).putString(rule.listener().orElse("")).putInt(rule.sourceCidrs().size());
            rule.sourceCidrs().forEach(cidr -> encoder.putString(cidr.toString()));
            encoder.putString(rule.callerSpiffeIdPrefix().orElse(""))
                .putString(rule.header().map(HeaderValue::name).orElse(""))
                .putString(rule.header().map(HeaderValue::value).orElse(""));
            if (rule.hasFiveTuple())
            {
                // Hashed only when set, so that nodes whose rules have none keep the content hash they had.
                encoder.putString("5-tuple").putInt(rule.destinationCidrs().size());
                rule.destinationCidrs().forEach(cidr -> encoder.putString(cidr.toString()));
                encoder.putString(rule.destinationPorts().map(PortRange::toString).orElse(""))
                    .putString(rule.sourcePorts().map(PortRange::toString).orElse(""));
            }
            if (rule.policyRouteId() != SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
            {
                encoder.putString("record").putInt(rule.policyRouteId());
            }
        }

        final TrafficRuleRoutes mec = TrafficRuleRoutes.compile(state, node, encoder, appRouteIds);
        clusters.addAll(mec.clusters());
        final List<NodeDnsRule> dnsRules = TrafficRuleRoutes.dnsRules(state, node, encoder);

        final QosConfig qos = qos(state, visible, node);
        if (!qos.equals(QosConfig.NONE))
        {
            // Hashed only when there is any, so that nodes without QoS keep the content hash they had.
            encoder.putLong(qos.linkCapacityBps()).putInt(qos.slices().size());
            for (final SliceQosConfig slice : qos.slices())
            {
                encoder.putInt(slice.sliceId()).putString(slice.mode().name()).putLong(slice.maxShapingWaitMs())
                    .putLong(slice.requestsPerSecond()).putLong(slice.gbrUplinkBps()).putLong(slice.gbrDownlinkBps())
                    .putInt(slice.priorityWeight());
            }
        }

        final long version = state.sequence();
        final List<RouteConfig> routeConfigs = new ArrayList<>(mec.routes());
        routes.stream()
            .map(route -> routeConfig(route, state.services().get(route.service()),
                node.services().contains(route.service()),
                callers(state.services().get(route.service()), state.slices().get(route.slice()))))
            .forEach(routeConfigs::add);
        final MeshConfig meshConfig = new MeshConfig(version, settings.transport(), settings.eventLoopThreads(),
            settings.listeners(), routeConfigs, clusters).withClassification(new ClassificationConfig(rules))
            .withQos(qos);
        return new NodeMeshConfig(node.id(), version, encoder.sha256Hex(), meshConfig, routes, policies,
            authorizationSets, dnsRules);
    }

    /**
     * The nodes a call from {@code node} to {@code service} goes through: the nodes that run it when there is a trust
     * domain, the service does not run on {@code node} itself, and every node that runs it declares a mesh endpoint;
     * else none (the call goes straight to the service's endpoints).
     */
    private static List<Node> meshHops(final CompilerSettings settings, final Node node, final List<Node> hosts,
        final Service service)
    {
        if (settings.trustDomain().isEmpty() || hosts.isEmpty() || node.services().contains(service.name()))
        {
            return List.of();
        }
        for (final Node host : hosts)
        {
            if (host.mesh().isEmpty())
            {
                return List.of();
            }
        }
        return hosts;
    }

    /** The service's own endpoints, sorted, with their localities and weights. */
    private static ClusterConfig directCluster(final CanonicalEncoder encoder, final Service service)
    {
        final List<ServiceEndpoint> endpoints = service.endpoints().stream()
            .sorted(Comparator.comparing(ServiceEndpoint::address).thenComparingInt(ServiceEndpoint::port))
            .toList();
        final UpstreamProtocol protocol = upstreamProtocol(service);
        encoder.putString(service.name()).putInt(service.timeouts().connectTimeoutMs()).putInt(endpoints.size())
            .putString(protocol.name());
        final List<Endpoint> dataPlaneEndpoints = new ArrayList<>();
        for (final ServiceEndpoint endpoint : endpoints)
        {
            encoder.putString(endpoint.address()).putInt(endpoint.port()).putString(endpoint.protocol().name())
                .putString(endpoint.site()).putString(endpoint.zone()).putInt(endpoint.weight());
            dataPlaneEndpoints.add(new Endpoint(endpoint.address(), endpoint.port(),
                new Locality(endpoint.site(), endpoint.zone()), endpoint.weight()));
        }
        final ClusterConfig cluster = new ClusterConfig(service.name(), dataPlaneEndpoints,
            service.timeouts().connectTimeoutMs(), ClusterConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP,
            ClusterConfig.DEFAULT_IDLE_TIMEOUT_MS).withProtocol(protocol);
        return activeRequestLimit(encoder, service, cluster);
    }

    /**
     * The service's {@code maxActiveRequestsPerLoop} on its cluster (issue 13 item 9: requests over it wait by
     * priority), hashed only when set so that the content hash of a configuration without it is unchanged.
     */
    private static ClusterConfig activeRequestLimit(final CanonicalEncoder encoder, final Service service,
        final ClusterConfig cluster)
    {
        if (service.maxActiveRequestsPerLoop() == 0)
        {
            return cluster;
        }
        encoder.putInt(service.maxActiveRequestsPerLoop());
        final CircuitBreakers limits = cluster.circuitBreakers();
        return cluster.withCircuitBreakers(limits.withActiveRequestsPerLoop(service.maxActiveRequestsPerLoop(),
            limits.maxQueuedRequestsPerLoop()));
    }

    /**
     * HTTP/2 (prior knowledge; ALPN h2 over TLS) when every endpoint of the service speaks it, as 5G service-based
     * network functions do; else HTTP/1.1, which every HTTP endpoint takes.
     */
    private static UpstreamProtocol upstreamProtocol(final Service service)
    {
        for (final ServiceEndpoint endpoint : service.endpoints())
        {
            if (endpoint.protocol() != Protocol.HTTP2)
            {
                return UpstreamProtocol.HTTP1;
            }
        }
        return service.endpoints().isEmpty() ? UpstreamProtocol.HTTP1 : UpstreamProtocol.HTTP2;
    }

    /**
     * The inbound mesh listeners of the nodes that run the service (in node id order, each at its node's site and
     * zone), over mutual TLS with this node's identity. One node: its own SPIFFE id is expected; several: any
     * identity of the trust domain (a cluster checks one expectation for all its endpoints).
     */
    private static ClusterConfig hopCluster(final CanonicalEncoder encoder, final Service service,
        final List<Node> hosts, final String trustDomain)
    {
        final SpiffeId expected = hosts.size() == 1
            ? NodeSpiffeIds.of(trustDomain, hosts.get(0).site(), hosts.get(0).id())
            : SpiffeId.ofTrustDomain(trustDomain);
        final UpstreamProtocol protocol = upstreamProtocol(service);
        encoder.putString(service.name()).putInt(service.timeouts().connectTimeoutMs()).putInt(-hosts.size())
            .putString(expected.toString()).putString(protocol.name());
        final List<Endpoint> endpoints = new ArrayList<>();
        for (final Node host : hosts)
        {
            final MeshEndpoint mesh = host.mesh().orElseThrow();
            encoder.putString(host.id()).putString(mesh.address()).putInt(mesh.port()).putString(host.site())
                .putString(host.zone());
            endpoints.add(new Endpoint(mesh.address(), mesh.port(), new Locality(host.site(), host.zone()), 1));
        }
        return new ClusterConfig(service.name(), endpoints, service.timeouts().connectTimeoutMs(),
            ClusterConfig.DEFAULT_MAX_IDLE_CONNECTIONS_PER_LOOP, ClusterConfig.DEFAULT_IDLE_TIMEOUT_MS)
            .withProtocol(protocol)
            .withTls(Optional.of(new ClusterTls(TlsConfig.nodeIdentity(TlsConfig.Mode.MESH), expected,
                service.name())));
    }

    /**
     * A route of the data plane: the service's timeouts and retries (derived from its slice's packet delay budget
     * unless the service sets them) become the route's request and per-try timeouts and its retry policy. On the node
     * that runs the service, its authorization (its own callers, else its slice's) becomes the route's
     * ({@link #authorization}); elsewhere the call goes on to a node that runs it, which checks it.
     */
    private static RouteConfig routeConfig(final RouteBinding route, final Service service, final boolean hosted,
        final AuthorizationPolicy callers)
    {
        final Timeouts timeouts = service.timeouts();
        final RetryPolicy retries = service.retries();
        final io.mecmesh.dataplane.route.RetryPolicy defaults = io.mecmesh.dataplane.route.RetryPolicy.DEFAULT;
        final io.mecmesh.dataplane.route.RetryPolicy retry = retries.maxRetries() == 0
            ? io.mecmesh.dataplane.route.RetryPolicy.NONE
            : new io.mecmesh.dataplane.route.RetryPolicy(retries.maxRetries(), defaults.retryOnStatuses(),
                defaults.backoffBaseMs(), defaults.backoffMaxMs(), retries.budgetPercent() / 100.0,
                retries.minRetriesPerSecond(), defaults.maxBufferedBodyBytes());
        return new RouteConfig(service.name() + "-" + route.routeId(), RouteMatch.prefix(route.host(),
            route.pathPrefix()), new RouteAction.Forward(List.of(new WeightedCluster(service.name(), 1)),
            timeouts.requestTimeoutMs(), timeouts.perTryTimeoutMs(), retry), HeaderRewrite.NONE, HeaderRewrite.NONE,
            hosted ? authorization(callers) : io.mecmesh.dataplane.authz.AuthorizationPolicy.ALLOW_ALL)
            .withPolicyRouteId(route.routeId());
    }

    /** Who may call a service: its own allowed callers, else its slice's (the more specific rule wins). */
    private static AuthorizationPolicy callers(final Service service, final Slice slice)
    {
        return service.authorization().allowedCallerPrefixes().isEmpty() ? slice.authorization()
            : service.authorization();
    }

    /**
     * A service's allowed caller prefixes as the data plane's policy: callers with a certificate must be under one of
     * the prefixes; callers without one (this node's plain-text listeners) are not mesh callers and pass. No prefix:
     * no policy.
     */
    private static io.mecmesh.dataplane.authz.AuthorizationPolicy authorization(final AuthorizationPolicy policy)
    {
        if (policy.allowedCallerPrefixes().isEmpty())
        {
            return io.mecmesh.dataplane.authz.AuthorizationPolicy.ALLOW_ALL;
        }
        final List<PrincipalMatch> callers = policy.allowedCallerPrefixes().stream().map(PrincipalMatch::prefix)
            .toList();
        return new io.mecmesh.dataplane.authz.AuthorizationPolicy(List.of(
            new AuthzRule(List.of(PrincipalMatch.UNAUTHENTICATED), List.of(), List.of()),
            new AuthzRule(callers, List.of(), List.of())), List.of());
    }

    /**
     * The data plane's classification rules: the visible slices' rules, slice by slice in S-NSSAI order, each with
     * the slice id its policy records are keyed by.
     */
    private static List<io.mecmesh.dataplane.classify.ClassificationRule> classification(
        final DesiredState state, final SortedSet<Snssai> visible)
    {
        final List<io.mecmesh.dataplane.classify.ClassificationRule> rules = new ArrayList<>();
        for (final Snssai snssai : visible)
        {
            rules.addAll(classificationRules(state.slices().get(snssai)));
        }
        return rules;
    }

    /**
     * The node's QoS settings: its {@code qos.linkCapacityBps} and, for each visible slice that is not on the
     * defaults, its mode, shaping wait, requests/s, priority weight and GBRs (so that a GBR slice is admitted).
     */
    private static QosConfig qos(final DesiredState state, final SortedSet<Snssai> visible, final Node node)
    {
        final List<SliceQosConfig> slices = new ArrayList<>();
        for (final Snssai snssai : visible)
        {
            final Slice slice = state.slices().get(snssai);
            if (!slice.qos().equals(SliceQos.DEFAULT) || slice.bitRates().hasGbr())
            {
                slices.add(new SliceQosConfig(snssai.sliceId(), slice.qos().mode(), slice.qos().maxShapingWaitMs(),
                    slice.qos().requestsPerSecond(), slice.bitRates().gbrUplinkBps(),
                    slice.bitRates().gbrDownlinkBps(), slice.qos().priorityWeight()));
            }
        }
        return node.linkCapacityBps() == 0 && slices.isEmpty() ? QosConfig.NONE
            : new QosConfig(node.linkCapacityBps(), slices);
    }

    /**
     * One slice's classification rules as the data plane runs them (also for a slice declared in an edge's own
     * configuration file, without a control plane).
     *
     * @param slice the slice.
     * @return its rules, in declaration order, keyed by its slice id.
     */
    public static List<io.mecmesh.dataplane.classify.ClassificationRule> classificationRules(final Slice slice)
    {
        final List<io.mecmesh.dataplane.classify.ClassificationRule> rules = new ArrayList<>();
        for (final ClassificationRule rule : slice.classification())
        {
            rules.add(new io.mecmesh.dataplane.classify.ClassificationRule(slice.snssai().sliceId(), rule.listener(),
                rule.sourceCidrs().stream().map(Cidr::toString).map(SourcePrefix::parse).toList(),
                rule.callerSpiffeIdPrefix(),
                rule.header().map(header -> new HeaderValue(header.name(), header.value())),
                rule.destinationCidrs().stream().map(Cidr::toString)
                    .map(cidr -> SourcePrefix.parse("destinationCidrs", cidr)).toList(),
                rule.destinationPorts(), rule.sourcePorts()));
        }
        return rules;
    }

    /**
     * A slice's default policy record ({@code (slice, 0)}), as compiled for every node the slice is visible on:
     * timeouts and retries derived from its packet delay budget, rates from its MBRs.
     *
     * @param slice the slice.
     * @return its default record.
     */
    public static SlicePolicy sliceDefaultPolicy(final Slice slice)
    {
        return policy(slice, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, Timeouts.derivedFrom(slice.packetDelayBudgetMs()),
            RetryPolicy.derivedFrom(slice.packetDelayBudgetMs()), 0);
    }

    /**
     * Routes sorted so that the data plane's first match is the most specific: by host, then longest path prefix
     * first, then service name.
     */
    private static List<RouteBinding> routes(final List<Service> services)
    {
        final List<RouteBinding> unnumbered = new ArrayList<>();
        for (final Service service : services)
        {
            for (final ServiceRoute route : service.routes())
            {
                unnumbered.add(new RouteBinding(1, route.host(), route.pathPrefix(), service.name(), service.slice()));
            }
        }
        unnumbered.sort(Comparator.comparing(RouteBinding::host)
            .thenComparing(Comparator.comparingInt((RouteBinding route) -> route.pathPrefix().length()).reversed())
            .thenComparing(RouteBinding::pathPrefix)
            .thenComparing(RouteBinding::service));
        final List<RouteBinding> routes = new ArrayList<>(unnumbered.size());
        for (int i = 0; i < unnumbered.size(); i++)
        {
            final RouteBinding route = unnumbered.get(i);
            routes.add(new RouteBinding(i + 1, route.host(), route.pathPrefix(), route.service(), route.slice()));
        }
        return routes;
    }

    /**
     * A policy record. Rates are the slice's MBRs in bytes per second; the burst is the largest of 64 KiB, a tenth
     * of a second at the higher rate, and the 5QI's maximum data burst volume (0 when no rate is limited).
     */
    private static SlicePolicy policy(
        final Slice slice, final int routeId, final Timeouts timeouts, final RetryPolicy retries,
        final int authorizationSetId)
    {
        final BitRates rates = slice.bitRates();
        final long uplink = bytesPerSecond(rates.mbrUplinkBps());
        final long downlink = bytesPerSecond(rates.mbrDownlinkBps());
        final long burst = uplink == 0 && downlink == 0 ? 0
            : Math.max(Math.max(MIN_BURST_BYTES, Math.max(uplink, downlink) / 10), slice.fiveQi().maxDataBurstBytes());
        return new SlicePolicy(slice.snssai().sliceId(), routeId, slice.priorityLevel(), slice.dscp(), uplink,
            downlink, burst, timeouts.requestTimeoutMs() * NANOS_PER_MILLI, retries.maxRetries(),
            retries.budgetPercent(), authorizationSetId);
    }

    private static long bytesPerSecond(final long bitsPerSecond)
    {
        return (bitsPerSecond + 7) / 8;
    }
}
