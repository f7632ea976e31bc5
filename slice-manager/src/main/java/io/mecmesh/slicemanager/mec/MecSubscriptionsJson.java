package io.mecmesh.slicemanager.mec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.MecSubscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.mecmesh.slicemanager.mec.MecRulesJson.join;
import static io.mecmesh.slicemanager.mec.MecRulesJson.requireObject;
import static io.mecmesh.slicemanager.mec.MecRulesJson.text;
import static java.util.Objects.requireNonNull;

/**
 * MEC 011 subscriptions ({@code SerAvailabilityNotificationSubscription}, {@code
 * AppTerminationNotificationSubscription}; v2.1.1 shapes, bare objects) read into a {@link MecSubscription}, as
 * strictly as {@link MecRulesJson} reads rules, and which services a service-availability subscription's
 * {@code filteringCriteria} match. The accepted document is kept without {@code _links} (the platform's).
 */
public final class MecSubscriptionsJson
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> AVAILABILITY_KEYS = Set.of("subscriptionType", "callbackReference",
        "filteringCriteria", "_links");
    private static final Set<String> TERMINATION_KEYS = Set.of("subscriptionType", "callbackReference",
        "appInstanceId", "_links");
    private static final Set<String> CRITERIA_KEYS = Set.of("serInstanceIds", "serNames", "serCategories", "states",
        "isLocal");
    private static final Set<String> CATEGORY_KEYS = Set.of("href", "id", "name", "version");
    private static final Set<String> STATES = Set.of("ACTIVE", "INACTIVE", MecService.SUSPENDED);

    private MecSubscriptionsJson()
    {
    }

    /**
     * Reads a subscription of the given kind.
     *
     * @param json          the object.
     * @param path          its path, for errors (empty for a request body).
     * @param id            the subscription id to give it.
     * @param type          the kind expected ({@code subscriptionType} must name it).
     * @param appInstanceId the instance it belongs to (a termination subscription's {@code appInstanceId} must be it).
     * @return the subscription.
     * @throws IllegalArgumentException starting with the path of the first field that is not valid.
     */
    public static MecSubscription subscription(final JsonNode json, final String path, final String id,
        final MecSubscription.Type type, final String appInstanceId)
    {
        requireNonNull(type, "type");
        requireNonNull(appInstanceId, "appInstanceId");
        requireObject(json, path, type == MecSubscription.Type.SER_AVAILABILITY ? AVAILABILITY_KEYS
            : TERMINATION_KEYS);
        final String subscriptionType = text(json, "subscriptionType", path);
        if (!type.subscriptionType().equals(subscriptionType))
        {
            throw new IllegalArgumentException(join(path, "subscriptionType") + ": expected \""
                + type.subscriptionType() + "\", got \"" + subscriptionType + "\"");
        }
        final String callback = text(json, "callbackReference", path);
        if (type == MecSubscription.Type.APP_TERMINATION)
        {
            final String subscribed = text(json, "appInstanceId", path);
            if (!subscribed.equals(appInstanceId))
            {
                throw new IllegalArgumentException(join(path, "appInstanceId") + ": an application subscribes to "
                    + "its own termination only (\"" + appInstanceId + "\"), got \"" + subscribed + "\"");
            }
        }
        else if (json.has("filteringCriteria"))
        {
            criteria(json.get("filteringCriteria"), join(path, "filteringCriteria"));
        }
        final ObjectNode document = json.deepCopy();
        document.remove("_links");
        try
        {
            return new MecSubscription(id, type, callback, JSON.writeValueAsString(document));
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
     * @param subscription a subscription.
     * @return its document as accepted (no {@code _links}).
     */
    public static ObjectNode render(final MecSubscription subscription)
    {
        try
        {
            return (ObjectNode)JSON.readTree(subscription.document());
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a stored subscription is not JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    /**
     * Whether a service-availability subscription's {@code filteringCriteria} (all given attributes, AND) match a
     * service in a state (the state after the change).
     *
     * @param subscription a {@code SER_AVAILABILITY} subscription.
     * @param service      the service the event is about.
     * @param state        its state after the change ({@code REMOVED}: its last state).
     * @return whether the subscriber is to be told.
     */
    public static boolean matches(final MecSubscription subscription, final MecService service, final String state)
    {
        final JsonNode criteria = render(subscription).get("filteringCriteria");
        if (criteria == null)
        {
            return true;
        }
        return within(criteria, "serInstanceIds", service.id())
            && within(criteria, "serNames", service.serName())
            && (!criteria.has("serCategories") || service.categoryId().map(id -> categoryIds(criteria).contains(id))
                .orElse(false))
            && within(criteria, "states", state)
            && (!criteria.has("isLocal") || criteria.get("isLocal").asBoolean() == service.isLocal());
    }

    private static boolean within(final JsonNode criteria, final String field, final String value)
    {
        final JsonNode values = criteria.get(field);
        if (values == null)
        {
            return true;
        }
        for (final JsonNode element : values)
        {
            if (element.asText().equals(value))
            {
                return true;
            }
        }
        return false;
    }

    private static List<String> categoryIds(final JsonNode criteria)
    {
        final List<String> ids = new ArrayList<>();
        criteria.get("serCategories").forEach(category -> ids.add(category.get("id").asText()));
        return ids;
    }

    private static void criteria(final JsonNode json, final String path)
    {
        requireObject(json, path, CRITERIA_KEYS);
        final List<String> exclusive = new ArrayList<>();
        for (final String field : List.of("serInstanceIds", "serNames", "serCategories"))
        {
            if (json.has(field))
            {
                exclusive.add(field);
            }
        }
        if (exclusive.size() > 1)
        {
            throw new IllegalArgumentException(join(path, exclusive.get(1)) + ": serInstanceIds, serNames and "
                + "serCategories are alternatives, at most one may be given (got " + String.join(", ", exclusive)
                + ")");
        }
        for (final String field : List.of("serInstanceIds", "serNames", "states"))
        {
            if (json.has(field))
            {
                strings(json, field, path, field.equals("states") ? STATES : Set.of());
            }
        }
        if (json.has("serCategories"))
        {
            final JsonNode categories = json.get("serCategories");
            if (!categories.isArray())
            {
                throw new IllegalArgumentException(join(path, "serCategories") + ": expected an array of CategoryRef");
            }
            for (int i = 0; i < categories.size(); i++)
            {
                final String at = join(path, "serCategories") + "[" + i + "]";
                requireObject(categories.get(i), at, CATEGORY_KEYS);
                for (final String field : CATEGORY_KEYS)
                {
                    text(categories.get(i), field, at);
                }
            }
        }
        if (json.has("isLocal") && !json.get("isLocal").isBoolean())
        {
            throw new IllegalArgumentException(join(path, "isLocal") + ": expected true or false");
        }
    }

    private static void strings(final JsonNode json, final String field, final String path,
        final Set<String> allowed)
    {
        final JsonNode values = json.get(field);
        if (!values.isArray())
        {
            throw new IllegalArgumentException(join(path, field) + ": expected an array of strings");
        }
        for (int i = 0; i < values.size(); i++)
        {
            final JsonNode value = values.get(i);
            if (!value.isTextual())
            {
                throw new IllegalArgumentException(join(path, field) + "[" + i + "]: expected a string");
            }
            if (!allowed.isEmpty() && !allowed.contains(value.asText()))
            {
                throw new IllegalArgumentException(join(path, field) + "[" + i + "]: expected one of "
                    + String.join(", ", new TreeSet<>(allowed)) + ", got \"" + value.asText() + "\"");
            }
        }
    }
}
