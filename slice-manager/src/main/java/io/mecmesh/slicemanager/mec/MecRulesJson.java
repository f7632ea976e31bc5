package io.mecmesh.slicemanager.mec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.DestinationInterface;
import io.mecmesh.slicemanager.model.DnsRule;
import io.mecmesh.slicemanager.model.MecRuleState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.MecSubscription;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.Snssai;
import io.mecmesh.slicemanager.model.TrafficFilter;
import io.mecmesh.slicemanager.model.TrafficRule;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * MEC application instances, and their MEC 011 traffic and DNS rules in the standard's JSON (GS MEC 011 v2.1.1
 * data types, bare objects, field names as in the standard): the one mapping that Mp1, the desired-state document
 * ({@code apps[].trafficRules}) and the journal share, so a rule reads and writes the same everywhere.
 *
 * <p>Reading is strict: a missing required field, a wrong type, an enum value the standard does not define or a field
 * the data type does not have is an {@link IllegalArgumentException} whose message starts with the field's path
 * ({@code trafficFilter[0].dSCP: expected 0 to 63, got 99}). {@code serName}, which ETSI's own examples put in a
 * TrafficRule although the data type has no such field, is accepted and ignored.
 */
public final class MecRulesJson
{
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper PARSER = new ObjectMapper();
    private static final Set<String> TRAFFIC_RULE_KEYS = Set.of("trafficRuleId", "filterType", "priority",
        "trafficFilter", "action", "dstInterface", "state", "serName");
    private static final Set<String> FILTER_NUMBER_KEYS = Set.of("qCI", "dSCP", "tC");
    private static final Set<String> INTERFACE_KEYS = Set.of("interfaceType", "tunnelInfo", "srcMacAddress",
        "dstMacAddress", "dstIpAddress");
    private static final Set<String> TUNNEL_KEYS = Set.of("tunnelType", "tunnelDstAddress", "tunnelSrcAddress");
    private static final Set<String> APP_KEYS = Set.of("id", "name", "node", "slice", "spiffeId", "endpoints",
        "trafficRules", "dnsRules", "services", "ready", "subscriptions", "terminationDeadline", "registration");
    private static final Set<String> SUBSCRIPTION_KEYS = Set.of("id", "subscription");
    private static final Set<String> ENDPOINT_KEYS = Set.of("address", "port");
    private static final Set<String> DNS_RULE_KEYS = Set.of("dnsRuleId", "domainName", "ipAddressType", "ipAddress",
        "ttl", "state");

    private MecRulesJson()
    {
    }

    /**
     * @param app an application instance.
     * @return its object in the desired-state document and the journal: {@code id, name, node, slice, spiffeId,
     *         endpoints ({address, port}), trafficRules, dnsRules, ready}, the rules as MEC 011 objects.
     */
    public static ObjectNode render(final AppInstance app)
    {
        requireNonNull(app, "app");
        final ObjectNode json = JSON.objectNode();
        json.put("id", app.id());
        json.put("name", app.name());
        json.put("node", app.node());
        json.put("slice", app.slice().toString());
        json.put("spiffeId", app.spiffeId());
        final ArrayNode endpoints = json.putArray("endpoints");
        app.endpoints().forEach(endpoint -> endpoints.addObject().put("address", endpoint.address())
            .put("port", endpoint.port()));
        final ArrayNode traffic = json.putArray("trafficRules");
        app.trafficRules().forEach(rule -> traffic.add(render(rule)));
        final ArrayNode dns = json.putArray("dnsRules");
        app.dnsRules().forEach(rule -> dns.add(render(rule)));
        if (!app.services().isEmpty())
        {
            final ArrayNode services = json.putArray("services");
            app.services().forEach(service -> services.add(MecServicesJson.render(service)));
        }
        json.put("ready", app.ready());
        if (!app.subscriptions().isEmpty())
        {
            final ArrayNode subscriptions = json.putArray("subscriptions");
            app.subscriptions().forEach(subscription -> subscriptions.addObject().put("id", subscription.id())
                .set("subscription", MecSubscriptionsJson.render(subscription)));
        }
        app.terminationDeadline().ifPresent(deadline -> json.put("terminationDeadline", deadline.toString()));
        app.registration().ifPresent(appInfo -> json.set("registration", registration(appInfo, "registration")));
        return json;
    }

