package io.mecmesh.slicemanager.mec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

import static io.mecmesh.slicemanager.mec.MecRulesJson.join;
import static io.mecmesh.slicemanager.mec.MecRulesJson.requireObject;
import static io.mecmesh.slicemanager.mec.MecRulesJson.text;
import static java.util.Objects.requireNonNull;

/**
 * The MEC 011 v3.1.1 {@code AppInfo} of a registration ({@code /registrations}), read strictly: the fields of the data
 * type only, {@code appName} required, {@code endpoint} ({@code EndPointInfo}: exactly one of {@code uris},
 * {@code fqdn}, {@code addresses}, {@code alternative}) required unless {@code isInsByMec} is true. The dependency
 * lists ({@code appServiceRequired}, {@code appServiceOptional}, {@code appFeatureRequired},
 * {@code appFeatureOptional}) "shall not be provided if an AppD is available", and every instance here is
 * pre-provisioned from its descriptor: they are refused, as is {@code appProfile} (EAS profiles are not supported).
 */
public final class AppInfoJson
{
    private static final Set<String> APP_INFO_KEYS = Set.of("appName", "appProvider", "appCategory", "appDId",
        "appInstanceId", "endpoint", "appServiceRequired", "appServiceOptional", "appFeatureRequired",
        "appFeatureOptional", "isInsByMec", "appProfile");
    private static final List<String> FROM_THE_DESCRIPTOR = List.of("appServiceRequired", "appServiceOptional",
        "appFeatureRequired", "appFeatureOptional");
    private static final Set<String> CATEGORY_KEYS = Set.of("href", "id", "name", "version");
    private static final Set<String> ENDPOINT_KEYS = Set.of("uris", "fqdn", "addresses", "alternative");

    private AppInfoJson()
    {
    }

    /**
     * @param json          a request's body.
     * @param appInstanceId the instance it registers (a present {@code appInstanceId} must be it).
     * @param appName       the instance's application name (the descriptor's): {@code appName} must be it.
     * @return the accepted {@code AppInfo}, with {@code appInstanceId} set.
     * @throws IllegalArgumentException starting with the path of the first field that is not valid.
     */
    public static ObjectNode appInfo(final JsonNode json, final String appInstanceId, final String appName)
    {
        requireNonNull(appInstanceId, "appInstanceId");
        requireNonNull(appName, "appName");
        requireObject(json, "", APP_INFO_KEYS);
        final String name = text(json, "appName", "");
        if (!name.equals(appName))
        {
            throw new IllegalArgumentException("appName: \"" + name + "\" is not the name of application instance \""
                + appInstanceId + "\" (\"" + appName + "\", from its descriptor)");
        }
        if (json.has("appInstanceId") && !appInstanceId.equals(text(json, "appInstanceId", "")))
        {
            throw new IllegalArgumentException("appInstanceId: \"" + json.get("appInstanceId").asText() + "\" is not "
                + "the instance registered here (\"" + appInstanceId + "\")");
        }
        for (final String field : FROM_THE_DESCRIPTOR)
        {
            if (json.has(field))
            {
                throw new IllegalArgumentException(field + ": shall not be provided: application instance \""
                    + appInstanceId + "\" was provisioned from its application descriptor (AppD)");
            }
        }
        if (json.has("appProfile"))
        {
            throw new IllegalArgumentException("appProfile: not supported (no EAS profiles on this platform)");
        }
        for (final String field : List.of("appProvider", "appDId"))
        {
            if (json.has(field))
            {
                text(json, field, "");
            }
        }
        if (json.has("appCategory"))
        {
            final JsonNode category = json.get("appCategory");
            requireObject(category, "appCategory", CATEGORY_KEYS);
            for (final String field : CATEGORY_KEYS)
            {
                text(category, field, "appCategory");
            }
        }
        final JsonNode byMec = json.get("isInsByMec");
        if (byMec != null && !byMec.isBoolean())
        {
            throw new IllegalArgumentException("isInsByMec: expected true or false");
        }
        if (json.has("endpoint"))
        {
            endpoint(json.get("endpoint"), "endpoint");
        }
        else if (byMec == null || !byMec.asBoolean())
        {
            throw new IllegalArgumentException("endpoint: required when isInsByMec is false (or absent)");
        }
        return ((ObjectNode)json.deepCopy()).put("appInstanceId", appInstanceId);
    }

    private static void endpoint(final JsonNode json, final String path)
    {
        requireObject(json, path, ENDPOINT_KEYS);
        if (json.size() != 1)
        {
            throw new IllegalArgumentException(path + ": expected exactly one of uris, fqdn, addresses, alternative");
        }
        if (json.has("alternative"))
        {
            if (!json.get("alternative").isObject())
            {
                throw new IllegalArgumentException(join(path, "alternative") + ": expected an object");
            }
            return;
        }
        final String field = json.fieldNames().next();
        final JsonNode items = json.get(field);
        if (!items.isArray())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected an array");
        }
        for (int i = 0; i < items.size(); i++)
        {
            final String at = join(path, field) + "[" + i + "]";
            final JsonNode item = items.get(i);
            if (!field.equals("addresses"))
            {
                if (!item.isTextual() || item.asText().isBlank())
                {
                    throw new IllegalArgumentException(at + ": expected a non-empty string");
                }
                continue;
            }
            requireObject(item, at, Set.of("host", "port"));
            text(item, "host", at);
            final JsonNode port = item.get("port");
            if (port == null || !port.isIntegralNumber() || port.asInt() < 0 || port.asInt() > 65_535)
            {
                throw new IllegalArgumentException(join(at, "port") + ": expected an integer from 0 to 65535");
            }
        }
    }
}
