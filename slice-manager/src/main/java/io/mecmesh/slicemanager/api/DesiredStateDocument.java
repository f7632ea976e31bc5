package io.mecmesh.slicemanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.AuthorizationPolicy;
import io.mecmesh.slicemanager.model.BitRates;
import io.mecmesh.slicemanager.model.Cidr;
import io.mecmesh.slicemanager.model.ClassificationRule;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.DscpTable;
import io.mecmesh.slicemanager.model.FiveQi;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.HeaderMatch;
import io.mecmesh.slicemanager.model.SliceQos;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Protocol;
import io.mecmesh.slicemanager.model.ResourceType;
import io.mecmesh.slicemanager.model.RetryPolicy;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.ServiceEndpoint;
import io.mecmesh.slicemanager.model.ServiceRoute;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;
import io.mecmesh.slicemanager.model.Timeouts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The desired state in the operator's form: the document {@code mecmesh apply -f} sends (as YAML converted to JSON)
 * and {@code mecmesh get -o yaml} prints. Top-level keys {@code slices}, {@code services} and {@code nodes}, all
 * optional lists. The fields are the model's, with derived values optional:
 *
 * <ul>
 *   <li>slice: {@code snssai} ({@code 1-0000a1}), {@code name}, {@code fiveQi} (a number resolved against the 5QI
 *       table, or an object defining an operator row: {@code value, resourceType, priorityLevel,
 *       packetDelayBudgetMs, packetErrorRate[, maxDataBurstBytes][, description]}), optional {@code priorityLevel}
 *       (default: the 5QI's), {@code dscp} (default: the DSCP table's), {@code bitRates} ({@code mbrUplinkBps,
 *       mbrDownlinkBps, gbrUplinkBps, gbrDownlinkBps}, each default 0), {@code classification} (rules of
 *       {@code listener, sourceCidrs, callerSpiffeIdPrefix, header: {name, value}, destinationCidrs,
 *       destinationPorts, sourcePorts}, ports a number or a {@code "first-last"} range) and {@code authorization:
 *       {allowedCallerPrefixes}} (the callers of its services that set none of their own);</li>
 *   <li>service: {@code name}, {@code slice} (S-NSSAI, of a slice in the document or the state), {@code endpoints}
 *       ({@code address, port, site, zone}, optional {@code protocol} HTTP1 and {@code weight} 1), {@code routes}
 *       ({@code host}, optional {@code pathPrefix} "/"), optional {@code authorization: {allowedCallerPrefixes}},
 *       {@code timeouts} and {@code retries} (each field defaults to the value derived from the slice's packet delay
 *       budget);</li>
 *   <li>node: {@code id}, {@code site}, {@code zone}, optional {@code services} (names) and {@code mesh}
 *       ({@code address, port}: where the other nodes reach its inbound mesh listener);</li>
 *   <li>app (a MEC application instance, top-level key {@code apps}): {@code id} (its {@code appInstanceId}),
 *       {@code name}, {@code node}, {@code slice}, {@code spiffeId} (the id it authenticates with on Mp1), optional
 *       {@code trafficRules} and {@code dnsRules} (MEC 011 {@code TrafficRule} and {@code DnsRule} objects, the
 *       standard's field names) and {@code ready} (false; set by {@code confirm_ready}).</li>
 * </ul>
 *
 * Every error is a {@link DocumentException} whose message starts with the path of the field; unknown keys are
 * errors. {@link #render(DesiredState)} writes the explicit form (derived values included), which parses back to the
 * same objects. Immutable and thread-safe.
 */
public final class DesiredStateDocument
{
    /** The kinds of object, as the API and the CLI name them. */
    public static final String SLICE = "slice";
    public static final String SERVICE = "service";
    public static final String NODE = "node";
    public static final String APP = "app";

    /**
     * The largest desired-state document accepted, in bytes: by {@code mecmesh apply -f}, {@code mecmesh check -f}
     * and {@code service create -f} for the file, and by the control-plane API for a request body (413 over it).
     * 4 MiB holds thousands of services; a site that needs more applies in parts.
     */
    public static final int MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> TOP = Set.of("slices", "services", "nodes", "apps");
    private static final Set<String> SLICE_KEYS =
        Set.of("snssai", "name", "fiveQi", "priorityLevel", "dscp", "bitRates", "classification", "authorization",
            "qos");
    private static final Set<String> SLICE_QOS_KEYS =
        Set.of("mode", "maxShapingWaitMs", "requestsPerSecond", "priorityWeight");
    private static final Set<String> NODE_QOS_KEYS = Set.of("linkCapacityBps");
    private static final Set<String> FIVE_QI_KEYS = Set.of("value", "resourceType", "priorityLevel",
        "packetDelayBudgetMs", "packetErrorRate", "maxDataBurstBytes", "description");
    private static final Set<String> BIT_RATE_KEYS =
        Set.of("mbrUplinkBps", "mbrDownlinkBps", "gbrUplinkBps", "gbrDownlinkBps");
    private static final Set<String> RULE_KEYS = Set.of("listener", "sourceCidrs", "callerSpiffeIdPrefix", "header",
        "destinationCidrs", "destinationPorts", "sourcePorts");
    private static final Set<String> HEADER_KEYS = Set.of("name", "value");
    private static final Set<String> SERVICE_KEYS =
        Set.of("name", "slice", "endpoints", "routes", "authorization", "timeouts", "retries",
            "maxActiveRequestsPerLoop");
    private static final Set<String> ENDPOINT_KEYS = Set.of("address", "port", "protocol", "site", "zone", "weight");
    private static final Set<String> ROUTE_KEYS = Set.of("host", "pathPrefix");
    private static final Set<String> AUTHORIZATION_KEYS = Set.of("allowedCallerPrefixes");
    private static final Set<String> TIMEOUT_KEYS = Set.of("connectTimeoutMs", "requestTimeoutMs", "perTryTimeoutMs");
    private static final Set<String> RETRY_KEYS = Set.of("maxRetries", "budgetPercent", "minRetriesPerSecond");
    private static final Set<String> NODE_KEYS = Set.of("id", "site", "zone", "services", "mesh", "qos");
    private static final Set<String> MESH_ENDPOINT_KEYS = Set.of("address", "port");

    private static final DesiredStateDocument STANDARD =
        new DesiredStateDocument(FiveQiTable.standard(), DscpTable.defaultTable());

    private final FiveQiTable fiveQiTable;
    private final DscpTable dscpTable;
    private final boolean lenient;

    /**
     * A document reader and writer with the operator's tables.
     *
     * @param fiveQiTable resolves {@code fiveQi} numbers.
     * @param dscpTable   derives a slice's DSCP when the document does not set it.
     */
    public DesiredStateDocument(final FiveQiTable fiveQiTable, final DscpTable dscpTable)
    {
        this(fiveQiTable, dscpTable, false);
    }

    private DesiredStateDocument(final FiveQiTable fiveQiTable, final DscpTable dscpTable, final boolean lenient)
    {
        this.fiveQiTable = requireNonNull(fiveQiTable, "fiveQiTable");
        this.dscpTable = requireNonNull(dscpTable, "dscpTable");
        this.lenient = lenient;
    }

    /**
     * The reader with the standard 5QI table and the default DSCP table.
     *
     * @return the shared instance.
     */
    public static DesiredStateDocument standard()
    {
        return STANDARD;
    }

    /**
     * The objects a document declares, in document order.
     *
     * @param slices   the slices.
     * @param services the services.
     * @param nodes    the nodes.
     */
    public record Declared(List<Slice> slices, List<Service> services, List<Node> nodes, List<AppInstance> apps)
    {
        public Declared
        {
            slices = List.copyOf(requireNonNull(slices, "slices"));
            services = List.copyOf(requireNonNull(services, "services"));
            nodes = List.copyOf(requireNonNull(nodes, "nodes"));
            apps = List.copyOf(requireNonNull(apps, "apps"));
        }

        /**
         * A document without MEC application instances.
         *
         * @param slices   the slices.
         * @param services the services.
         * @param nodes    the nodes.
         */
        public Declared(final List<Slice> slices, final List<Service> services, final List<Node> nodes)
        {
            this(slices, services, nodes, List.of());
        }

        /**
         * One put per object: slices, then services, then nodes, then application instances.
         *
         * @return the commands.
         */
        public List<Command> commands()
        {
            final List<Command> commands = new ArrayList<>();
            slices.forEach(slice -> commands.add(new Command.PutSlice(slice)));
            services.forEach(service -> commands.add(new Command.PutService(service)));
            nodes.forEach(node -> commands.add(new Command.PutNode(node)));
            apps.forEach(app -> commands.add(new Command.PutApp(app)));
            return commands;
        }
    }

    /**
     * Parses a document into the put commands it stands for.
     *
     * @param document the document.
     * @param current  the state it applies to: a service may belong to a slice the document does not declare.
     * @return one put per object: slices, then services, then nodes.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public List<Command> parse(final JsonNode document, final DesiredState current)
    {
        return read(document, current).commands();
    }

    /**
     * Parses a document into its objects.
     *
     * @param document the document.
     * @param current  the state it applies to (for the slices of services).
     * @return the objects.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Declared read(final JsonNode document, final DesiredState current)
    {
        requireNonNull(current, "current");
        return read(document, snssai -> Optional.ofNullable(current.slices().get(snssai)));
    }

    /**
     * Checks a document on its own, without the state it will apply to and without the control plane's 5QI table (as
     * the CLI does before sending it). What only the control plane knows is assumed valid and left to it: a service's
     * slice that the document does not declare, and a {@code fiveQi} number (1 to 254) this table does not have.
     *
     * @param document the document.
     * @return the objects, with placeholders for what was not checked: never apply them.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Declared validate(final JsonNode document)
    {
        return new DesiredStateDocument(fiveQiTable, dscpTable, true).read(document,
            snssai -> Optional.of(Slice.builder(snssai, "placeholder", placeholderFiveQi(9)).build()));
    }

    /**
     * Checks one service object as {@link #validate(JsonNode)} does: its slice is assumed to exist.
     *
     * @param json the object.
     * @return the service, with placeholder timeouts and retries: never apply it.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Service validateService(final JsonNode json)
    {
        return service(json, "", snssai -> Optional.of(Slice.builder(snssai, "placeholder", placeholderFiveQi(9))
            .build()));
    }

    /**
     * Checks one slice object as {@link #validate(JsonNode)} does: a 5QI number this table lacks is assumed known.
     *
     * @param json the object.
     * @return the slice (a placeholder 5QI row if its 5QI was not checked): never apply it.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Slice validateSlice(final JsonNode json)
    {
        return new DesiredStateDocument(fiveQiTable, dscpTable, true).slice(json, "");
    }

    /**
     * Reads one MEC application instance object (an item of {@code apps}): its node and slice are checked when it is
     * applied, not here.
     *
     * @param json the object.
     * @param path its path, for errors (empty for a single object).
     * @return the application instance.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public AppInstance app(final JsonNode json, final String path)
    {
        try
        {
            return MecRulesJson.appInstance(json, path);
        }
        catch (final IllegalArgumentException ex)
        {
            final String message = ex.getMessage();
            final int colon = message.indexOf(": ");
            throw colon > 0 ? new DocumentException(message.substring(0, colon), message.substring(colon + 2))
                : new DocumentException(path.isEmpty() ? "document" : path, message);
        }
    }

    /**
     * @param app an application instance.
     * @return its object, as {@code apps} items are written.
     */
    public ObjectNode render(final AppInstance app)
    {
        return MecRulesJson.render(app);
    }

    private FiveQi placeholderFiveQi(final int value)
    {
        return fiveQiTable.find(value).orElseGet(() -> FiveQi.operatorDefined(value, ResourceType.GBR, 1, 100, 1e-6, 0,
            "placeholder: not checked locally"));
    }

    private Declared read(final JsonNode document, final Function<Snssai, Optional<Slice>> knownSlices)
    {
        requireNonNull(document, "document");
        if (!document.isObject())
        {
            throw new DocumentException("document", "expected an object with slices, services and nodes, got "
                + describe(document));
        }
        checkKeys(document, "", TOP, Set.of());
        final List<Slice> slices = new ArrayList<>();
        final Map<Snssai, Integer> sliceIndex = new HashMap<>();
        final Map<String, Integer> sliceNames = new HashMap<>();
        forEach(document, "slices", "slices", (json, path) ->
        {
            final Slice slice = slice(json, path);
            final Integer other = sliceIndex.putIfAbsent(slice.snssai(), slices.size());
            if (other != null)
            {
                throw new DocumentException(path + ".snssai", slice.snssai() + " is already declared at slices["
                    + other + "]");
            }
            final Integer named = sliceNames.putIfAbsent(slice.name(), slices.size());
            if (named != null)
            {
                throw new DocumentException(path + ".name", "\"" + slice.name() + "\" is already declared at slices["
                    + named + "]");
            }
            slices.add(slice);
        });
        final Function<Snssai, Optional<Slice>> resolve = snssai ->
        {
            final Integer index = sliceIndex.get(snssai);
            return index != null ? Optional.of(slices.get(index)) : knownSlices.apply(snssai);
        };
        final List<Service> services = new ArrayList<>();
        final Map<String, Integer> serviceIndex = new HashMap<>();
        forEach(document, "services", "services", (json, path) ->
        {
            final Service service = service(json, path, resolve);
            final Integer other = serviceIndex.putIfAbsent(service.name(), services.size());
            if (other != null)
            {
                throw new DocumentException(path + ".name", "\"" + service.name() + "\" is already declared at"
                    + " services[" + other + "]");
            }
            services.add(service);
        });
        final List<Node> nodes = new ArrayList<>();
        final Map<String, Integer> nodeIndex = new HashMap<>();
        forEach(document, "nodes", "nodes", (json, path) ->
        {
            final Node node = node(json, path);
            final Integer other = nodeIndex.putIfAbsent(node.id(), nodes.size());
            if (other != null)
            {
                throw new DocumentException(path + ".id", "\"" + node.id() + "\" is already declared at nodes["
                    + other + "]");
            }
            nodes.add(node);
        });
        final List<AppInstance> apps = new ArrayList<>();
        final Map<String, Integer> appIndex = new HashMap<>();
        forEach(document, "apps", "apps", (json, path) ->
        {
            final AppInstance app = app(json, path);
            final Integer other = appIndex.putIfAbsent(app.id(), apps.size());
            if (other != null)
            {
                throw new DocumentException(path + ".id", "\"" + app.id() + "\" is already declared at apps["
                    + other + "]");
            }
            apps.add(app);
        });
        return new Declared(slices, services, nodes, apps);
    }

    /**
     * Parses one slice object.
     *
     * @param json the object.
     * @param path its path, for errors ({@code slices[0]}, or empty for a lone object).
     * @return the slice, derived values filled in.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Slice slice(final JsonNode json, final String path)
    {
        checkKeys(json, path, SLICE_KEYS, Set.of("snssai", "name", "fiveQi"));
        final Snssai snssai = snssai(json, "snssai", path);
        final String name = text(json, "name", path);
        final FiveQi fiveQi = fiveQi(json.get("fiveQi"), join(path, "fiveQi"));
        final Slice.Builder builder = model(path, () -> Slice.builder(snssai, name, fiveQi).dscpTable(dscpTable));
        optionalInt(json, "priorityLevel", path).ifPresent(level -> model(path, () -> builder.priorityLevel(level)));
        optionalInt(json, "dscp", path).ifPresent(dscp -> model(path, () -> builder.dscp(dscp)));
        if (json.has("bitRates"))
        {
            final String at = join(path, "bitRates");
            final JsonNode rates = json.get("bitRates");
            checkKeys(rates, at, BIT_RATE_KEYS, Set.of());
            final BitRates bitRates = model(at, () -> new BitRates(optionalLong(rates, "mbrUplinkBps", at),
                optionalLong(rates, "mbrDownlinkBps", at), optionalLong(rates, "gbrUplinkBps", at),
                optionalLong(rates, "gbrDownlinkBps", at)));
            builder.bitRates(bitRates);
        }
        forEach(json, "classification", join(path, "classification"), (rule, at) ->
            builder.classify(classificationRule(rule, at)));
        if (json.has("authorization"))
        {
            builder.authorization(authorization(json.get("authorization"), join(path, "authorization")));
        }
        if (json.has("qos"))
        {
            builder.qos(sliceQos(json.get("qos"), join(path, "qos")));
        }
        return model(path, builder::build);
    }

    /** A slice's {@code qos: {mode, maxShapingWaitMs, requestsPerSecond, priorityWeight}}, each optional. */
    private static SliceQos sliceQos(final JsonNode qos, final String at)
    {
        checkKeys(qos, at, SLICE_QOS_KEYS, Set.of());
        QosMode mode = QosMode.POLICE;
        if (qos.hasNonNull("mode"))
        {
            final String text = textValue(qos.get("mode"), join(at, "mode"));
            mode = Arrays.stream(QosMode.values()).filter(m -> m.name().equalsIgnoreCase(text)).findFirst()
                .orElseThrow(() -> new DocumentException(join(at, "mode"), "expected one of police, shape, got \""
                    + text + "\""));
        }
        final QosMode chosen = mode;
        final long wait = count(qos, "maxShapingWaitMs", at);
        final long requests = count(qos, "requestsPerSecond", at);
        final int weight = optionalInt(qos, "priorityWeight", at).orElse(0);
        return model(at, () -> new SliceQos(chosen, wait, requests, weight));
    }

    /** An optional non-negative integer field, 0 when absent. */
    private static long count(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong())
        {
            throw new DocumentException(join(path, field), "expected an integer, got " + describe(value));
        }
        return value.asLong();
    }

    /** {@code authorization: {allowedCallerPrefixes: [...]}} of a slice or a service. */
    private AuthorizationPolicy authorization(final JsonNode authorization, final String at)
    {
        checkKeys(authorization, at, AUTHORIZATION_KEYS, Set.of());
        final List<String> prefixes = new ArrayList<>();
        forEach(authorization, "allowedCallerPrefixes", join(at, "allowedCallerPrefixes"), (prefix, where) ->
            prefixes.add(textValue(prefix, where)));
        return model(at, () -> new AuthorizationPolicy(prefixes));
    }

    /**
     * Parses one service object.
     *
     * @param json   the object.
     * @param path   its path, for errors.
     * @param slices the slices it may belong to.
     * @return the service, derived values filled in.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Service service(final JsonNode json, final String path, final Function<Snssai, Optional<Slice>> slices)
    {
        checkKeys(json, path, SERVICE_KEYS, Set.of("name", "slice", "endpoints", "routes"));
        final String name = text(json, "name", path);
        final Snssai snssai = snssai(json, "slice", path);
        final Slice slice = slices.apply(snssai).orElseThrow(() ->
            new DocumentException(join(path, "slice"), "unknown slice " + snssai
                + " (declare it under slices, or create it first)"));
        final Service.Builder builder = model(path, () -> Service.builder(name, slice));
        forEach(json, "endpoints", join(path, "endpoints"), (endpoint, at) ->
        {
            checkKeys(endpoint, at, ENDPOINT_KEYS, Set.of("address", "port", "site", "zone"));
            final String address = text(endpoint, "address", at);
            final int port = integer(endpoint, "port", at);
            final Protocol protocol = endpoint.has("protocol") ? protocol(endpoint, at) : Protocol.HTTP1;
            final String site = text(endpoint, "site", at);
            final String zone = text(endpoint, "zone", at);
            final int weight = optionalInt(endpoint, "weight", at).orElse(1);
            builder.endpoint(model(at, () -> new ServiceEndpoint(address, port, protocol, site, zone, weight)));
        });
        forEach(json, "routes", join(path, "routes"), (route, at) ->
        {
            checkKeys(route, at, ROUTE_KEYS, Set.of("host"));
            final String host = text(route, "host", at);
            final String prefix = route.has("pathPrefix") ? text(route, "pathPrefix", at) : "/";
            model(at, () -> new ServiceRoute(host, prefix));
            builder.route(host, prefix);
        });
        if (json.has("authorization"))
        {
            builder.authorization(authorization(json.get("authorization"), join(path, "authorization")));
        }
        final Timeouts derivedTimeouts = Timeouts.derivedFrom(slice.packetDelayBudgetMs());
        if (json.has("timeouts"))
        {
            final String at = join(path, "timeouts");
            final JsonNode t = json.get("timeouts");
            checkKeys(t, at, TIMEOUT_KEYS, Set.of());
            builder.timeouts(model(at, () -> new Timeouts(
                optionalInt(t, "connectTimeoutMs", at).orElse(derivedTimeouts.connectTimeoutMs()),
                optionalInt(t, "requestTimeoutMs", at).orElse(derivedTimeouts.requestTimeoutMs()),
                optionalInt(t, "perTryTimeoutMs", at).orElse(derivedTimeouts.perTryTimeoutMs()))));
        }
        final RetryPolicy derivedRetries = RetryPolicy.derivedFrom(slice.packetDelayBudgetMs());
        if (json.has("retries"))
        {
            final String at = join(path, "retries");
            final JsonNode r = json.get("retries");
            checkKeys(r, at, RETRY_KEYS, Set.of());
            builder.retries(model(at, () -> new RetryPolicy(
                optionalInt(r, "maxRetries", at).orElse(derivedRetries.maxRetries()),
                optionalInt(r, "budgetPercent", at).orElse(derivedRetries.budgetPercent()),
                optionalInt(r, "minRetriesPerSecond", at).orElse(derivedRetries.minRetriesPerSecond()))));
        }
        builder.maxActiveRequestsPerLoop(optionalInt(json, "maxActiveRequestsPerLoop",
            join(path, "maxActiveRequestsPerLoop")).orElse(0));
        return model(path, builder::build);
    }

    /**
     * Parses one node object.
     *
     * @param json the object.
     * @param path its path, for errors.
     * @return the node.
     * @throws DocumentException naming the path of the first field that is not valid.
     */
    public Node node(final JsonNode json, final String path)
    {
        checkKeys(json, path, NODE_KEYS, Set.of("id", "site", "zone"));
        final String id = text(json, "id", path);
        final String site = text(json, "site", path);
        final String zone = text(json, "zone", path);
        final List<String> services = new ArrayList<>();
        forEach(json, "services", join(path, "services"), (name, at) -> services.add(textValue(name, at)));
        Optional<MeshEndpoint> mesh = Optional.empty();
        if (json.has("mesh"))
        {
            final String at = join(path, "mesh");
            final JsonNode m = json.get("mesh");
            checkKeys(m, at, MESH_ENDPOINT_KEYS, MESH_ENDPOINT_KEYS);
            final String address = text(m, "address", at);
            final int port = integer(m, "port", at);
            mesh = Optional.of(model(at, () -> new MeshEndpoint(address, port)));
        }
        final Optional<MeshEndpoint> meshEndpoint = mesh;
        long capacity = 0;
        if (json.has("qos"))
        {
            final String at = join(path, "qos");
            checkKeys(json.get("qos"), at, NODE_QOS_KEYS, Set.of());
            capacity = count(json.get("qos"), "linkCapacityBps", at);
        }
        final long linkCapacityBps = capacity;
        return model(path, () -> new Node(id, site, zone, services, meshEndpoint, linkCapacityBps));
    }

    /**
     * Writes a state as a document (without its version), in the explicit form: derived values written out.
     *
     * @param state the state.
     * @return {@code {"slices":[...],"services":[...],"nodes":[...]}}.
     */
    public ObjectNode render(final DesiredState state)
    {
        requireNonNull(state, "state");
        final ObjectNode root = JSON.objectNode();
        final ArrayNode slices = root.putArray("slices");
        state.slices().values().forEach(slice -> slices.add(render(slice)));
        final ArrayNode services = root.putArray("services");
        state.services().values().forEach(service -> services.add(render(service)));
        final ArrayNode nodes = root.putArray("nodes");
        state.nodes().values().forEach(node -> nodes.add(render(node)));
        if (!state.apps().isEmpty())
        {
            final ArrayNode apps = root.putArray("apps");
            state.apps().values().forEach(app -> apps.add(MecRulesJson.render(app)));
        }
        return root;
    }

    /**
     * Writes one slice; its 5QI as a number when the table has that row, else as the row.
     *
     * @param slice the slice.
     * @return the object.
     */
    public ObjectNode render(final Slice slice)
    {
        final ObjectNode json = JSON.objectNode();
        json.put("snssai", slice.snssai().toString());
        json.put("name", slice.name());
        final FiveQi q = slice.fiveQi();
        if (fiveQiTable.find(q.value()).filter(q::equals).isPresent())
        {
            json.put("fiveQi", q.value());
        }
        else
        {
            final ObjectNode row = json.putObject("fiveQi");
            row.put("value", q.value());
            row.put("resourceType", q.resourceType().name());
            row.put("priorityLevel", q.priorityLevel());
            row.put("packetDelayBudgetMs", q.packetDelayBudgetMs());
            row.put("packetErrorRate", q.packetErrorRate());
            row.put("maxDataBurstBytes", q.maxDataBurstBytes());
            row.put("description", q.description());
        }
        json.put("priorityLevel", slice.priorityLevel());
        json.put("dscp", slice.dscp());
        if (!slice.bitRates().equals(BitRates.NONE))
        {
            json.putObject("bitRates")
                .put("mbrUplinkBps", slice.bitRates().mbrUplinkBps())
                .put("mbrDownlinkBps", slice.bitRates().mbrDownlinkBps())
                .put("gbrUplinkBps", slice.bitRates().gbrUplinkBps())
                .put("gbrDownlinkBps", slice.bitRates().gbrDownlinkBps());
        }
        if (!slice.classification().isEmpty())
        {
            final ArrayNode rules = json.putArray("classification");
            for (final ClassificationRule rule : slice.classification())
            {
                final ObjectNode r = rules.addObject();
                rule.listener().ifPresent(listener -> r.put("listener", listener));
                if (!rule.sourceCidrs().isEmpty())
                {
                    final ArrayNode cidrs = r.putArray("sourceCidrs");
                    rule.sourceCidrs().forEach(cidr -> cidrs.add(cidr.toString()));
                }
                rule.callerSpiffeIdPrefix().ifPresent(prefix -> r.put("callerSpiffeIdPrefix", prefix));
                rule.header().ifPresent(header ->
                    r.putObject("header").put("name", header.name()).put("value", header.value()));
                if (!rule.destinationCidrs().isEmpty())
                {
                    final ArrayNode destinations = r.putArray("destinationCidrs");
                    rule.destinationCidrs().forEach(cidr -> destinations.add(cidr.toString()));
                }
                rule.destinationPorts().ifPresent(ports -> putPorts(r, "destinationPorts", ports));
                rule.sourcePorts().ifPresent(ports -> putPorts(r, "sourcePorts", ports));
            }
        }
        renderCallers(json, slice.authorization());
        if (!slice.qos().equals(SliceQos.DEFAULT))
        {
            json.putObject("qos")
                .put("mode", slice.qos().mode().name().toLowerCase(Locale.ROOT))
                .put("maxShapingWaitMs", slice.qos().maxShapingWaitMs())
                .put("requestsPerSecond", slice.qos().requestsPerSecond())
                .put("priorityWeight", slice.qos().priorityWeight());
        }
        return json;
    }

    private static void renderCallers(final ObjectNode json, final AuthorizationPolicy authorization)
    {
        if (!authorization.allowedCallerPrefixes().isEmpty())
        {
            final ArrayNode prefixes = json.putObject("authorization").putArray("allowedCallerPrefixes");
            authorization.allowedCallerPrefixes().forEach(prefixes::add);
        }
    }

    /**
     * Writes one service, timeouts and retries included.
     *
     * @param service the service.
     * @return the object.
     */
    public ObjectNode render(final Service service)
    {
        final ObjectNode json = JSON.objectNode();
        json.put("name", service.name());
        json.put("slice", service.slice().toString());
        final ArrayNode endpoints = json.putArray("endpoints");
        for (final ServiceEndpoint endpoint : service.endpoints())
        {
            endpoints.addObject()
                .put("address", endpoint.address())
                .put("port", endpoint.port())
                .put("protocol", endpoint.protocol().name())
                .put("site", endpoint.site())
                .put("zone", endpoint.zone())
                .put("weight", endpoint.weight());
        }
        final ArrayNode routes = json.putArray("routes");
        service.routes().forEach(route -> routes.addObject().put("host", route.host())
            .put("pathPrefix", route.pathPrefix()));
        renderCallers(json, service.authorization());
        json.putObject("timeouts")
            .put("connectTimeoutMs", service.timeouts().connectTimeoutMs())
            .put("requestTimeoutMs", service.timeouts().requestTimeoutMs())
            .put("perTryTimeoutMs", service.timeouts().perTryTimeoutMs());
        json.putObject("retries")
            .put("maxRetries", service.retries().maxRetries())
            .put("budgetPercent", service.retries().budgetPercent())
            .put("minRetriesPerSecond", service.retries().minRetriesPerSecond());
        if (service.maxActiveRequestsPerLoop() > 0)
        {
            json.put("maxActiveRequestsPerLoop", service.maxActiveRequestsPerLoop());
        }
        return json;
    }

    /**
     * Writes one node.
     *
     * @param node the node.
     * @return the object.
     */
    public ObjectNode render(final Node node)
    {
        final ObjectNode json = JSON.objectNode();
        json.put("id", node.id());
        json.put("site", node.site());
        json.put("zone", node.zone());
        final ArrayNode services = json.putArray("services");
        node.services().forEach(services::add);
        node.mesh().ifPresent(mesh -> json.putObject("mesh").put("address", mesh.address()).put("port", mesh.port()));
        if (node.linkCapacityBps() > 0)
        {
            json.putObject("qos").put("linkCapacityBps", node.linkCapacityBps());
        }
        return json;
    }

    /**
     * Compares the state with what a document declares.
     *
     * @param current  the state.
     * @param declared the document's objects.
     * @param prune    whether objects of the state the document does not declare are deleted.
     * @return the changes and the commands that make them.
     */
    public ApplyPlan diff(final DesiredState current, final Declared declared, final boolean prune)
    {
        requireNonNull(current, "current");
        requireNonNull(declared, "declared");
        final List<ApplyPlan.Change> changes = new ArrayList<>();
        final List<Command> commands = new ArrayList<>();
        final List<String> paths = new ArrayList<>();
        for (int i = 0; i < declared.slices().size(); i++)
        {
            final Slice slice = declared.slices().get(i);
            compare(SLICE, slice.name(), current.slices().get(slice.snssai()), slice, this::render,
                new Command.PutSlice(slice), "slices[" + i + "]", changes, commands, paths);
        }
        for (int i = 0; i < declared.services().size(); i++)
        {
            final Service service = declared.services().get(i);
            compare(SERVICE, service.name(), current.services().get(service.name()), service, this::render,
                new Command.PutService(service), "services[" + i + "]", changes, commands, paths);
        }
        for (int i = 0; i < declared.nodes().size(); i++)
        {
            final Node node = declared.nodes().get(i);
            compare(NODE, node.id(), current.nodes().get(node.id()), node, this::render,
                new Command.PutNode(node), "nodes[" + i + "]", changes, commands, paths);
        }
        for (int i = 0; i < declared.apps().size(); i++)
        {
            final AppInstance app = declared.apps().get(i);
            compare(APP, app.id(), current.apps().get(app.id()), app, MecRulesJson::render,
                new Command.PutApp(app), "apps[" + i + "]", changes, commands, paths);
        }
        if (prune)
        {
            final Set<String> apps = new LinkedHashSet<>();
            declared.apps().forEach(app -> apps.add(app.id()));
            for (final AppInstance app : current.apps().values())
            {
                if (!apps.contains(app.id()))
                {
                    changes.add(new ApplyPlan.Change(ApplyPlan.Op.DELETE, APP, app.id(),
                        Optional.of(MecRulesJson.render(app)), Optional.empty()));
                    commands.add(new Command.DeleteApp(app.id()));
                    paths.add(APP + "/" + app.id());
                }
            }
            final Set<String> nodes = new LinkedHashSet<>();
            declared.nodes().forEach(node -> nodes.add(node.id()));
            for (final Node node : current.nodes().values())
            {
                if (!nodes.contains(node.id()))
                {
                    changes.add(new ApplyPlan.Change(ApplyPlan.Op.DELETE, NODE, node.id(), Optional.of(render(node)),
                        Optional.empty()));
                    commands.add(new Command.DeleteNode(node.id()));
                    paths.add(NODE + "/" + node.id());
                }
            }
            final Set<String> services = new LinkedHashSet<>();
            declared.services().forEach(service -> services.add(service.name()));
            for (final Service service : current.services().values())
            {
                if (!services.contains(service.name()))
                {
                    changes.add(new ApplyPlan.Change(ApplyPlan.Op.DELETE, SERVICE, service.name(),
                        Optional.of(render(service)), Optional.empty()));
                    commands.add(new Command.DeleteService(service.name()));
                    paths.add(SERVICE + "/" + service.name());
                }
            }
            final Set<Snssai> slices = new LinkedHashSet<>();
            declared.slices().forEach(slice -> slices.add(slice.snssai()));
            for (final Slice slice : current.slices().values())
            {
                if (!slices.contains(slice.snssai()))
                {
                    changes.add(new ApplyPlan.Change(ApplyPlan.Op.DELETE, SLICE, slice.name(),
                        Optional.of(render(slice)), Optional.empty()));
                    commands.add(new Command.DeleteSlice(slice.snssai()));
                    paths.add(SLICE + "/" + slice.name());
                }
            }
        }
        return new ApplyPlan(changes, commands, paths);
    }

    private static <T> void compare(
        final String kind,
        final String name,
        final T before,
        final T after,
        final Function<T, ObjectNode> render,
        final Command put,
        final String path,
        final List<ApplyPlan.Change> changes,
        final List<Command> commands,
        final List<String> paths)
    {
        if (before == null)
        {
            changes.add(new ApplyPlan.Change(ApplyPlan.Op.CREATE, kind, name, Optional.empty(),
                Optional.of(render.apply(after))));
        }
        else if (before.equals(after))
        {
            changes.add(new ApplyPlan.Change(ApplyPlan.Op.UNCHANGED, kind, name, Optional.of(render.apply(before)),
                Optional.of(render.apply(after))));
            return;
        }
        else
        {
            changes.add(new ApplyPlan.Change(ApplyPlan.Op.UPDATE, kind, name, Optional.of(render.apply(before)),
                Optional.of(render.apply(after))));
        }
        commands.add(put);
        paths.add(path);
    }

    private FiveQi fiveQi(final JsonNode json, final String path)
    {
        if (json.isIntegralNumber())
        {
            if (!json.canConvertToInt())
            {
                throw new DocumentException(path, "expected a 5QI number, got " + json);
            }
            final int value = json.asInt();
            if (lenient && value >= 1 && value <= FiveQiTable.LAST_OPERATOR_VALUE)
            {
                return placeholderFiveQi(value);
            }
            return model(path, () -> fiveQiTable.get(value), true);
        }
        if (!json.isObject())
        {
            throw new DocumentException(path, "expected a 5QI number or an operator-defined row (an object), got "
                + describe(json));
        }
        checkKeys(json, path, FIVE_QI_KEYS,
            Set.of("value", "resourceType", "priorityLevel", "packetDelayBudgetMs", "packetErrorRate"));
        final int value = integer(json, "value", path);
        final String type = text(json, "resourceType", path);
        final ResourceType resourceType = model(path, () -> ResourceType.parse(type));
        final int priorityLevel = integer(json, "priorityLevel", path);
        final int delayBudget = integer(json, "packetDelayBudgetMs", path);
        final JsonNode errorRate = json.get("packetErrorRate");
        if (!errorRate.isNumber())
        {
            throw new DocumentException(join(path, "packetErrorRate"), "expected a number such as 1e-6, got "
                + describe(errorRate));
        }
        final int burst = optionalInt(json, "maxDataBurstBytes", path).orElse(0);
        final String description = json.has("description") ? text(json, "description", path) : "operator-defined";
        return model(path, () -> FiveQi.operatorDefined(value, resourceType, priorityLevel, delayBudget,
            errorRate.asDouble(), burst, description));
    }

    private ClassificationRule classificationRule(final JsonNode json, final String path)
    {
        checkKeys(json, path, RULE_KEYS, Set.of());
        final Optional<String> listener = json.has("listener") ? Optional.of(text(json, "listener", path))
            : Optional.empty();
        final List<Cidr> cidrs = new ArrayList<>();
        forEach(json, "sourceCidrs", join(path, "sourceCidrs"), (cidr, at) ->
        {
            final String text = textValue(cidr, at);
            cidrs.add(model(at, () -> Cidr.parse(text), true));
        });
        final Optional<String> prefix = json.has("callerSpiffeIdPrefix")
            ? Optional.of(text(json, "callerSpiffeIdPrefix", path)) : Optional.empty();
        Optional<HeaderMatch> header = Optional.empty();
        if (json.has("header"))
        {
            final String at = join(path, "header");
            final JsonNode h = json.get("header");
            checkKeys(h, at, HEADER_KEYS, HEADER_KEYS);
            final String name = text(h, "name", at);
            final String value = text(h, "value", at);
            header = Optional.of(model(at, () -> new HeaderMatch(name, value)));
        }
        final Optional<HeaderMatch> match = header;
        final List<Cidr> destinations = new ArrayList<>();
        forEach(json, "destinationCidrs", join(path, "destinationCidrs"), (cidr, at) ->
        {
            final String text = textValue(cidr, at);
            destinations.add(model(at, () -> Cidr.parse(text), true));
        });
        final Optional<PortRange> destinationPorts = portRange(json, "destinationPorts", path);
        final Optional<PortRange> sourcePorts = portRange(json, "sourcePorts", path);
        return model(path, () -> new ClassificationRule(listener, cidrs, prefix, match, destinations,
            destinationPorts, sourcePorts));
    }

    /** A port ({@code 443}, number or string) or a range of them ({@code "8000-8099"}), or empty when absent. */
    private static Optional<PortRange> portRange(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            return Optional.empty();
        }
        final String at = join(path, field);
        if (!value.isTextual() && !value.isIntegralNumber())
        {
            throw new DocumentException(at, "expected a port (1 to 65535) or a range such as \"8000-8099\", got "
                + describe(value));
        }
        final String text = value.asText();
        return Optional.of(model(at, () -> PortRange.parse(field, text), true));
    }

    private static Protocol protocol(final JsonNode json, final String path)
    {
        final String text = text(json, "protocol", path);
        try
        {
            return Protocol.valueOf(text.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new DocumentException(join(path, "protocol"), "expected HTTP1, HTTP2 or TCP, got \"" + text + "\"");
        }
    }

    private static Snssai snssai(final JsonNode json, final String field, final String path)
    {
        final String text = text(json, field, path);
        return model(join(path, field), () -> Snssai.parse(text), true);
    }

    /** Runs a model constructor, re-rooting its message ({@code port: ...}) under the path. */
    private static <T> T model(final String path, final Supplier<T> build)
    {
        return model(path, build, false);
    }

    /**
     * @param replaceField whether the model's message names the value itself ({@code snssai: ...}) rather than a
     *                     field under the path, so that the path alone is the field.
     */
    private static <T> T model(final String path, final Supplier<T> build, final boolean replaceField)
    {
        try
        {
            return build.get();
        }
        catch (final DocumentException ex)
        {
            throw ex;
        }
        catch (final IllegalArgumentException | NullPointerException ex)
        {
            final String message = String.valueOf(ex.getMessage());
            final int colon = message.indexOf(": ");
            if (replaceField && colon > 0)
            {
                throw new DocumentException(path, message.substring(colon + 2));
            }
            throw DocumentException.under(path, message);
        }
    }

    private interface Element
    {
        void accept(JsonNode json, String path);
    }

    private static void forEach(final JsonNode json, final String field, final String path, final Element element)
    {
        final JsonNode array = json.get(field);
        if (array == null || array.isNull())
        {
            return;
        }
        if (!array.isArray())
        {
            throw new DocumentException(path, "expected a list, got " + describe(array));
        }
        for (int i = 0; i < array.size(); i++)
        {
            element.accept(array.get(i), path + "[" + i + "]");
        }
    }

    private static void checkKeys(final JsonNode json, final String path, final Set<String> allowed,
        final Set<String> required)
    {
        if (!json.isObject())
        {
            throw new DocumentException(path.isEmpty() ? "document" : path, "expected an object, got "
                + describe(json));
        }
        for (final Iterator<String> names = json.fieldNames(); names.hasNext(); )
        {
            final String name = names.next();
            if (!allowed.contains(name))
            {
                throw new DocumentException(join(path, name), "unknown key (expected one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        for (final String name : required.stream().sorted().toList())
        {
            if (!json.hasNonNull(name))
            {
                throw new DocumentException(join(path, name), "required");
            }
        }
    }

    private static String text(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            throw new DocumentException(join(path, field), "required");
        }
        return textValue(value, join(path, field));
    }

    private static String textValue(final JsonNode value, final String path)
    {
        if (!value.isTextual())
        {
            throw new DocumentException(path, "expected a string, got " + describe(value));
        }
        return value.asText();
    }

    private static int integer(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            throw new DocumentException(join(path, field), "required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt())
        {
            throw new DocumentException(join(path, field), "expected an integer, got " + describe(value));
        }
        return value.asInt();
    }

    private static Optional<Integer> optionalInt(final JsonNode json, final String field, final String path)
    {
        return json.hasNonNull(field) ? Optional.of(integer(json, field, path)) : Optional.empty();
    }

    private static long optionalLong(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong())
        {
            throw new DocumentException(join(path, field), "expected an integer (bits per second), got "
                + describe(value));
        }
        return value.asLong();
    }

    /** A single port as a number, a range as its text. */
    private static void putPorts(final ObjectNode json, final String field, final PortRange ports)
    {
        if (ports.first() == ports.last())
        {
            json.put(field, ports.first());
        }
        else
        {
            json.put(field, ports.toString());
        }
    }

    private static String join(final String path, final String field)
    {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static String describe(final JsonNode value)
    {
        if (value.isTextual())
        {
            final String text = value.asText();
            return "\"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        }
        if (value.isObject())
        {
            return "an object";
        }
        if (value.isArray())
        {
            return "a list";
        }
        return value.toString();
    }
}