    /**
     * Reads an application instance object ({@link #render(AppInstance)}; {@code endpoints}, {@code trafficRules},
     * {@code dnsRules}, {@code services} and {@code ready} (false) optional). In its traffic filters an integer
     * stands for its text ({@code dstPort: [80]}, as YAML is written), which Mp1 bodies
     * ({@link #trafficRule(JsonNode, String)}) may not do.
     *
     * @param json the object.
     * @param path its path, for errors ({@code apps[0]}).
     * @return the instance.
     * @throws IllegalArgumentException starting with the path of the first field that is not valid.
     */
    public static AppInstance appInstance(final JsonNode json, final String path)
    {
        requireObject(json, path, APP_KEYS);
        final String id = text(json, "id", path);
        final String name = text(json, "name", path);
        final String node = text(json, "node", path);
        final String sliceText = text(json, "slice", path);
        final Snssai slice = model(join(path, "slice"), () -> Snssai.parse(sliceText));
        final String spiffeId = text(json, "spiffeId", path);
        final List<MeshEndpoint> endpoints = new ArrayList<>();
        forEach(json, "endpoints", path, (endpoint, at) ->
        {
            requireObject(endpoint, at, ENDPOINT_KEYS);
            final String address = text(endpoint, "address", at);
            final int port = integer(endpoint, "port", at);
            endpoints.add(model(at, () -> new MeshEndpoint(address, port)));
        });
        final List<TrafficRule> trafficRules = new ArrayList<>();
        forEach(json, "trafficRules", path, (rule, at) -> trafficRules.add(trafficRule(rule, at, true)));
        final List<DnsRule> dnsRules = new ArrayList<>();
        forEach(json, "dnsRules", path, (rule, at) -> dnsRules.add(dnsRule(rule, at)));
        final List<MecService> services = new ArrayList<>();
        forEach(json, "services", path, (service, at) ->
        {
            final JsonNode serviceId = service.get("serInstanceId");
            if (serviceId == null || !serviceId.isTextual())
            {
                throw new IllegalArgumentException(at + ".serInstanceId: required");
            }
            services.add(MecServicesJson.service(service, at, serviceId.asText()));
        });
        final JsonNode ready = json.get("ready");
        if (ready != null && !ready.isBoolean())
        {
            throw new IllegalArgumentException(join(path, "ready") + ": expected true or false");
        }
        final List<MecSubscription> subscriptions = new ArrayList<>();
        forEach(json, "subscriptions", path, (subscription, at) ->
        {
            requireObject(subscription, at, SUBSCRIPTION_KEYS);
            final String subscriptionId = text(subscription, "id", at);
            final JsonNode document = subscription.get("subscription");
            final String typeAt = join(join(at, "subscription"), "subscriptionType");
            final MecSubscription.Type type = Arrays.stream(MecSubscription.Type.values())
                .filter(candidate -> candidate.subscriptionType().equals(document == null ? null
                    : document.path("subscriptionType").asText(null)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException(typeAt + ": expected "
                    + "SerAvailabilityNotificationSubscription or AppTerminationNotificationSubscription"));
            subscriptions.add(MecSubscriptionsJson.subscription(document, join(at, "subscription"), subscriptionId,
                type, id));
        });
        final Optional<Instant> deadline = json.has("terminationDeadline")
            ? Optional.of(instant(text(json, "terminationDeadline", path), join(path, "terminationDeadline")))
            : Optional.empty();
        final JsonNode appInfo = json.get("registration");
        if (appInfo != null && !appInfo.isObject())
        {
            throw new IllegalArgumentException(join(path, "registration") + ": expected an AppInfo object");
        }
        final Optional<String> registration = appInfo == null ? Optional.empty() : Optional.of(appInfo.toString());
        return model(path, () -> new AppInstance(id, name, node, slice, spiffeId, endpoints, trafficRules, dnsRules,
            services, ready != null && ready.asBoolean(), subscriptions, deadline, registration));
    }

    /**
     * @param appInfo an instance's registration as kept ({@link AppInstance#registration()}).
     * @param path    its path, for errors.
     * @return it as a JSON object.
     * @throws IllegalArgumentException if it is not one.
     */
    public static ObjectNode registration(final String appInfo, final String path)
    {
        requireNonNull(appInfo, "appInfo");
        try
        {
            final JsonNode json = PARSER.readTree(appInfo);
            if (json instanceof ObjectNode object)
            {
                return object;
            }
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException(path + ": not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        throw new IllegalArgumentException(path + ": expected an AppInfo object");
    }

    private interface Element
    {
        void accept(JsonNode json, String path);
    }

    private static void forEach(final JsonNode json, final String field, final String path, final Element element)
    {
        final JsonNode array = json.get(field);
        if (array == null)
        {
            return;
        }
        if (!array.isArray())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected an array");
        }
        for (int i = 0; i < array.size(); i++)
        {
            element.accept(array.get(i), join(path, field) + "[" + i + "]");
        }
    }

    /**
     * @param rule a traffic rule.
     * @return its {@code TrafficRule} object.
     */
    public static ObjectNode render(final TrafficRule rule)
    {
        requireNonNull(rule, "rule");
        final ObjectNode json = JSON.objectNode();
        json.put("trafficRuleId", rule.id());
        json.put("filterType", rule.filterType().name());
        json.put("priority", rule.priority());
        final ArrayNode filters = json.putArray("trafficFilter");
        for (final TrafficFilter filter : rule.filters())
        {
            final ObjectNode f = filters.addObject();
            filter.lists().forEach((name, values) ->
            {
                final ArrayNode array = f.putArray(name);
                values.forEach(array::add);
            });
            filter.qci().ifPresent(value -> f.put("qCI", value));
            filter.dscp().ifPresent(value -> f.put("dSCP", value));
            filter.tc().ifPresent(value -> f.put("tC", value));
        }
        json.put("action", rule.action().name());
        rule.dstInterface().ifPresent(dst ->
        {
            final ObjectNode d = json.putObject("dstInterface");
            d.put("interfaceType", dst.interfaceType().name());
            dst.tunnelInfo().ifPresent(tunnel ->
            {
                final ObjectNode t = d.putObject("tunnelInfo");
                t.put("tunnelType", tunnel.tunnelType().name());
                tunnel.tunnelDstAddress().ifPresent(value -> t.put("tunnelDstAddress", value));
                tunnel.tunnelSrcAddress().ifPresent(value -> t.put("tunnelSrcAddress", value));
            });
            dst.srcMacAddress().ifPresent(value -> d.put("srcMacAddress", value));
            dst.dstMacAddress().ifPresent(value -> d.put("dstMacAddress", value));
            dst.dstIpAddress().ifPresent(value -> d.put("dstIpAddress", value));
        });
        json.put("state", rule.state().name());
        return json;
    }

    /**
     * @param rule a DNS rule.
     * @return its {@code DnsRule} object.
     */
    public static ObjectNode render(final DnsRule rule)
    {
        requireNonNull(rule, "rule");
        final ObjectNode json = JSON.objectNode();
        json.put("dnsRuleId", rule.id());
        json.put("domainName", rule.domainName());
        json.put("ipAddressType", rule.ipAddressType().name());
        json.put("ipAddress", rule.ipAddress());
        rule.ttl().ifPresent(ttl -> json.put("ttl", ttl));
        json.put("state", rule.state().name());
        return json;
    }

    /**
     * Reads a {@code TrafficRule} object.
     *
     * @param json the object.
     * @param path its path, for errors (empty for a request body).
     * @return the rule.
     * @throws IllegalArgumentException starting with the path of the first field that is not valid.
     */
    public static TrafficRule trafficRule(final JsonNode json, final String path)
    {
        return trafficRule(json, path, false);
    }

    /**
     * @param numbersAsText whether a number stands for its text in a list of strings: in a YAML document
     *                      {@code dstPort: [80]} is how people write a port (and how YAML writers print "80").
     */
    private static TrafficRule trafficRule(final JsonNode json, final String path, final boolean numbersAsText)
    {
        requireObject(json, path, TRAFFIC_RULE_KEYS);
        final String id = text(json, "trafficRuleId", path);
        final TrafficRule.FilterType filterType = enumValue(json, "filterType", path, TrafficRule.FilterType.class);
        final int priority = integer(json, "priority", path);
        final JsonNode filterArray = json.get("trafficFilter");
        if (filterArray == null || !filterArray.isArray())
        {
            throw new IllegalArgumentException(join(path, "trafficFilter") + ": expected an array of TrafficFilter");
        }
        final List<TrafficFilter> filters = new ArrayList<>();
        for (int i = 0; i < filterArray.size(); i++)
        {
            filters.add(filter(filterArray.get(i), join(path, "trafficFilter") + "[" + i + "]", numbersAsText));
        }
        final TrafficRule.Action action = enumValue(json, "action", path, TrafficRule.Action.class);
        final Optional<DestinationInterface> dstInterface = Optional.ofNullable(json.get("dstInterface"))
            .map(dst -> destination(dst, join(path, "dstInterface")));
        final MecRuleState state = enumValue(json, "state", path, MecRuleState.class);
        return model(path, () -> new TrafficRule(id, filterType, priority, filters, action, dstInterface, state));
    }

    /**
     * Reads a {@code DnsRule} object.
     *
     * @param json the object.
     * @param path its path, for errors (empty for a request body).
     * @return the rule.
     * @throws IllegalArgumentException starting with the path of the first field that is not valid.
     */
    public static DnsRule dnsRule(final JsonNode json, final String path)
    {
        requireObject(json, path, DNS_RULE_KEYS);
        final String id = text(json, "dnsRuleId", path);
        final String domainName = text(json, "domainName", path);
        final DnsRule.IpAddressType type = enumValue(json, "ipAddressType", path, DnsRule.IpAddressType.class);
        final String ipAddress = text(json, "ipAddress", path);
        final Optional<Integer> ttl = json.has("ttl") ? Optional.of(integer(json, "ttl", path)) : Optional.empty();
        final MecRuleState state = enumValue(json, "state", path, MecRuleState.class);
        return model(path, () -> new DnsRule(id, domainName, type, ipAddress, ttl, state));
    }

    private static TrafficFilter filter(final JsonNode json, final String path, final boolean numbersAsText)
    {
        if (json == null || !json.isObject())
        {
            throw new IllegalArgumentException(path + ": expected a TrafficFilter object");
        }
        final Map<String, List<String>> lists = new TreeMap<>();
        final Iterator<String> names = json.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            if (FILTER_NUMBER_KEYS.contains(name))
            {
                continue;
            }
            if (!TrafficFilter.LIST_FIELDS.contains(name))
            {
                throw new IllegalArgumentException(join(path, name) + ": not a field of TrafficFilter");
            }
            final JsonNode array = json.get(name);
            if (!array.isArray())
            {
                throw new IllegalArgumentException(join(path, name) + ": expected an array of strings");
            }
            final List<String> values = new ArrayList<>();
            for (int i = 0; i < array.size(); i++)
            {
                if (!array.get(i).isTextual() && !(numbersAsText && array.get(i).isIntegralNumber()))
                {
                    throw new IllegalArgumentException(join(path, name) + "[" + i + "]: expected a string");
                }
                values.add(array.get(i).asText());
            }
            lists.put(name, values);
        }
        final Optional<Integer> qci = json.has("qCI") ? Optional.of(integer(json, "qCI", path)) : Optional.empty();
        final Optional<Integer> dscp = json.has("dSCP") ? Optional.of(integer(json, "dSCP", path)) : Optional.empty();
        final Optional<Integer> tc = json.has("tC") ? Optional.of(integer(json, "tC", path)) : Optional.empty();
        return model(path, () -> new TrafficFilter(new TreeMap<>(lists), qci, dscp, tc));
    }

    private static DestinationInterface destination(final JsonNode json, final String path)
    {
        requireObject(json, path, INTERFACE_KEYS);
        final DestinationInterface.InterfaceType type =
            enumValue(json, "interfaceType", path, DestinationInterface.InterfaceType.class);
        final Optional<DestinationInterface.TunnelInfo> tunnel = Optional.ofNullable(json.get("tunnelInfo"))
            .map(t ->
            {
                final String at = join(path, "tunnelInfo");
                requireObject(t, at, TUNNEL_KEYS);
                return new DestinationInterface.TunnelInfo(
                    enumValue(t, "tunnelType", at, DestinationInterface.TunnelType.class),
                    optionalText(t, "tunnelDstAddress", at), optionalText(t, "tunnelSrcAddress", at));
            });
        return new DestinationInterface(type, tunnel, optionalText(json, "srcMacAddress", path),
            optionalText(json, "dstMacAddress", path), optionalText(json, "dstIpAddress", path));
    }

    static void requireObject(final JsonNode json, final String path, final Set<String> allowed)
    {
        if (json == null || !json.isObject())
        {
            throw new IllegalArgumentException((path.isEmpty() ? "body" : path) + ": expected an object");
        }
        final Iterator<String> names = json.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            if (!allowed.contains(name))
            {
                throw new IllegalArgumentException(join(path, name) + ": unknown field (fields: "
                    + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    static String text(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            throw new IllegalArgumentException(join(path, field) + ": required");
        }
        if (!value.isTextual())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected a string");
        }
        return value.asText();
    }

    private static Optional<String> optionalText(final JsonNode json, final String field, final String path)
    {
        return json.has(field) ? Optional.of(text(json, field, path)) : Optional.empty();
    }

    private static int integer(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            throw new IllegalArgumentException(join(path, field) + ": required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected an integer (int32)");
        }
        return value.asInt();
    }

    private static <E extends Enum<E>> E enumValue(final JsonNode json, final String field, final String path,
        final Class<E> type)
    {
        final String text = text(json, field, path);
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().equals(text))
            {
                return constant;
            }
        }
        throw new IllegalArgumentException(join(path, field) + ": expected one of "
            + Arrays.toString(type.getEnumConstants()).replace("[", "").replace("]", "") + ", got \"" + text + "\"");
    }

    /** Runs a model constructor, prefixing its message (which starts with the field) with the object's path. */
    private static <T> T model(final String path, final Supplier<T> build)
    {
        try
        {
            return build.get();
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            throw new IllegalArgumentException(path.isEmpty() ? ex.getMessage() : path + "." + ex.getMessage(), ex);
        }
    }

    private static Instant instant(final String text, final String path)
    {
        try
        {
            return Instant.parse(text);
        }
        catch (final DateTimeParseException ex)
        {
            throw new IllegalArgumentException(path + ": expected an ISO-8601 instant, got \"" + text + "\"", ex);
        }
    }

    static String join(final String path, final String field)
    {
        return path.isEmpty() ? field : path + "." + field;
    }
}
