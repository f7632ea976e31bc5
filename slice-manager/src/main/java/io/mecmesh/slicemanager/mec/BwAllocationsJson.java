package io.mecmesh.slicemanager.mec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.BwAllocation.Direction;
import io.mecmesh.slicemanager.model.BwAllocation.RequestType;
import io.mecmesh.slicemanager.model.BwAllocation.SessionFilter;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * MEC 015 bandwidth allocations in the standard's JSON ({@code BwInfo} and {@code BwInfoDeltas} of GS MEC 015
 * v2.1.1, bare objects): the one mapping the BWM API and the journal share.
 *
 * <p>Reading is strict: a missing required field, a wrong type, a value the standard does not define or a field the
 * data type does not have is an {@link IllegalArgumentException} whose message starts with the field's name
 * ({@code allocationDirection: expected "00" ...}). {@code fixedBWPriority}, whose values MEC 015 leaves undefined,
 * is refused rather than accepted and ignored; {@code timeStamp} is accepted and ignored (it is the sender's time).
 */
public final class BwAllocationsJson
{
    /** The journal's field for the allocation's id (BwInfo itself has none: the id is in the resource's URI). */
    public static final String ID = "allocationId";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> BW_INFO_KEYS = Set.of("appInsId", "requestType", "fixedAllocation",
        "allocationDirection", "sessionFilter", "fixedBWPriority", "timeStamp");
    private static final Set<String> FILTER_KEYS = Set.of("sourceIp", "sourcePort", "dstAddress", "dstPort",
        "protocol");

    private BwAllocationsJson()
    {
    }

    /**
     * @param allocation an allocation.
     * @return its {@code BwInfo}: {@code appInsId, requestType, fixedAllocation, allocationDirection} and, for a
     *         session-specific one, {@code sessionFilter}.
     */
    public static ObjectNode render(final BwAllocation allocation)
    {
        requireNonNull(allocation, "allocation");
        final ObjectNode json = JSON.objectNode();
        json.put("appInsId", allocation.appInstanceId());
        json.put("requestType", allocation.requestType().code());
        json.put("fixedAllocation", Long.toString(allocation.fixedAllocationBps()));
        json.put("allocationDirection", allocation.direction().code());
        if (!allocation.sessionFilters().isEmpty())
        {
            final ArrayNode filters = json.putArray("sessionFilter");
            for (final SessionFilter filter : allocation.sessionFilters())
            {
                final ObjectNode entry = filters.addObject();
                filter.sourceIp().ifPresent(address -> entry.put("sourceIp", address));
                if (!filter.sourcePorts().isEmpty())
                {
                    filter.sourcePorts().forEach(entry.putArray("sourcePort")::add);
                }
                filter.dstAddress().ifPresent(address -> entry.put("dstAddress", address));
                if (!filter.dstPorts().isEmpty())
                {
                    filter.dstPorts().forEach(entry.putArray("dstPort")::add);
                }
                filter.protocol().ifPresent(protocol -> entry.put("protocol", protocol));
            }
        }
        return json;
    }

    /**
     * @param allocation an allocation.
     * @return its journal entry: its {@code BwInfo} with {@value #ID}.
     */
    public static ObjectNode journal(final BwAllocation allocation)
    {
        final ObjectNode json = JSON.objectNode();
        json.put(ID, allocation.id());
        json.setAll(render(allocation));
        return json;
    }

    /**
     * @param json a journal entry from {@link #journal(BwAllocation)}.
     * @return the allocation.
     */
    public static BwAllocation fromJournal(final JsonNode json)
    {
        if (json == null || !json.isObject() || !json.path(ID).isTextual())
        {
            throw new IllegalArgumentException(ID + ": expected a string");
        }
        final ObjectNode info = ((ObjectNode)json).deepCopy();
        info.remove(ID);
        // Not held to the single-session rule of a new request: a journal keeps what was accepted before it.
        return parse(info, json.get(ID).asText());
    }

    /**
     * Reads a {@code BwInfo}.
     *
     * @param json the object.
     * @param id   the allocation's id.
     * @return the allocation.
     * @throws IllegalArgumentException naming the field of what is wrong.
     */
    public static BwAllocation bwInfo(final JsonNode json, final String id)
    {
        return singleSession(parse(json, id));
    }

    private static BwAllocation parse(final JsonNode json, final String id)
    {
        requireNonNull(id, "id");
        requireObject(json, "BwInfo");
        requireKeys(json, BW_INFO_KEYS, "");
        refusePriority(json);
        return new BwAllocation(id, text(json, "appInsId"), requestType(json.get("requestType")),
            bps(json.get("fixedAllocation")), direction(json.get("allocationDirection")),
            sessionFilters(json.get("sessionFilter")));
    }

    /**
     * Applies a {@code BwInfoDeltas} to an allocation: {@code appInsId} and {@code requestType} are required (and
     * {@code appInsId} must be the allocation's), the other fields replace the allocation's when present.
     *
     * @param current the allocation.
     * @param json    the deltas.
     * @return the changed allocation.
     * @throws IllegalArgumentException naming the field of what is wrong.
     */
    public static BwAllocation deltas(final BwAllocation current, final JsonNode json)
    {
        requireNonNull(current, "current");
        requireObject(json, "BwInfoDeltas");
        requireKeys(json, BW_INFO_KEYS, "");
        refusePriority(json);
        final String app = text(json, "appInsId");
        if (!app.equals(current.appInstanceId()))
        {
            throw new IllegalArgumentException("appInsId: \"" + app + "\" is not the instance of this allocation (\""
                + current.appInstanceId() + "\")");
        }
        final RequestType type = requestType(json.get("requestType"));
        final long bps = json.has("fixedAllocation") ? bps(json.get("fixedAllocation")) : current.fixedAllocationBps();
        final Direction direction = json.has("allocationDirection") ? direction(json.get("allocationDirection"))
            : current.direction();
        final List<SessionFilter> filters = json.has("sessionFilter") ? sessionFilters(json.get("sessionFilter"))
            : type == RequestType.APPLICATION_SPECIFIC ? List.of() : current.sessionFilters();
        return singleSession(new BwAllocation(current.id(), current.appInstanceId(), type, bps, direction, filters));
    }

    /**
     * A session-specific allocation's filter must name one TCP session (MEC 015: "Any filtering criteria shall
     * define a single session only"): one entry with a {@code sourceIp} and a {@code dstAddress} that are single
     * addresses (no prefix, or /32, /128), one {@code sourcePort}, one {@code dstPort} and {@code protocol} "6" (TCP,
     * also when absent): the mesh carries TCP only, so a UDP session could not be enforced.
     */
    private static BwAllocation singleSession(final BwAllocation allocation)
    {
        if (allocation.requestType() != RequestType.SESSION_SPECIFIC)
        {
            return allocation;
        }
        if (allocation.sessionFilters().size() != 1)
        {
            throw new IllegalArgumentException("sessionFilter: expected one entry naming a single session (MEC 015: "
                + "any filtering criteria shall define a single session only), got "
                + allocation.sessionFilters().size());
        }
        final SessionFilter filter = allocation.sessionFilters().get(0);
        final String path = "sessionFilter[0].";
        requireHost(path + "sourceIp", filter.sourceIp());
        requireHost(path + "dstAddress", filter.dstAddress());
        requireOnePort(path + "sourcePort", filter.sourcePorts());
        requireOnePort(path + "dstPort", filter.dstPorts());
        if (filter.protocol().isPresent() && !"6".equals(filter.protocol().get()))
        {
            throw new IllegalArgumentException(path + "protocol: only \"6\" (TCP) sessions can be enforced (the mesh "
                + "carries TCP), got \"" + filter.protocol().get() + "\"");
        }
        return allocation;
    }

    private static void requireHost(final String field, final Optional<String> address)
    {
        if (address.isEmpty())
        {
            throw new IllegalArgumentException(field + ": required, a single address (the filter names one session)");
        }
        final String text = address.get();
        final int slash = text.indexOf('/');
        if (slash >= 0 && !text.substring(slash + 1).equals(text.indexOf(':') >= 0 ? "128" : "32"))
        {
            throw new IllegalArgumentException(field + ": expected a single address (the filter names one session), "
                + "got the prefix \"" + text + "\"");
        }
    }

    private static void requireOnePort(final String field, final List<String> ports)
    {
        if (ports.size() != 1 || ports.get(0).matches("0+"))
        {
            throw new IllegalArgumentException(field + ": expected one port from 1 to 65535 (the filter names one "
                + "session), got " + ports);
        }
    }

    private static void requireObject(final JsonNode json, final String type)
    {
        if (json == null || !json.isObject())
        {
            throw new IllegalArgumentException("body: expected a " + type + " object");
        }
    }

    private static void requireKeys(final JsonNode json, final Set<String> allowed, final String path)
    {
        for (final Iterator<String> names = json.fieldNames(); names.hasNext();)
        {
            final String name = names.next();
            if (!allowed.contains(name))
            {
                throw new IllegalArgumentException(path + name + ": not a field of this data type (expected one of "
                    + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private static void refusePriority(final JsonNode json)
    {
        if (json.has("fixedBWPriority"))
        {
            throw new IllegalArgumentException("fixedBWPriority: MEC 015 defines no values for it and the platform "
                + "does not prioritise between allocations; leave it out");
        }
    }

    private static String text(final JsonNode json, final String field)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            throw new IllegalArgumentException(field + ": required");
        }
        if (!value.isTextual())
        {
            throw new IllegalArgumentException(field + ": expected a string, got " + value.getNodeType());
        }
        return value.asText();
    }

    private static RequestType requestType(final JsonNode value)
    {
        if (value == null || value.isNull())
        {
            throw new IllegalArgumentException("requestType: required (0 APPLICATION_SPECIFIC_BW_ALLOCATION or 1 "
                + "SESSION_SPECIFIC_BW_ALLOCATION)");
        }
        if (!value.isIntegralNumber() || (value.asInt() != 0 && value.asInt() != 1) || !value.canConvertToInt())
        {
            throw new IllegalArgumentException("requestType: expected the integer 0 (APPLICATION_SPECIFIC_BW_ALLOCATION)"
                + " or 1 (SESSION_SPECIFIC_BW_ALLOCATION), got " + value);
        }
        return value.asInt() == 0 ? RequestType.APPLICATION_SPECIFIC : RequestType.SESSION_SPECIFIC;
    }

    private static long bps(final JsonNode value)
    {
        if (value == null || value.isNull())
        {
            throw new IllegalArgumentException("fixedAllocation: required (a string of bits per second, e.g. "
                + "\"1000000\")");
        }
        final String text = value.isTextual() ? value.asText() : null;
        if (text == null || !text.matches("[0-9]{1,13}") || Long.parseLong(text) < 1
            || Long.parseLong(text) > BwAllocation.MAX_BPS)
        {
            throw new IllegalArgumentException("fixedAllocation: expected a string of bits per second from \"1\" to \""
                + BwAllocation.MAX_BPS + "\" (digits only), got " + value);
        }
        return Long.parseLong(text);
    }

    private static Direction direction(final JsonNode value)
    {
        if (value == null || value.isNull())
        {
            throw new IllegalArgumentException("allocationDirection: required (\"00\" downlink, \"01\" uplink, "
                + "\"10\" symmetrical)");
        }
        if (!value.isTextual())
        {
            throw new IllegalArgumentException("allocationDirection: expected a string \"00\", \"01\" or \"10\", got "
                + value);
        }
        return Direction.parse(value.asText());
    }

    private static List<SessionFilter> sessionFilters(final JsonNode value)
    {
        if (value == null || value.isNull())
        {
            return List.of();
        }
        if (!value.isArray())
        {
            throw new IllegalArgumentException("sessionFilter: expected an array");
        }
        final List<SessionFilter> filters = new ArrayList<>();
        for (int i = 0; i < value.size(); i++)
        {
            final String path = "sessionFilter[" + i + "].";
            final JsonNode entry = value.get(i);
            if (!entry.isObject())
            {
                throw new IllegalArgumentException("sessionFilter[" + i + "]: expected an object");
            }
            requireKeys(entry, FILTER_KEYS, path);
            try
            {
                filters.add(new SessionFilter(optionalText(entry, "sourceIp", path), texts(entry, "sourcePort", path),
                    optionalText(entry, "dstAddress", path), texts(entry, "dstPort", path),
                    optionalText(entry, "protocol", path)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw ex.getMessage().startsWith("sessionFilter") ? ex
                    : new IllegalArgumentException(path + ex.getMessage(), ex);
            }
        }
        return filters;
    }

    private static Optional<String> optionalText(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            return Optional.empty();
        }
        if (!value.isTextual())
        {
            throw new IllegalArgumentException(path + field + ": expected a string, got " + value.getNodeType());
        }
        return Optional.of(value.asText());
    }

    private static List<String> texts(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (value == null || value.isNull())
        {
            return List.of();
        }
        if (!value.isArray())
        {
            throw new IllegalArgumentException(path + field + ": expected an array of strings");
        }
        final List<String> texts = new ArrayList<>();
        for (int i = 0; i < value.size(); i++)
        {
            if (!value.get(i).isTextual())
            {
                throw new IllegalArgumentException(path + field + "[" + i + "]: expected a string, got "
                    + value.get(i).getNodeType());
            }
            texts.add(value.get(i).asText());
        }
        return texts;
    }
}
