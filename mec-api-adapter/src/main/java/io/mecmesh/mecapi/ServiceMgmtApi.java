package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.MecServicesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * MEC 011 service management ({@code /mec_service_mgmt/v1}): service discovery ({@code GET /services} with the
 * standard's query filters, {@code GET /services/{id}}) and {@code GET /transports} for every authenticated
 * application, and an application's
 * own services (POST 201 with {@code Location}, GET, PUT with {@code If-Match}, DELETE 204).
 *
 * <p>A registered service is also a mesh service: one journaled batch puts the mesh service {@code mec-ID} (the
 * endpoints of its {@code transportInfo}, routed by its {@code serName} as host, in the application's slice),
 * places it on the application's node and records the {@code ServiceInfo} in the application instance; DELETE
 * undoes the three. Writes are serialized here, as in {@link AppSupportApi}.
 */
final class ServiceMgmtApi
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NO_QUERY = Set.of();
    private static final Set<String> SERVICE_QUERY = Set.of("ser_instance_id", "ser_name", "ser_category_id",
        "scope_of_locality", "consumed_local_only", "is_local");

    private final String root;
    private final ControlPlaneBackend backend;
    private final Object writeLock;
    private final LivenessApi liveness;

    ServiceMgmtApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock,
        final LivenessApi liveness)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
        this.liveness = requireNonNull(liveness, "liveness");
    }

    void register(final Router router)
    {
        final String base = root + "/mec_service_mgmt/v1";
        router.get(base + "/services").blockingHandler(context -> Exchanges.run(context, this::services), false);
        router.get(base + "/transports").handler(context -> Exchanges.run(context, ServiceMgmtApi::transports));
        router.get(base + "/services/:serviceId")
            .blockingHandler(context -> Exchanges.run(context, this::service), false);
        final String own = base + "/applications/:appInstanceId/services";
        router.get(own).blockingHandler(context -> Exchanges.run(context, this::ownServices), false);
        router.post(own).blockingHandler(context -> Exchanges.run(context, this::register), false);
        router.get(own + "/:serviceId").blockingHandler(context -> Exchanges.run(context, this::ownService), false);
        router.put(own + "/:serviceId").blockingHandler(context -> Exchanges.run(context, this::update), false);
        router.delete(own + "/:serviceId").blockingHandler(context -> Exchanges.run(context, this::delete), false);
    }

    /**
     * The one transport the platform offers for services: REST over HTTP through the mesh (mutual TLS between
     * nodes), no OAuth 2.0 (applications authenticate with their X.509-SVIDs).
     */
    private static void transports(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final ArrayNode body = JSON.createArrayNode();
        final ObjectNode transport = body.addObject();
        transport.put("id", "mecmesh-rest-http");
        transport.put("name", "REST");
        transport.put("description", "REST over HTTP/1.1 or HTTP/2 through the mecmesh service mesh (mutual TLS "
            + "between nodes)");
        transport.put("type", "REST_HTTP");
        transport.put("protocol", "HTTP");
        transport.put("version", "2.0");
        transport.putObject("endpoint").putArray("uris");
        transport.putObject("security");
        Exchanges.json(context, 200, body);
    }

    private void services(final RoutingContext context)
    {
        Exchanges.requireQuery(context, SERVICE_QUERY);
        final Predicate<MecService> filter = filter(context);
        final ArrayNode body = JSON.createArrayNode();
        for (final AppInstance app : backend.state().apps().values())
        {
            app.services().stream().filter(filter).forEach(service -> body.add(render(app, service)));
        }
        Exchanges.json(context, 200, body);
    }

    private void service(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final String id = context.pathParam("serviceId");
        for (final AppInstance app : backend.state().apps().values())
        {
            final MecService service = app.service(id);
            if (service != null)
            {
                Exchanges.jsonWithEtag(context, render(app, service));
                return;
            }
        }
        throw new MecApiException(404, "no service \"" + id + "\"");
    }

    /** An application's own services, with the same query filters as {@code GET /services} (MEC 011 8.2.6.3.1). */
    private void ownServices(final RoutingContext context)
    {
        Exchanges.requireQuery(context, SERVICE_QUERY);
        final Predicate<MecService> filter = filter(context);
        final AppInstance app = Exchanges.ownApp(context, backend);
        final ArrayNode body = JSON.createArrayNode();
        app.services().stream().filter(filter).forEach(service -> body.add(render(app, service)));
        Exchanges.json(context, 200, body);
    }

    private void ownService(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final AppInstance app = Exchanges.ownApp(context, backend);
        Exchanges.jsonWithEtag(context, render(app, existing(context, app)));
    }

    private void register(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        Exchanges.ownApp(context, backend);
        final JsonNode body = Exchanges.body(context);
        if (body.has("serInstanceId"))
        {
            throw new MecApiException(400, "serInstanceId: assigned by the platform, must not be sent in a POST");
        }
        final MecService service = parse(body, UUID.randomUUID().toString());
        final AppInstance app;
        synchronized (writeLock)
        {
            final DesiredState state = backend.state();
            app = Exchanges.ownApp(context, backend);
            final Node node = state.nodes().get(app.node());
            final List<String> placed = new ArrayList<>(node.services());
            placed.add(service.meshName());
            backend.submit(new Command.Batch(List.of(new Command.PutService(meshService(state, app, node, service)),
                new Command.PutNode(new Node(node.id(), node.site(), node.zone(), placed, node.mesh())),
                new Command.PutApp(app.withService(service)))));
            liveness.registered(service);
        }
        context.response().putHeader("Location", context.request().absoluteURI().replaceAll("/+$", "") + "/"
            + service.id());
        context.response().putHeader("ETag", Exchanges.etag(render(app, service)));
        Exchanges.json(context, 201, render(app, service));
    }

    private void update(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        // An unknown service is 404 whatever the body (DEC 032-3 APPSAQ_004_NF PUTs a valid ServiceInfo there).
        existing(context, Exchanges.ownApp(context, backend));
        final JsonNode body = Exchanges.body(context);
        final MecService service = parse(body, context.pathParam("serviceId"));
        final AppInstance app;
        synchronized (writeLock)
        {
            final DesiredState state = backend.state();
            app = Exchanges.ownApp(context, backend);
            final MecService current = existing(context, app);
            Exchanges.requireIfMatch(context, Exchanges.etag(render(app, current)));
            if (current.suspended())
            {
                throw new MecApiException(409, "service \"" + current.id() + "\" is SUSPENDED (its heartbeats "
                    + "lapsed): send a heartbeat (PATCH " + LivenessApi.path(root, app.id(), current.id())
                    + ") before changing it");
            }
            if (!current.equals(service))
            {
                backend.submit(new Command.Batch(List.of(
                    new Command.PutService(meshService(state, app, state.nodes().get(app.node()), service)),
                    new Command.PutApp(app.withService(service)))));
                liveness.registered(service);
            }
        }
        Exchanges.jsonWithEtag(context, render(app, service));
    }

    private void delete(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        synchronized (writeLock)
        {
            final DesiredState state = backend.state();
            final AppInstance app = Exchanges.ownApp(context, backend);
            final MecService service = existing(context, app);
            final Node node = state.nodes().get(app.node());
            final List<String> placed = new ArrayList<>(node.services());
            placed.remove(service.meshName());
            final AppInstance without;
            try
            {
                without = app.withoutService(service.id());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new MecApiException(409, "service \"" + service.id() + "\" is where an active FORWARD traffic "
                    + "rule sends its traffic; switch the rule off first: " + ex.getMessage());
            }
            final List<Command> commands = new ArrayList<>();
            commands.add(new Command.PutApp(without));
            commands.add(new Command.PutNode(new Node(node.id(), node.site(), node.zone(), placed, node.mesh())));
            if (state.services().containsKey(service.meshName()))
            {
                commands.add(new Command.DeleteService(service.meshName()));
            }
            backend.submit(new Command.Batch(commands));
        }
        context.response().setStatusCode(204).end();
    }

    /** A service from an application: {@code SUSPENDED} is the platform's to set. */
    private static MecService parse(final JsonNode body, final String id)
    {
        try
        {
            final MecService service = MecServicesJson.service(body, "", id);
            if (service.suspended())
            {
                throw new MecApiException(400, "state: SUSPENDED is set by the platform when heartbeats lapse; an "
                    + "application sends ACTIVE or INACTIVE");
            }
            return service;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new MecApiException(400, ex.getMessage());
        }
    }

    private static MecService existing(final RoutingContext context, final AppInstance app)
    {
        final String id = context.pathParam("serviceId");
        final MecService service = app.service(id);
        if (service == null)
        {
            throw new MecApiException(404, "application instance \"" + app.id() + "\" has no service \"" + id + "\"");
        }
        return service;
    }

    /**
     * The {@code ServiceInfo} answered: the accepted document and {@code _links} (self, and liveness when the
     * platform requires heartbeats from it).
     */
    private ObjectNode render(final AppInstance app, final MecService service)
    {
        final ObjectNode document = MecServicesJson.render(service);
        final ObjectNode links = document.putObject("_links");
        links.putObject("self").put("href", root + "/mec_service_mgmt/v1/applications/" + app.id() + "/services/"
            + service.id());
        if (service.requiresHeartbeats())
        {
            links.putObject("liveness").put("href", LivenessApi.path(root, app.id(), service.id()));
        }
        return document;
    }

    /** The mesh service of a registered one: its endpoints at the application's node, its name as host. */
    static Service meshService(final DesiredState state, final AppInstance app, final Node node,
        final MecService service)
    {
        try
        {
            final Service.Builder builder = Service.builder(service.meshName(), state.slices().get(app.slice()))
                .route(service.host(), "/");
            for (final MeshEndpoint endpoint : service.endpoints())
            {
                builder.endpoint(endpoint.address(), endpoint.port(), node.site(), node.zone());
            }
            return builder.build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new MecApiException(400, ex.getMessage());
        }
    }

    /** The query filters: ser_instance_id, ser_name and ser_category_id (lists, one of them at most) and the rest. */
    private static Predicate<MecService> filter(final RoutingContext context)
    {
        final List<String> exclusive = new ArrayList<>();
        for (final String name : List.of("ser_instance_id", "ser_name", "ser_category_id"))
        {
            if (!context.queryParam(name).isEmpty())
            {
                exclusive.add(name);
            }
        }
        if (exclusive.size() > 1)
        {
            throw new MecApiException(400, String.join(", ", exclusive) + ": at most one of ser_instance_id, "
                + "ser_name and ser_category_id may be given");
        }
        Predicate<MecService> filter = service -> true;
        final List<String> ids = values(context, "ser_instance_id");
        if (!ids.isEmpty())
        {
            filter = filter.and(service -> ids.contains(service.id()));
        }
        final List<String> names = values(context, "ser_name");
        if (!names.isEmpty())
        {
            filter = filter.and(service -> names.contains(service.serName()));
        }
        final List<String> categories = values(context, "ser_category_id");
        if (!categories.isEmpty())
        {
            filter = filter.and(service -> service.categoryId().map(categories::contains).orElse(false));
        }
        final List<String> scopes = values(context, "scope_of_locality");
        if (!scopes.isEmpty())
        {
            filter = filter.and(service -> service.scopeOfLocality().map(scopes::contains).orElse(false));
        }
        final Boolean consumedLocalOnly = bool(context, "consumed_local_only");
        if (consumedLocalOnly != null)
        {
            filter = filter.and(service -> service.consumedLocalOnly() == consumedLocalOnly);
        }
        final Boolean isLocal = bool(context, "is_local");
        if (isLocal != null)
        {
            filter = filter.and(service -> service.isLocal() == isLocal);
        }
        return filter;
    }

    static List<String> values(final RoutingContext context, final String name)
    {
        final List<String> values = new ArrayList<>();
        for (final String value : context.queryParam(name))
        {
            for (final String part : value.split(","))
            {
                if (!part.isBlank())
                {
                    values.add(part.trim());
                }
            }
        }
        return values;
    }

    private static Boolean bool(final RoutingContext context, final String name)
    {
        final List<String> values = context.queryParam(name);
        if (values.isEmpty())
        {
            return null;
        }
        final String value = values.get(values.size() - 1).toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false"))
        {
            throw new MecApiException(400, name + ": expected true or false, got \"" + values.get(0) + "\"");
        }
        return Boolean.valueOf(value);
    }
}
