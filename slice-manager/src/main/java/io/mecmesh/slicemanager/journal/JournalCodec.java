package io.mecmesh.slicemanager.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.mec.BwAllocationsJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.AuthorizationPolicy;
import io.mecmesh.slicemanager.model.BitRates;
import io.mecmesh.slicemanager.model.Cidr;
import io.mecmesh.slicemanager.model.ClassificationRule;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.FiveQi;
import io.mecmesh.slicemanager.model.HeaderMatch;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Protocol;
import io.mecmesh.slicemanager.model.ResourceType;
import io.mecmesh.slicemanager.model.RetryPolicy;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.ServiceEndpoint;
import io.mecmesh.slicemanager.model.ServiceRoute;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.SliceQos;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.slicemanager.model.Snssai;
import io.mecmesh.slicemanager.model.Timeouts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Encodes commands and whole desired states as JSON documents, written field by field (no reflection, no Java
 * serialization) so that the format is explicit and stable. Every document carries {@code "format": 1}; a decoder
 * refuses a format it does not know. Derived values (a slice's 5QI row, priority level and DSCP; a service's
 * timeouts) are written out, so that replaying the journal gives the state that was acknowledged even after the
 * operator's 5QI or DSCP tables change.
 *
 * <p>Command document: {@code {"format":1,"type":"put-slice","slice":{...}}}, types {@code put-slice},
 * {@code delete-slice}, {@code put-service}, {@code delete-service}, {@code put-node}, {@code delete-node},
 * {@code put-app}, {@code delete-app} (MEC application instances, {@link MecRulesJson}'s form), and
 * {@code batch}: {@code {"format":1,"type":"batch","commands":[{...},...]}}, the members being command documents
 * (each with its own {@code format}), never a batch.
 * Decoding errors are {@link IllegalArgumentException}s whose message starts with the JSON path
 * ({@code service.endpoints[1].port: ...}).
 */
public final class JournalCodec
{
    /** The format version this codec writes and reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.INDENT_OUTPUT, false);

    private JournalCodec()
    {
    }

    /**
     * Encodes a command.
     *
     * @param command the command.
     * @return UTF-8 JSON.
     */
    public static byte[] encode(final Command command)
    {
        requireNonNull(command, "command");
        return bytes(command(command));
    }

    /**
     * Encodes a command as a JSON tree (for the control-plane API's journal view).
     *
     * @param command the command.
     * @return the same document as {@link #encode(Command)}.
     */
    public static ObjectNode command(final Command command)
    {
        requireNonNull(command, "command");
        final ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        if (command instanceof Command.Batch batch)
        {
            root.put("type", "batch");
            final ArrayNode members = root.putArray("commands");
            batch.commands().forEach(member -> members.add(command(member)));
        }
        else if (command instanceof Command.PutSlice put)
        {
            root.put("type", "put-slice");
            root.set("slice", slice(put.slice()));
        }
        else if (command instanceof Command.DeleteSlice delete)
        {
            root.put("type", "delete-slice");
            root.put("snssai", delete.snssai().toString());
        }
        else if (command instanceof Command.PutService put)
        {
            root.put("type", "put-service");
            root.set("service", service(put.service()));
        }
        else if (command instanceof Command.DeleteService delete)
        {
            root.put("type", "delete-service");
            root.put("name", delete.name());
        }
        else if (command instanceof Command.PutNode put)
        {
            root.put("type", "put-node");
            root.set("node", node(put.node()));
        }
        else if (command instanceof Command.PutApp put)
        {
            root.put("type", "put-app");
            root.set("app", MecRulesJson.render(put.app()));
        }
        else if (command instanceof Command.DeleteApp delete)
        {
            root.put("type", "delete-app");
            root.put("id", delete.id());
        }
        else if (command instanceof Command.PutBwAllocation put)
        {
            root.put("type", "put-bw-allocation");
            root.set("allocation", BwAllocationsJson.journal(put.allocation()));
        }
        else if (command instanceof Command.DeleteBwAllocation delete)
        {
            root.put("type", "delete-bw-allocation");
            root.put("id", delete.id());
        }
        else
        {
            root.put("type", "delete-node");
            root.put("id", ((Command.DeleteNode)command).id());
        }
        return root;
    }

    /**
     * Decodes a command.
     *
     * @param json UTF-8 JSON from {@link #encode(Command)}.
     * @return the command.
     * @throws IllegalArgumentException naming the path of what is wrong.
     */
    public static Command decodeCommand(final byte[] json)
    {
        return command(parse(json), true);
    }

    private static Command command(final JsonNode root, final boolean batchAllowed)
    {
        requireFormat(root);
        final String type = text(root, "type", "type");
        return switch (type)
        {
            case "batch" ->
            {
                if (!batchAllowed)
                {
                    throw new IllegalArgumentException("type: a batch cannot contain a batch");
                }
                yield new Command.Batch(list(root, "commands", member -> command(member, false)));
            }
            case "put-slice" -> new Command.PutSlice(at("slice", () -> slice(object(root, "slice", "slice"))));
            case "delete-slice" -> new Command.DeleteSlice(
                at("snssai", () -> Snssai.parse(text(root, "snssai", "snssai"))));
            case "put-service" -> new Command.PutService(
                at("service", () -> service(object(root, "service", "service"))));
            case "delete-service" -> new Command.DeleteService(text(root, "name", "name"));
            case "put-node" -> new Command.PutNode(at("node", () -> node(object(root, "node", "node"))));
            case "delete-node" -> new Command.DeleteNode(text(root, "id", "id"));
            case "put-app" -> new Command.PutApp(MecRulesJson.appInstance(object(root, "app", "app"), "app"));
            case "delete-app" -> new Command.DeleteApp(text(root, "id", "id"));
            case "put-bw-allocation" -> new Command.PutBwAllocation(
                at("allocation", () -> BwAllocationsJson.fromJournal(object(root, "allocation", "allocation"))));
            case "delete-bw-allocation" -> new Command.DeleteBwAllocation(text(root, "id", "id"));
            default -> throw new IllegalArgumentException("type: unknown command type \"" + type + "\"");
        };
    }

    /**
     * Encodes a whole desired state (for snapshots).
     *
     * @param state the state.
     * @return UTF-8 JSON.
     */
    public static byte[] encode(final DesiredState state)
    {
        requireNonNull(state, "state");
        final ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("sequence", state.sequence());
        final ArrayNode slices = root.putArray("slices");
        state.slices().values().forEach(slice -> slices.add(slice(slice)));
        final ArrayNode services = root.putArray("services");
        state.services().values().forEach(service -> services.add(service(service)));
        final ArrayNode nodes = root.putArray("nodes");
        state.nodes().values().forEach(node -> nodes.add(node(node)));
        if (!state.apps().isEmpty())
        {
            final ArrayNode apps = root.putArray("apps");
            state.apps().values().forEach(app -> apps.add(MecRulesJson.render(app)));
        }
        if (!state.bwAllocations().isEmpty())
        {
            final ArrayNode allocations = root.putArray("bwAllocations");
            state.bwAllocations().values().forEach(allocation -> allocations.add(BwAllocationsJson.journal(allocation)));
        }
        return bytes(root);
    }

    /**
     * Decodes a whole desired state, checking its invariants.
     *
     * @param json UTF-8 JSON from {@link #encode(DesiredState)}.
     * @return the state.
     */
    public static DesiredState decodeState(final byte[] json)
    {
        final JsonNode root = parse(json);
        requireFormat(root);
        final JsonNode sequence = root.get("sequence");
        if (sequence == null || !sequence.canConvertToLong())
        {
            throw new IllegalArgumentException("sequence: expected a number");
        }
        // Snapshots written before MEC application instances existed have no "apps".
        final List<AppInstance> apps = root.has("apps")
            ? list(root, "apps", app -> MecRulesJson.appInstance(app, "")) : List.of();
        // Snapshots written before MEC 015 bandwidth allocations existed have no "bwAllocations".
        final List<BwAllocation> allocations = root.has("bwAllocations")
            ? list(root, "bwAllocations", BwAllocationsJson::fromJournal) : List.of();
        return DesiredState.of(sequence.asLong(), list(root, "slices", JournalCodec::slice),
            list(root, "services", JournalCodec::service), list(root, "nodes", JournalCodec::node), apps,
            allocations);
    }

    private static ObjectNode slice(final Slice slice)
    {
        final ObjectNode node = JSON.createObjectNode();
        node.put("snssai", slice.snssai().toString());
        node.put("name", slice.name());
        final ObjectNode fiveQi = node.putObject("fiveQi");
        fiveQi.put("value", slice.fiveQi().value());
        fiveQi.put("resourceType", slice.fiveQi().resourceType().name());
        fiveQi.put("priorityLevel", slice.fiveQi().priorityLevel());
        fiveQi.put("packetDelayBudgetMs", slice.fiveQi().packetDelayBudgetMs());
        fiveQi.put("packetErrorRate", slice.fiveQi().packetErrorRate());
        fiveQi.put("maxDataBurstBytes", slice.fiveQi().maxDataBurstBytes());
        fiveQi.put("description", slice.fiveQi().description());
        fiveQi.put("origin", slice.fiveQi().origin().name());
        node.put("priorityLevel", slice.priorityLevel());
        final ObjectNode rates = node.putObject("bitRates");
        rates.put("mbrUplinkBps", slice.bitRates().mbrUplinkBps());
        rates.put("mbrDownlinkBps", slice.bitRates().mbrDownlinkBps());
        rates.put("gbrUplinkBps", slice.bitRates().gbrUplinkBps());
        rates.put("gbrDownlinkBps", slice.bitRates().gbrDownlinkBps());
        node.put("dscp", slice.dscp());
        final ArrayNode rules = node.putArray("classification");
        for (final ClassificationRule rule : slice.classification())
        {
            final ObjectNode json = rules.addObject();
            rule.listener().ifPresent(listener -> json.put("listener", listener));
            final ArrayNode cidrs = json.putArray("sourceCidrs");
            rule.sourceCidrs().forEach(cidr -> cidrs.add(cidr.toString()));
            rule.callerSpiffeIdPrefix().ifPresent(prefix -> json.put("callerSpiffeIdPrefix", prefix));
            rule.header().ifPresent(header ->
            {
                final ObjectNode match = json.putObject("header");
                match.put("name", header.name());
                match.put("value", header.value());
            });
            // Written only when set: journals written before these criteria read without them.
            if (!rule.destinationCidrs().isEmpty())
            {
                final ArrayNode destinations = json.putArray("destinationCidrs");
                rule.destinationCidrs().forEach(cidr -> destinations.add(cidr.toString()));
            }
            rule.destinationPorts().ifPresent(ports -> json.put("destinationPorts", ports.toString()));
            rule.sourcePorts().ifPresent(ports -> json.put("sourcePorts", ports.toString()));
        }
        final ArrayNode allowed = node.putObject("authorization").putArray("allowedCallerPrefixes");
        slice.authorization().allowedCallerPrefixes().forEach(allowed::add);
        node.putObject("qos")
            .put("mode", slice.qos().mode().name())
            .put("maxShapingWaitMs", slice.qos().maxShapingWaitMs())
            .put("requestsPerSecond", slice.qos().requestsPerSecond())
            .put("priorityWeight", slice.qos().priorityWeight());
        return node;
    }

    private static Slice slice(final JsonNode json)
    {
        final JsonNode q = object(json, "fiveQi", "fiveQi");
        final FiveQi fiveQi = at("fiveQi", () -> new FiveQi(integer(q, "value", "value"),
            ResourceType.valueOf(text(q, "resourceType", "resourceType")), integer(q, "priorityLevel", "priorityLevel"),
            integer(q, "packetDelayBudgetMs", "packetDelayBudgetMs"), number(q, "packetErrorRate"),
            integer(q, "maxDataBurstBytes", "maxDataBurstBytes"), text(q, "description", "description"),
            FiveQi.Origin.valueOf(text(q, "origin", "origin"))));
        final JsonNode r = object(json, "bitRates", "bitRates");
        final BitRates bitRates = at("bitRates", () -> new BitRates(longValue(r, "mbrUplinkBps"),
            longValue(r, "mbrDownlinkBps"), longValue(r, "gbrUplinkBps"), longValue(r, "gbrDownlinkBps")));
        final List<ClassificationRule> rules = list(json, "classification", rule -> new ClassificationRule(
            optionalText(rule, "listener"),
            list(rule, "sourceCidrs", cidr -> Cidr.parse(cidr.asText())),
            optionalText(rule, "callerSpiffeIdPrefix"),
            Optional.ofNullable(rule.get("header")).map(header -> at("header", () -> new HeaderMatch(
                text(header, "name", "name"), text(header, "value", "value")))),
            rule.has("destinationCidrs") ? list(rule, "destinationCidrs", cidr -> Cidr.parse(cidr.asText()))
                : List.of(),
            optionalText(rule, "destinationPorts").map(ports -> PortRange.parse("destinationPorts", ports)),
            optionalText(rule, "sourcePorts").map(ports -> PortRange.parse("sourcePorts", ports))));
        // Journals written before slices had callers carry no authorization: any authenticated caller.
        final AuthorizationPolicy authorization = json.has("authorization") ? at("authorization", () ->
            new AuthorizationPolicy(list(object(json, "authorization", "authorization"), "allowedCallerPrefixes",
                JsonNode::asText))) : AuthorizationPolicy.ANY_AUTHENTICATED;
        // Journals written before slices had QoS settings carry none: the defaults.
        final SliceQos qos = json.has("qos") ? at("qos", () ->
        {
            final JsonNode settings = object(json, "qos", "qos");
            return new SliceQos(QosMode.valueOf(text(settings, "mode", "mode")), longValue(settings, "maxShapingWaitMs"),
                longValue(settings, "requestsPerSecond"), integer(settings, "priorityWeight", "priorityWeight"));
        }) : SliceQos.DEFAULT;
        return new Slice(at("snssai", () -> Snssai.parse(text(json, "snssai", "snssai"))), text(json, "name", "name"),
            fiveQi, integer(json, "priorityLevel", "priorityLevel"), bitRates, integer(json, "dscp", "dscp"), rules,
            authorization, qos);
    }

    private static ObjectNode service(final Service service)
    {
        final ObjectNode node = JSON.createObjectNode();
        node.put("name", service.name());
        node.put("slice", service.slice().toString());
        final ArrayNode endpoints = node.putArray("endpoints");
        for (final ServiceEndpoint endpoint : service.endpoints())
        {
            final ObjectNode json = endpoints.addObject();
            json.put("address", endpoint.address());
            json.put("port", endpoint.port());
            json.put("protocol", endpoint.protocol().name());
            json.put("site", endpoint.site());
            json.put("zone", endpoint.zone());
            json.put("weight", endpoint.weight());
        }
        final ArrayNode routes = node.putArray("routes");
        for (final ServiceRoute route : service.routes())
        {
            routes.addObject().put("host", route.host()).put("pathPrefix", route.pathPrefix());
        }
        final ArrayNode allowed = node.putObject("authorization").putArray("allowedCallerPrefixes");
        service.authorization().allowedCallerPrefixes().forEach(allowed::add);
        node.putObject("timeouts")
            .put("connectTimeoutMs", service.timeouts().connectTimeoutMs())
            .put("requestTimeoutMs", service.timeouts().requestTimeoutMs())
            .put("perTryTimeoutMs", service.timeouts().perTryTimeoutMs());
        node.putObject("retries")
            .put("maxRetries", service.retries().maxRetries())
            .put("budgetPercent", service.retries().budgetPercent())
            .put("minRetriesPerSecond", service.retries().minRetriesPerSecond());
        if (service.maxActiveRequestsPerLoop() > 0)
        {
            node.put("maxActiveRequestsPerLoop", service.maxActiveRequestsPerLoop());
        }
        return node;
    }

    private static Service service(final JsonNode json)
    {
        final List<ServiceEndpoint> endpoints = list(json, "endpoints", e -> new ServiceEndpoint(
            text(e, "address", "address"), integer(e, "port", "port"), Protocol.valueOf(text(e, "protocol", "protocol")),
            text(e, "site", "site"), text(e, "zone", "zone"), integer(e, "weight", "weight")));
        final List<ServiceRoute> routes = list(json, "routes", r -> new ServiceRoute(text(r, "host", "host"),
            text(r, "pathPrefix", "pathPrefix")));
        final JsonNode authorization = object(json, "authorization", "authorization");
        final AuthorizationPolicy policy = at("authorization", () -> new AuthorizationPolicy(
            list(authorization, "allowedCallerPrefixes", JsonNode::asText)));
        final JsonNode t = object(json, "timeouts", "timeouts");
        final Timeouts timeouts = at("timeouts", () -> new Timeouts(integer(t, "connectTimeoutMs", "connectTimeoutMs"),
            integer(t, "requestTimeoutMs", "requestTimeoutMs"), integer(t, "perTryTimeoutMs", "perTryTimeoutMs")));
        final JsonNode r = object(json, "retries", "retries");
        final RetryPolicy retries = at("retries", () -> new RetryPolicy(integer(r, "maxRetries", "maxRetries"),
            integer(r, "budgetPercent", "budgetPercent"), integer(r, "minRetriesPerSecond", "minRetriesPerSecond")));
        return new Service(text(json, "name", "name"), at("slice", () -> Snssai.parse(text(json, "slice", "slice"))),
            endpoints, routes, policy, timeouts, retries,
            json.has("maxActiveRequestsPerLoop") ? integer(json, "maxActiveRequestsPerLoop", "maxActiveRequestsPerLoop")
                : 0);
    }

    private static ObjectNode node(final Node node)
    {
        final ObjectNode json = JSON.createObjectNode();
        json.put("id", node.id());
        json.put("site", node.site());
        json.put("zone", node.zone());
        final ArrayNode services = json.putArray("services");
        node.services().forEach(services::add);
        node.mesh().ifPresent(mesh -> json.putObject("mesh").put("address", mesh.address()).put("port", mesh.port()));
        json.put("linkCapacityBps", node.linkCapacityBps());
        return json;
    }

    /** A node; {@code mesh} and {@code linkCapacityBps} are absent in entries written before nodes had them. */
    private static Node node(final JsonNode json)
    {
        final Optional<MeshEndpoint> mesh = json.has("mesh")
            ? Optional.of(new MeshEndpoint(text(json.get("mesh"), "address", "mesh.address"),
                integer(json.get("mesh"), "port", "mesh.port")))
            : Optional.empty();
        return new Node(text(json, "id", "id"), text(json, "site", "site"), text(json, "zone", "zone"),
            list(json, "services", JsonNode::asText), mesh,
            json.has("linkCapacityBps") ? longValue(json, "linkCapacityBps") : 0);
    }

    private static byte[] bytes(final ObjectNode root)
    {
        try
        {
            return JSON.writeValueAsBytes(root);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot encode " + root.get("type"), ex);
        }
    }

    private static JsonNode parse(final byte[] json)
    {
        requireNonNull(json, "json");
        try
        {
            final JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject())
            {
                throw new IllegalArgumentException("expected a JSON object, got \""
                    + new String(json, 0, Math.min(json.length, 40), StandardCharsets.UTF_8) + "\"");
            }
            return root;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("not valid JSON: " + ex.getMessage(), ex);
        }
    }

    private static void requireFormat(final JsonNode root)
    {
        final JsonNode format = root.get("format");
        if (format == null || !format.isInt() || format.asInt() != FORMAT)
        {
            throw new IllegalArgumentException("format: expected " + FORMAT + ", got " + format);
        }
    }

    private static <T> T at(final String path, final Supplier<T> decode)
    {
        try
        {
            return decode.get();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(path + "." + ex.getMessage(), ex);
        }
    }

    private static <T> List<T> list(final JsonNode json, final String field, final Function<JsonNode, T> decode)
    {
        final JsonNode array = json.get(field);
        if (array == null || !array.isArray())
        {
            throw new IllegalArgumentException(field + ": expected an array");
        }
        final List<T> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++)
        {
            final JsonNode element = array.get(i);
            values.add(at(field + "[" + i + "]", () -> decode.apply(element)));
        }
        return values;
    }

    private static JsonNode object(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || !value.isObject())
        {
            throw new IllegalArgumentException(path + ": expected an object");
        }
        return value;
    }

    private static String text(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || !value.isTextual())
        {
            throw new IllegalArgumentException(path + ": expected a string");
        }
        return value.asText();
    }

    private static Optional<String> optionalText(final JsonNode json, final String field)
    {
        final JsonNode value = json.get(field);
        if (value != null && !value.isTextual())
        {
            throw new IllegalArgumentException(field + ": expected a string");
        }
        return Optional.ofNullable(value).map(JsonNode::asText);
    }

    private static int integer(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || !value.isInt())
        {
            throw new IllegalArgumentException(path + ": expected an integer");
        }
        return value.asInt();
    }

    private static long longValue(final JsonNode json, final String field)
    {
        final JsonNode value = json.get(field);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber())
        {
            throw new IllegalArgumentException(field + ": expected an integer");
        }
        return value.asLong();
    }

    private static double number(final JsonNode json, final String field)
    {
        final JsonNode value = json.get(field);
        if (value == null || !value.isNumber())
        {
            throw new IllegalArgumentException(field + ": expected a number");
        }
        return value.asDouble();
    }
}
