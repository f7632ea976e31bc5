package io.mecmesh.slicemanager.mec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.MeshEndpoint;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.mecmesh.slicemanager.mec.MecRulesJson.join;
import static io.mecmesh.slicemanager.mec.MecRulesJson.requireObject;
import static io.mecmesh.slicemanager.mec.MecRulesJson.text;
import static java.util.Objects.requireNonNull;

/**
 * MEC 011 {@code ServiceInfo} (v2.1.1 shapes and enums) read into a {@link MecService}: strict as
 * {@link MecRulesJson} is (required fields, types, enum values, no unknown field; paths in messages). The accepted
 * document is kept as it came, with {@code serInstanceId} set, and answered back.
 */
public final class MecServicesJson
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SERVICE_KEYS = Set.of("serInstanceId", "serName", "serCategory", "version",
        "state", "transportInfo", "serializer", "scopeOfLocality", "consumedLocalOnly", "isLocal", "livenessInterval",
        "_links");
    private static final Set<String> CATEGORY_KEYS = Set.of("href", "id", "name", "version");
    private static final Set<String> TRANSPORT_KEYS = Set.of("id", "name", "description", "type", "protocol",
        "version", "endpoint", "security", "implSpecificInfo");
    private static final Set<String> STATES = Set.of("ACTIVE", "INACTIVE", MecService.SUSPENDED);
    private static final Set<String> SERIALIZERS = Set.of("JSON", "XML", "PROTOBUF3");
    private static final Set<String> LOCALITIES = Set.of("MEC_SYSTEM", "MEC_HOST", "NFVI_POP", "ZONE", "ZONE_GROUP",
        "NFVI_NODE");
    private static final Set<String> TRANSPORT_TYPES = Set.of("REST_HTTP", "MB_TOPIC_BASED", "MB_ROUTING",
        "MB_PUBSUB", "RPC", "RPC_STREAMING", "WEBSOCKET");

    private MecServicesJson()
    {
    }

    /**
     * Reads a {@code ServiceInfo}.
     *
     * @param json the object.
     * @param path its path, for errors (empty for a request body).
     * @param id   the {@code serInstanceId} to give it (the body's own, if any, must be the same).
     * @return the service.
     * @throws IllegalArgumentException starting with the path of the first field that is not valid.
     */
    public static MecService service(final JsonNode json, final String path, final String id)
    {
        requireNonNull(id, "id");
        requireObject(json, path, SERVICE_KEYS);
        if (json.has("serInstanceId") && !id.equals(text(json, "serInstanceId", path)))
        {
            throw new IllegalArgumentException(join(path, "serInstanceId") + ": \"" + json.get("serInstanceId")
                .asText() + "\" is not this service's (\"" + id + "\")");
        }
        final String serName = text(json, "serName", path);
        text(json, "version", path);
        final String state = oneOf(json, "state", path, STATES);
        oneOf(json, "serializer", path, SERIALIZERS);
        final Optional<String> scope = json.has("scopeOfLocality")
            ? Optional.of(oneOf(json, "scopeOfLocality", path, LOCALITIES)) : Optional.empty();
        final boolean consumedLocalOnly = bool(json, "consumedLocalOnly", path, false);
        final boolean isLocal = bool(json, "isLocal", path, true);
        final int livenessInterval = liveness(json, path);
        Optional<String> category = Optional.empty();
        if (json.has("serCategory"))
        {
            final String at = join(path, "serCategory");
            final JsonNode ref = json.get("serCategory");
            requireObject(ref, at, CATEGORY_KEYS);
            for (final String field : CATEGORY_KEYS)
            {
                text(ref, field, at);
            }
            category = Optional.of(ref.get("id").asText());
        }
        final List<MeshEndpoint> endpoints = transport(json.get("transportInfo"), join(path, "transportInfo"));
        final ObjectNode document = ((ObjectNode)json.deepCopy()).put("serInstanceId", id);
        document.remove("_links");
        if (livenessInterval == 0)
        {
            document.remove("livenessInterval");
        }
        try
        {
            return new MecService(id, serName, category, state, scope, consumedLocalOnly, isLocal, endpoints,
                livenessInterval, JSON.writeValueAsString(document));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(path.isEmpty() ? ex.getMessage() : path + "." + ex.getMessage(), ex);
        }
    }

    /**
     * @param service a registered service.
     * @return its {@code ServiceInfo} document.
     */
    public static ObjectNode render(final MecService service)
    {
        try
        {
            return (ObjectNode)JSON.readTree(service.document());
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a stored ServiceInfo is not JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    /**
     * @param service a registered service.
     * @param state   its new state ({@code ACTIVE}, {@code INACTIVE} or {@code SUSPENDED}).
     * @return the same service in that state, its document changed to match.
     */
    public static MecService withState(final MecService service, final String state)
    {
        requireNonNull(service, "service");
        if (!STATES.contains(state))
        {
            throw new IllegalArgumentException("state: expected one of " + String.join(", ", new TreeSet<>(STATES))
                + ", got \"" + state + "\"");
        }
        return service(render(service).put("state", state), "", service.id());
    }

    /** {@code livenessInterval}: absent or 0 (no heartbeats), or the seconds between two heartbeats. */
    private static int liveness(final JsonNode json, final String path)
    {
        final JsonNode value = json.get("livenessInterval");
        if (value == null)
        {
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0)
        {
            throw new IllegalArgumentException(join(path, "livenessInterval") + ": expected 0 or a number of seconds, "
                + "got " + value);
        }
        return value.asInt();
    }

    private static List<MeshEndpoint> transport(final JsonNode json, final String path)
    {
        if (json == null)
        {
            throw new IllegalArgumentException(path + ": required");
        }
        requireObject(json, path, TRANSPORT_KEYS);
        for (final String field : List.of("id", "name", "protocol", "version"))
        {
            text(json, field, path);
        }
        oneOf(json, "type", path, TRANSPORT_TYPES);
        final JsonNode security = json.get("security");
        if (security == null || !security.isObject())
        {
            throw new IllegalArgumentException(join(path, "security") + ": expected a SecurityInfo object");
        }
        final String at = join(path, "endpoint");
        final JsonNode endpoint = json.get("endpoint");
        if (endpoint == null || !endpoint.isObject() || endpoint.size() != 1)
        {
            throw new IllegalArgumentException(at + ": expected an object with one of uris, addresses, alternative");
        }
        final List<MeshEndpoint> endpoints = new ArrayList<>();
        if (endpoint.has("addresses"))
        {
            final JsonNode addresses = array(endpoint, "addresses", at);
            for (int i = 0; i < addresses.size(); i++)
            {
                final String element = join(at, "addresses") + "[" + i + "]";
                final JsonNode address = addresses.get(i);
                requireObject(address, element, Set.of("host", "port"));
                final JsonNode port = address.get("port");
                if (port == null || !port.canConvertToInt() || !port.isIntegralNumber())
                {
                    throw new IllegalArgumentException(element + ".port: expected an integer");
                }
                endpoints.add(endpoint(element, text(address, "host", element), port.asInt()));
            }
        }
        else if (endpoint.has("uris"))
        {
            final JsonNode uris = array(endpoint, "uris", at);
            for (int i = 0; i < uris.size(); i++)
            {
                final String element = join(at, "uris") + "[" + i + "]";
                if (!uris.get(i).isTextual())
                {
                    throw new IllegalArgumentException(element + ": expected a string");
                }
                try
                {
                    final URI uri = new URI(uris.get(i).asText());
                    final int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
                    if (uri.getHost() == null)
                    {
                        throw new IllegalArgumentException(element + ": expected an absolute URI with a host");
                    }
                    endpoints.add(endpoint(element, uri.getHost(), port));
                }
                catch (final java.net.URISyntaxException ex)
                {
                    throw new IllegalArgumentException(element + ": not a URI: " + ex.getMessage(), ex);
                }
            }
        }
        else if (!endpoint.has("alternative"))
        {
            throw new IllegalArgumentException(at + ": expected one of uris, addresses, alternative");
        }
        return endpoints;
    }

    private static MeshEndpoint endpoint(final String path, final String host, final int port)
    {
        try
        {
            return new MeshEndpoint(host, port);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(path + "." + ex.getMessage(), ex);
        }
    }

    private static JsonNode array(final JsonNode json, final String field, final String path)
    {
        final JsonNode value = json.get(field);
        if (!value.isArray())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected an array");
        }
        return value;
    }

    private static String oneOf(final JsonNode json, final String field, final String path, final Set<String> values)
    {
        final String value = text(json, field, path);
        if (!values.contains(value))
        {
            throw new IllegalArgumentException(join(path, field) + ": expected one of "
                + String.join(", ", new TreeSet<>(values)) + ", got \"" + value + "\"");
        }
        return value;
    }

    private static boolean bool(final JsonNode json, final String field, final String path, final boolean absent)
    {
        final JsonNode value = json.get(field);
        if (value == null)
        {
            return absent;
        }
        if (!value.isBoolean())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected true or false");
        }
        return value.asBoolean();
    }

}
