package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.BwAllocationsJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * MEC 015 bandwidth management ({@code /bwm/v1/bw_allocations}): an application's bandwidth allocations (GET the
 * list with the {@code app_instance_id}, {@code app_name} and {@code session_id} filters, POST 201 with
 * {@code Location}, GET one with its {@code ETag}, PUT and PATCH ({@code BwInfoDeltas}) with {@code If-Match},
 * DELETE 204).
 *
 * <p>Each change is one journaled command ({@link Command.PutBwAllocation} or {@link Command.DeleteBwAllocation}),
 * answered once journaled; the slice manager refuses an allocation over the slice's MBR or, in a GBR slice, over the
 * node's link capacity (400 with the reason). An application reaches only the allocations of its own instances
 * (403 otherwise); a list holds only those. {@code session_id}: BwInfo carries no session id, so the filter matches
 * the session-specific allocations whose {@code allocationId} it names. Writes are serialized here, as in
 * {@link AppSupportApi}.
 *
 * <p>Enforcement: application-specific allocations become rate limits on the routes of the application's registered
 * services and FORWARD traffic rules on its node (see {@code BwAllocationRates} in the compiler); session-specific
 * allocations are validated and stored only, not enforced.
 */
final class BwmApi
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NO_QUERY = Set.of();
    private static final Set<String> LIST_QUERY = Set.of("app_instance_id", "app_name", "session_id");

    private final String base;
    private final ControlPlaneBackend backend;
    private final Object writeLock;

    BwmApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock)
    {
        this.base = requireNonNull(apiRoot, "apiRoot") + "/bwm/v1/bw_allocations";
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
    }

    void register(final Router router)
    {
        router.get(base).blockingHandler(context -> Exchanges.run(context, this::list), false);
        router.post(base).blockingHandler(context -> Exchanges.run(context, this::create), false);
        final String one = base + "/:allocationId";
        router.get(one).blockingHandler(context -> Exchanges.run(context, this::get), false);
        router.put(one).blockingHandler(context -> Exchanges.run(context, this::put), false);
        router.patch(one).blockingHandler(context -> Exchanges.run(context, this::patch), false);
        router.delete(one).blockingHandler(context -> Exchanges.run(context, this::delete), false);
    }

    private void list(final RoutingContext context)
    {
        Exchanges.requireQuery(context, LIST_QUERY);
        final DesiredState state = backend.state();
        final List<String> ids = ServiceMgmtApi.values(context, "app_instance_id");
        final List<String> names = ServiceMgmtApi.values(context, "app_name");
        final List<String> sessions = ServiceMgmtApi.values(context, "session_id");
        final SpiffeId caller = context.get(MecApiServer.CALLER);
        final ArrayNode body = JSON.createArrayNode();
        for (final BwAllocation allocation : state.bwAllocations().values())
        {
            final AppInstance app = state.apps().get(allocation.appInstanceId());
            if (app == null || !app.spiffeId().equals(caller.toString())
                || !ids.isEmpty() && !ids.contains(app.id())
                || !names.isEmpty() && !names.contains(app.name())
                || !sessions.isEmpty() && (allocation.requestType() != BwAllocation.RequestType.SESSION_SPECIFIC
                || !sessions.contains(allocation.id())))
            {
                continue;
            }
            body.add(BwAllocationsJson.render(allocation));
        }
        if (body.isEmpty() && !(ids.isEmpty() && names.isEmpty() && sessions.isEmpty()))
        {
            throw new MecApiException(404, "no bandwidth allocation of " + caller + " matches "
                + context.request().query());
        }
        Exchanges.json(context, 200, body);
    }

    private void create(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final String id = UUID.randomUUID().toString();
        final BwAllocation allocation = parse(Exchanges.body(context), json -> BwAllocationsJson.bwInfo(json, id));
        synchronized (writeLock)
        {
            ownedApp(context, allocation.appInstanceId());
            backend.submit(new Command.PutBwAllocation(allocation));
        }
        context.response().putHeader("Location", context.request().absoluteURI().replaceAll("/+$", "") + "/" + id);
        context.response().putHeader("ETag", Exchanges.etag(BwAllocationsJson.render(allocation)));
        Exchanges.json(context, 201, BwAllocationsJson.render(allocation));
    }

    private void get(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        Exchanges.jsonWithEtag(context, BwAllocationsJson.render(existing(context)));
    }

    private void put(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        existing(context);
        final JsonNode body = Exchanges.body(context);
        final String id = context.pathParam("allocationId");
        final BwAllocation allocation = parse(body, json -> BwAllocationsJson.bwInfo(json, id));
        replace(context, current ->
        {
            if (!current.appInstanceId().equals(allocation.appInstanceId()))
            {
                throw new MecApiException(400, "appInsId: \"" + allocation.appInstanceId() + "\" is not the "
                    + "instance of this allocation (\"" + current.appInstanceId() + "\")");
            }
            return allocation;
        });
    }

    private void patch(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        existing(context);
        final JsonNode body = Exchanges.body(context);
        replace(context, current -> parse(body, json -> BwAllocationsJson.deltas(current, json)));
    }

    /** Replaces the path's allocation by {@code change} of it, checking {@code If-Match} against the current one. */
    private void replace(final RoutingContext context, final Function<BwAllocation, BwAllocation> change)
    {
        final BwAllocation changed;
        synchronized (writeLock)
        {
            final BwAllocation current = existing(context);
            Exchanges.requireIfMatch(context, Exchanges.etag(BwAllocationsJson.render(current)));
            changed = change.apply(current);
            if (!changed.equals(current))
            {
                backend.submit(new Command.PutBwAllocation(changed));
            }
        }
        Exchanges.jsonWithEtag(context, BwAllocationsJson.render(changed));
    }

    private void delete(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        synchronized (writeLock)
        {
            backend.submit(new Command.DeleteBwAllocation(existing(context).id()));
        }
        context.response().setStatusCode(204).end();
    }

    /**
     * The path's allocation, if the caller owns its instance.
     *
     * @throws MecApiException 404 if there is none, 403 if it belongs to another application.
     */
    private BwAllocation existing(final RoutingContext context)
    {
        final String id = context.pathParam("allocationId");
        final BwAllocation allocation = backend.state().bwAllocations().get(id);
        if (allocation == null)
        {
            throw new MecApiException(404, "no bandwidth allocation \"" + id + "\"");
        }
        ownedApp(context, allocation.appInstanceId());
        return allocation;
    }

    /**
     * The instance {@code appInsId} names, if the caller is that application.
     *
     * @throws MecApiException 400 if there is no such instance (a field of the body), 403 if it is another's.
     */
    private AppInstance ownedApp(final RoutingContext context, final String appInsId)
    {
        final AppInstance app = backend.state().apps().get(appInsId);
        if (app == null)
        {
            throw new MecApiException(400, "appInsId: no application instance \"" + appInsId + "\"");
        }
        final SpiffeId caller = context.get(MecApiServer.CALLER);
        if (!app.spiffeId().equals(caller.toString()))
        {
            throw new MecApiException(403, "application instance \"" + appInsId + "\" belongs to another "
                + "application: " + caller + " may only use its own bandwidth allocations");
        }
        return app;
    }

    private static BwAllocation parse(final JsonNode body, final Function<JsonNode, BwAllocation> read)
    {
        try
        {
            return read.apply(body);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new MecApiException(400, ex.getMessage());
        }
    }
}
