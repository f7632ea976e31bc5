package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.MecSubscriptionsJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.MecSubscription;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * MEC 011 subscriptions of an application instance, one instance of this class per kind: service availability
 * ({@code /mec_service_mgmt/v1/applications/{id}/subscriptions}) and application termination
 * ({@code /mec_app_support/v2/applications/{id}/subscriptions}, and v1). POST 201 with {@code Location}, GET the
 * list ({@code SubscriptionLinkList}), GET one, DELETE 204; the owning application only (403 otherwise).
 *
 * <p>A POST or DELETE is one journaled {@link Command.PutApp} of the instance with the subscription added or removed
 * (so subscriptions survive a control-plane restart), under the server's write lock. What is notified, and when, is
 * {@link MecEvents}'s.
 */
final class SubscriptionsApi
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NO_QUERY = Set.of();
    /** Subscriptions one instance may hold: a bound on what every state change fans out to. */
    static final int MAX_PER_APP = 16;

    private final String root;
    private final ControlPlaneBackend backend;
    private final Object writeLock;
    private final MecSubscription.Type type;
    private final MecEvents events;

    /**
     * @param events the server's change publisher: a subscription created or deleted here is published before the
     *               answer, so that a change right after it (within one poll) is compared with a state that has it.
     */
    SubscriptionsApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock,
        final MecSubscription.Type type, final MecEvents events)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
        this.type = requireNonNull(type, "type");
        this.events = requireNonNull(events, "events");
    }

    void register(final Router router)
    {
        for (final String base : type == MecSubscription.Type.SER_AVAILABILITY
            ? new String[] {root + "/mec_service_mgmt/v1"}
            : new String[] {root + "/mec_app_support/v2", root + "/mec_app_support/v1"})
        {
            final String path = base + "/applications/:appInstanceId/subscriptions";
            router.get(path).blockingHandler(context -> Exchanges.run(context, this::list), false);
            router.post(path).blockingHandler(context -> Exchanges.run(context, this::create), false);
            router.get(path + "/:subscriptionId").blockingHandler(context -> Exchanges.run(context, this::get), false);
            router.delete(path + "/:subscriptionId")
                .blockingHandler(context -> Exchanges.run(context, this::delete), false);
        }
    }

    /**
     * @param apiRoot      the API root.
     * @param type         the subscription's kind.
     * @param appId        the owning instance.
     * @param subscription the subscription's id.
     * @return the path of the subscription's resource (v2 for application support).
     */
    static String path(final String apiRoot, final MecSubscription.Type type, final String appId,
        final String subscription)
    {
        return apiRoot + (type == MecSubscription.Type.SER_AVAILABILITY ? "/mec_service_mgmt/v1"
            : "/mec_app_support/v2") + "/applications/" + appId + "/subscriptions/" + subscription;
    }

    private void list(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance app = Exchanges.ownApp(context, backend);
        final ObjectNode body = JSON.createObjectNode();
        final ObjectNode links = body.putObject("_links");
        links.putObject("self").put("href", context.request().path());
        final ArrayNode subscriptions = links.putArray("subscriptions");
        for (final MecSubscription subscription : app.subscriptions())
        {
            if (subscription.type() == type)
            {
                subscriptions.addObject().put("href", path(root, type, app.id(), subscription.id()))
                    .put("rel", type.subscriptionType());
            }
        }
        Exchanges.json(context, 200, body);
    }

    private void get(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance app = Exchanges.ownApp(context, backend);
        Exchanges.json(context, 200, render(app, existing(context, app)));
    }

    private void create(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance owner = Exchanges.ownApp(context, backend);
        final JsonNode body = Exchanges.body(context);
        final MecSubscription subscription;
        try
        {
            subscription = MecSubscriptionsJson.subscription(body, "", UUID.randomUUID().toString(), type, owner.id());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new MecApiException(400, ex.getMessage());
        }
        final AppInstance app;
        synchronized (writeLock)
        {
            app = Exchanges.ownApp(context, backend);
            if (app.subscriptions().size() >= MAX_PER_APP)
            {
                throw new MecApiException(409, "application instance \"" + app.id() + "\" already has "
                    + MAX_PER_APP + " subscriptions (the most one may hold): delete one first");
            }
            backend.submit(new Command.PutApp(app.withSubscription(subscription)));
        }
        events.publish();
        final ObjectNode created = render(app, subscription);
        context.response().putHeader("Location", context.request().absoluteURI().replaceAll("/+$", "") + "/"
            + subscription.id());
        Exchanges.json(context, 201, created);
    }

    private void delete(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        synchronized (writeLock)
        {
            final AppInstance app = Exchanges.ownApp(context, backend);
            final MecSubscription subscription = existing(context, app);
            backend.submit(new Command.PutApp(app.withoutSubscription(subscription.id())));
        }
        events.publish();
        context.response().setStatusCode(204).end();
    }

    private MecSubscription existing(final RoutingContext context, final AppInstance app)
    {
        final String id = context.pathParam("subscriptionId");
        final MecSubscription subscription = app.subscription(id);
        if (subscription == null || subscription.type() != type)
        {
            throw new MecApiException(404, "application instance \"" + app.id() + "\" has no "
                + type.subscriptionType() + " \"" + id + "\"");
        }
        return subscription;
    }

    /** The subscription answered: the accepted document and {@code _links.self}. */
    private ObjectNode render(final AppInstance app, final MecSubscription subscription)
    {
        final ObjectNode document = MecSubscriptionsJson.render(subscription);
        document.putObject("_links").putObject("self").put("href", path(root, type, app.id(), subscription.id()));
        return document;
    }
}
