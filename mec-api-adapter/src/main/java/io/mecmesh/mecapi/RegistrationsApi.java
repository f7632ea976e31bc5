package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.AppInfoJson;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * MEC 011 v3.1.1 registrations ({@code /mec_app_support/v2/registrations}, and {@code v1}): an application instance
 * registers itself with its {@code AppInfo} (POST 201 with {@code Location}), reads it (GET), updates it (PUT 204)
 * and deregisters (DELETE 204). The resource's id is the {@code appInstanceId}.
 *
 * <p>How a registration maps to an instance: every instance is pre-provisioned by the operator (id, name, node,
 * slice, SPIFFE id); a registration attaches an {@code AppInfo} to one of them and creates none. The instance is the
 * body's {@code appInstanceId}, or, without one, the caller's only instance (400 if it has several). An application
 * registers only itself: the instance's SPIFFE id must be the caller's (403 otherwise), and {@code appName} must be
 * the instance's name (its descriptor's). The {@code AppInfo} is kept as accepted inside the instance (see
 * {@link AppInfoJson} for what is refused) and journaled with it: every change is one {@link Command.PutApp} under
 * the server's write lock. The registration changes no routing: the {@code endpoint} is kept, not used (the mesh
 * sends to the instance's declared endpoints and its registered services').
 */
final class RegistrationsApi
{
    private static final Set<String> NO_QUERY = Set.of();

    private final String root;
    private final ControlPlaneBackend backend;
    private final Object writeLock;

    RegistrationsApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
    }

    void register(final Router router)
    {
        for (final String version : new String[] {"v2", "v1"})
        {
            final String registrations = root + "/mec_app_support/" + version + "/registrations";
            router.post(registrations).blockingHandler(context -> Exchanges.run(context, this::create), false);
            final String one = registrations + "/:appInstanceId";
            router.get(one).blockingHandler(context -> Exchanges.run(context, this::get), false);
            router.put(one).blockingHandler(context -> Exchanges.run(context, this::update), false);
            router.delete(one).blockingHandler(context -> Exchanges.run(context, this::delete), false);
        }
    }

    private void create(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final JsonNode body = Exchanges.body(context);
        final ObjectNode accepted;
        synchronized (writeLock)
        {
            final AppInstance app = instanceOf(context, body);
            if (app.registration().isPresent())
            {
                throw new MecApiException(409, "application instance \"" + app.id() + "\" is already registered: "
                    + "PUT " + path(app.id()) + " to update, or DELETE it first");
            }
            accepted = parse(body, app);
            backend.submit(new Command.PutApp(app.withRegistration(Optional.of(accepted.toString()))));
            context.response().putHeader("Location", context.request().absoluteURI().replaceAll("/+$", "") + "/"
                + app.id());
        }
        Exchanges.json(context, 201, accepted);
    }

    private void get(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance app = Exchanges.ownApp(context, backend);
        Exchanges.json(context, 200, MecRulesJson.registration(registered(app), "registration"));
    }

    private void update(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        Exchanges.ownApp(context, backend);
        final JsonNode body = Exchanges.body(context);
        synchronized (writeLock)
        {
            final AppInstance app = Exchanges.ownApp(context, backend);
            registered(app);
            final ObjectNode accepted = parse(body, app);
            backend.submit(new Command.PutApp(app.withRegistration(Optional.of(accepted.toString()))));
        }
        context.response().setStatusCode(204).end();
    }

    private void delete(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        synchronized (writeLock)
        {
            final AppInstance app = Exchanges.ownApp(context, backend);
            registered(app);
            backend.submit(new Command.PutApp(app.withRegistration(Optional.empty())));
        }
        context.response().setStatusCode(204).end();
    }

    private String path(final String appInstanceId)
    {
        return root + "/mec_app_support/v2/registrations/" + appInstanceId;
    }

    private static String registered(final AppInstance app)
    {
        return app.registration().orElseThrow(() -> new MecApiException(404, "application instance \"" + app.id()
            + "\" is not registered"));
    }

    private static ObjectNode parse(final JsonNode body, final AppInstance app)
    {
        try
        {
            return AppInfoJson.appInfo(body, app.id(), app.name());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new MecApiException(400, ex.getMessage());
        }
    }

    /**
     * The instance a POST registers: the body's {@code appInstanceId} (404 unknown, 403 another application's), or
     * the caller's only one.
     */
    private AppInstance instanceOf(final RoutingContext context, final JsonNode body)
    {
        final SpiffeId caller = context.get(MecApiServer.CALLER);
        final JsonNode named = body.get("appInstanceId");
        if (named != null)
        {
            if (!named.isTextual())
            {
                throw new MecApiException(400, "appInstanceId: expected a string");
            }
            final AppInstance app = backend.state().apps().get(named.asText());
            if (app == null)
            {
                throw new MecApiException(404, "appInstanceId: no application instance \"" + named.asText() + "\" "
                    + "(instances are provisioned by the operator; a registration attaches to one)");
            }
            if (!app.spiffeId().equals(caller.toString()))
            {
                throw new MecApiException(403, "appInstanceId: application instance \"" + app.id() + "\" belongs to "
                    + "another application: " + caller + " may only register itself");
            }
            return app;
        }
        final List<AppInstance> own = backend.state().apps().values().stream()
            .filter(app -> app.spiffeId().equals(caller.toString())).toList();
        if (own.isEmpty())
        {
            throw new MecApiException(403, caller + " has no application instance provisioned: an application may "
                + "only register an instance the operator provisioned for it");
        }
        if (own.size() > 1)
        {
            throw new MecApiException(400, "appInstanceId: required: " + caller + " has " + own.size()
                + " application instances");
        }
        return own.get(0);
    }
}
