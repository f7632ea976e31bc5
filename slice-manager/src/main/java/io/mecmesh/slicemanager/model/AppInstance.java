package io.mecmesh.slicemanager.model;

import io.mecmesh.dataplane.identity.SpiffeId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A MEC application instance, pre-provisioned by the operator ({@code apps} in the desired state) with the traffic
 * and DNS rules of its application descriptor, and then driven by the application itself over MEC 011 (Mp1): it
 * authenticates with {@code spiffeId}, may change only its own rules, and confirms it is ready.
 *
 * @param id           {@code appInstanceId}: 1 to 128 letters, digits, {@code .}, {@code _}, {@code ~} or
 *                     {@code -} (a UUID fits), unique among instances.
 * @param name         the application's name (lower-case DNS label).
 * @param node         the node that hosts it.
 * @param slice        the slice its traffic belongs to.
 * @param spiffeId     the X.509-SVID id the application presents on Mp1.
 * @param endpoints    where the application listens on its node (HTTP/1.1): with its registered services' endpoints,
 *                     where its FORWARD traffic rules send what they match ({@link #forwardEndpoints()}); empty for
 *                     none (then no rule of it may forward until it registers a service).
 * @param trafficRules its traffic rules, ids unique.
 * @param dnsRules     its DNS rules, ids unique.
 * @param services     the services it registered over MEC 011 service management, ids unique.
 * @param ready        whether it has confirmed it is ready ({@code confirm_ready}).
 * @param subscriptions its MEC 011 subscriptions (service availability, its termination), ids unique.
 * @param terminationDeadline present while its termination is pending: the operator deleted it, it was notified, and
 *                     it is removed when it confirms ({@code confirm_termination}) or at this instant.
 * @param registration present while the application is registered over MEC 011 {@code /registrations}: its
 *                     {@code AppInfo} as accepted (a JSON object, answered back and journaled as it is).
 */
public record AppInstance(String id, String name, String node, Snssai slice, String spiffeId,
    List<MeshEndpoint> endpoints, List<TrafficRule> trafficRules, List<DnsRule> dnsRules, List<MecService> services,
    boolean ready, List<MecSubscription> subscriptions, Optional<Instant> terminationDeadline,
    Optional<String> registration)
{
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    public AppInstance
    {
        requireId("id", id);
        Checks.requireName("name", name);
        Checks.requireName("node", node);
        requireNonNull(slice, "slice");
        requireWorkloadId(spiffeId);
        requireNonNull(endpoints, "endpoints");
        for (int i = 0; i < endpoints.size(); i++)
        {
            Checks.element("endpoints", i, endpoints.get(i));
        }
        endpoints = List.copyOf(endpoints);
        trafficRules = unique("trafficRules", trafficRules, TrafficRule::id);
        dnsRules = unique("dnsRules", dnsRules, DnsRule::id);
        services = unique("services", services, MecService::id);
        subscriptions = unique("subscriptions", subscriptions, MecSubscription::id);
        requireNonNull(terminationDeadline, "terminationDeadline");
        requireNonNull(registration, "registration");
        if (forwardEndpoints(endpoints, services).isEmpty())
        {
            for (int i = 0; i < trafficRules.size(); i++)
            {
                final TrafficRule rule = trafficRules.get(i);
                if (rule.state() == MecRuleState.ACTIVE && (rule.action() == TrafficRule.Action.FORWARD_DECAPSULATED
                    || rule.action() == TrafficRule.Action.FORWARD_ENCAPSULATED))
                {
                    throw new IllegalArgumentException("trafficRules[" + i + "].action: " + rule.action() + " sends "
                        + "traffic to the application's endpoints, and application instance \"" + id + "\" declares "
                        + "none and has registered no service");
                }
            }
        }
    }

    /**
     * An instance with no subscription and no pending termination (as pre-provisioned).
     *
     * @param id           {@code appInstanceId}.
     * @param name         the application's name.
     * @param node         the node that hosts it.
     * @param slice        the slice its traffic belongs to.
     * @param spiffeId     the X.509-SVID id the application presents on Mp1.
     * @param endpoints    where the application listens on its node.
     * @param trafficRules its traffic rules.
     * @param dnsRules     its DNS rules.
     * @param services     the services it registered.
     * @param ready        whether it has confirmed it is ready.
     */
    public AppInstance(final String id, final String name, final String node, final Snssai slice,
        final String spiffeId, final List<MeshEndpoint> endpoints, final List<TrafficRule> trafficRules,
        final List<DnsRule> dnsRules, final List<MecService> services, final boolean ready)
    {
        this(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, ready, List.of(),
            Optional.empty(), Optional.empty());
    }

    /**
     * An instance that is not registered over {@code /registrations}.
     *
     * @param id                  {@code appInstanceId}.
     * @param name                the application's name.
     * @param node                the node that hosts it.
     * @param slice               the slice its traffic belongs to.
     * @param spiffeId            the X.509-SVID id the application presents on Mp1.
     * @param endpoints           where the application listens on its node.
     * @param trafficRules        its traffic rules.
     * @param dnsRules            its DNS rules.
     * @param services            the services it registered.
     * @param ready               whether it has confirmed it is ready.
     * @param subscriptions       its subscriptions.
     * @param terminationDeadline present while its termination is pending.
     */
    public AppInstance(final String id, final String name, final String node, final Snssai slice,
        final String spiffeId, final List<MeshEndpoint> endpoints, final List<TrafficRule> trafficRules,
        final List<DnsRule> dnsRules, final List<MecService> services, final boolean ready,
        final List<MecSubscription> subscriptions, final Optional<Instant> terminationDeadline)
    {
        this(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, ready, subscriptions,
            terminationDeadline, Optional.empty());
    }

    private static void requireWorkloadId(final String spiffeId)
    {
        requireNonNull(spiffeId, "spiffeId");
        final SpiffeId id;
        try
        {
            id = SpiffeId.parse(spiffeId);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("spiffeId: " + ex.getMessage(), ex);
        }
        if (id.isTrustDomainId())
        {
            throw new IllegalArgumentException("spiffeId: expected a workload's id (with a path), got \"" + spiffeId
                + "\"");
        }
    }

    /**
     * @return where FORWARD traffic rules send what they match: the declared endpoints, then those of the services
     *         the application registered, without repeats.
     */
    public List<MeshEndpoint> forwardEndpoints()
    {
        return forwardEndpoints(endpoints, services);
    }

    private static List<MeshEndpoint> forwardEndpoints(final List<MeshEndpoint> declared,
        final List<MecService> registered)
    {
        final List<MeshEndpoint> all = new ArrayList<>(declared);
        for (final MecService service : registered)
        {
            for (final MeshEndpoint endpoint : service.endpoints())
            {
                if (!all.contains(endpoint))
                {
                    all.add(endpoint);
                }
            }
        }
        return all;
    }

    static String requireId(final String field, final String value)
    {
        requireNonNull(value, field);
        if (!ID.matcher(value).matches())
        {
            throw new IllegalArgumentException(field + ": expected 1 to 128 letters, digits, '.', '_', '~' or '-', got"
                + " \"" + value + "\"");
        }
        return value;
    }

    private static <T> List<T> unique(final String field, final List<T> values, final Function<T, String> id)
    {
        requireNonNull(values, field);
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++)
        {
            final T value = Checks.element(field, i, values.get(i));
            if (!seen.add(id.apply(value)))
            {
                throw new IllegalArgumentException(field + "[" + i + "]: id \"" + id.apply(value) + "\" is listed "
                    + "twice");
            }
        }
        return List.copyOf(values);
    }

    /**
     * @param ruleId a traffic rule's id.
     * @return the rule, or null.
     */
    public TrafficRule trafficRule(final String ruleId)
    {
        return trafficRules.stream().filter(rule -> rule.id().equals(ruleId)).findFirst().orElse(null);
    }

    /**
     * @param ruleId a DNS rule's id.
     * @return the rule, or null.
     */
    public DnsRule dnsRule(final String ruleId)
    {
        return dnsRules.stream().filter(rule -> rule.id().equals(ruleId)).findFirst().orElse(null);
    }

    /**
     * @param rule a rule with the id of one of this instance's traffic rules.
     * @return this instance with that rule replaced.
     * @throws IllegalArgumentException if it has no rule of that id (rules come from the descriptor: Mp1 cannot add).
     */
    public AppInstance withTrafficRule(final TrafficRule rule)
    {
        requireNonNull(rule, "rule");
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, replace(trafficRules, rule, TrafficRule::id),
            dnsRules, services, ready, subscriptions, terminationDeadline, registration);
    }

    /**
     * @param rule a rule with the id of one of this instance's DNS rules.
     * @return this instance with that rule replaced.
     * @throws IllegalArgumentException if it has no rule of that id.
     */
    public AppInstance withDnsRule(final DnsRule rule)
    {
        requireNonNull(rule, "rule");
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules,
            replace(dnsRules, rule, DnsRule::id), services, ready, subscriptions,
            terminationDeadline, registration);
    }

    /**
     * @return this instance, confirmed ready.
     */
    public AppInstance withReady()
    {
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, true,
            subscriptions, terminationDeadline, registration);
    }

    /**
     * @param service a registered service: added, or replacing the one of the same id.
     * @return this instance with it.
     */
    public AppInstance withService(final MecService service)
    {
        requireNonNull(service, "service");
        final List<MecService> changed = replacing(services, service, MecService::id);
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, changed, ready,
            subscriptions, terminationDeadline, registration);
    }

    /**
     * @param serviceId a registered service's id.
     * @return this instance without it.
     */
    public AppInstance withoutService(final String serviceId)
    {
        final List<MecService> changed = without(services, serviceId, MecService::id);
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, changed, ready,
            subscriptions, terminationDeadline, registration);
    }

    /**
     * @param serviceId a registered service's id.
     * @return the service, or null.
     */
    public MecService service(final String serviceId)
    {
        return services.stream().filter(service -> service.id().equals(serviceId)).findFirst().orElse(null);
    }

    /**
     * @param subscription a subscription: added, or replacing the one of the same id.
     * @return this instance with it.
     */
    public AppInstance withSubscription(final MecSubscription subscription)
    {
        requireNonNull(subscription, "subscription");
        final List<MecSubscription> changed = replacing(subscriptions, subscription, MecSubscription::id);
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, ready,
            changed, terminationDeadline, registration);
    }

    /**
     * @param subscriptionId a subscription's id.
     * @return this instance without it.
     */
    public AppInstance withoutSubscription(final String subscriptionId)
    {
        final List<MecSubscription> changed = without(subscriptions, subscriptionId, MecSubscription::id);
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, ready,
            changed, terminationDeadline, registration);
    }

    /**
     * @param subscriptionId a subscription's id.
     * @return the subscription, or null.
     */
    public MecSubscription subscription(final String subscriptionId)
    {
        return subscriptions.stream().filter(subscription -> subscription.id().equals(subscriptionId)).findFirst()
            .orElse(null);
    }

    /**
     * @param deadline when the instance is removed if it does not confirm its termination first.
     * @return this instance with its termination pending.
     */
    public AppInstance terminatingBy(final Instant deadline)
    {
        requireNonNull(deadline, "deadline");
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, ready,
            subscriptions, Optional.of(deadline), registration);
    }

    /**
     * @param appInfo the application's {@code AppInfo} as accepted (a JSON object), or empty to deregister.
     * @return this instance with that registration.
     */
    public AppInstance withRegistration(final Optional<String> appInfo)
    {
        requireNonNull(appInfo, "appInfo");
        return new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules, services, ready,
            subscriptions, terminationDeadline, appInfo);
    }

    private static <T> List<T> replace(final List<T> values, final T value, final Function<T, String> id)
    {
        final List<T> replaced = new ArrayList<>(values);
        for (int i = 0; i < replaced.size(); i++)
        {
            if (id.apply(replaced.get(i)).equals(id.apply(value)))
            {
                replaced.set(i, value);
                return replaced;
            }
        }
        throw new IllegalArgumentException("no rule \"" + id.apply(value) + "\"");
    }

    /** A copy of {@code items} with {@code item} in place of the one of the same id, or added at the end. */
    private static <T> List<T> replacing(final List<T> items, final T item, final Function<T, String> idOf)
    {
        final List<T> changed = without(items, idOf.apply(item), idOf);
        changed.add(item);
        return changed;
    }

    /** A copy of {@code items} without the one whose id is {@code itemId}. */
    private static <T> List<T> without(final List<T> items, final String itemId, final Function<T, String> idOf)
    {
        final List<T> changed = new ArrayList<>(items);
        changed.removeIf(other -> idOf.apply(other).equals(itemId));
        return changed;
    }
}
