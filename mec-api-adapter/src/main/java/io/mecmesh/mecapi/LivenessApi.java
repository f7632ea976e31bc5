package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.MecServicesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.Node;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.InstantSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * MEC 011 v3 service liveness: {@code GET} answers a service's {@code ServiceLivenessInfo}, {@code PATCH} with
 * {@code {"state":"ACTIVE"}} is its heartbeat (204). The resource, whose URI the standard leaves to the platform, is
 * {@code .../applications/{appInstanceId}/services/{serInstanceId}/liveness} (only the owning application may use
 * it), and is announced in the service's {@code _links.liveness}.
 *
 * <p>A service registered with a {@code livenessInterval} over 0 must beat within {@link #MISSED_BEATS} intervals;
 * when it does not, {@link #sweep()} suspends it with one journaled batch (state {@code SUSPENDED} in the app
 * instance, mesh service deleted, its placement removed from the app's node), and its next heartbeat puts it back
 * the same way. The times of the last heartbeats are kept in memory only: after a restart every service has a full
 * lapse from the first sweep that sees it.
 */
final class LivenessApi
{
    /** Intervals without a heartbeat after which a service is suspended (one late beat is tolerated). */
    static final int MISSED_BEATS = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NO_QUERY = Set.of();

    private final String root;
    private final ControlPlaneBackend backend;
    private final Object writeLock;
    private final InstantSource clock;
    private final Map<String, Instant> lastBeats = new ConcurrentHashMap<>();
    private final AtomicLong suspensions = new AtomicLong();
    private final AtomicLong resumptions = new AtomicLong();

    LivenessApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock, final InstantSource clock)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(final Router router)
    {
        final String path = root + "/mec_service_mgmt/v1/applications/:appInstanceId/services/:serviceId/liveness";
        router.get(path).blockingHandler(context -> Exchanges.run(context, this::get), false);
        router.patch(path).blockingHandler(context -> Exchanges.run(context, this::beat), false);
    }

    /**
     * @param apiRoot the API root.
     * @param appId   the owning application instance.
     * @param service a registered service.
     * @return the path of its liveness resource.
     */
    static String path(final String apiRoot, final String appId, final String service)
    {
        return apiRoot + "/mec_service_mgmt/v1/applications/" + appId + "/services/" + service + "/liveness";
    }

    /** A service just registered (or changed) with heartbeats: its interval starts now. */
    void registered(final MecService service)
    {
        if (service.requiresHeartbeats())
        {
            lastBeats.put(service.id(), clock.instant());
        }
    }

    private void get(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        final MecService service = beating(context, Exchanges.ownApp(context, backend));
        Exchanges.json(context, 200, info(service, lastBeats.getOrDefault(service.id(), clock.instant())));
    }

    private void beat(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        Exchanges.ownApp(context, backend);
        final JsonNode body = Exchanges.body(context);
        if (!body.isObject() || body.size() != 1 || !"ACTIVE".equals(body.path("state").asText(null)))
        {
            throw new MecApiException(400, "state: a heartbeat is {\"state\":\"ACTIVE\"} (ServiceLivenessUpdate), "
                + "got " + body);
        }
        synchronized (writeLock)
        {
            final DesiredState state = backend.state();
            final AppInstance app = Exchanges.ownApp(context, backend);
            final MecService service = beating(context, app);
            lastBeats.put(service.id(), clock.instant());
            if (service.suspended())
            {
                final MecService active = MecServicesJson.withState(service, "ACTIVE");
                final Node node = state.nodes().get(app.node());
                final List<String> placed = new ArrayList<>(node.services());
                if (!placed.contains(active.meshName()))
                {
                    placed.add(active.meshName());
                }
                backend.submit(new Command.Batch(List.of(
                    new Command.PutService(ServiceMgmtApi.meshService(state, app, node, active)),
                    new Command.PutNode(new Node(node.id(), node.site(), node.zone(), placed, node.mesh())),
                    new Command.PutApp(app.withService(active)))));
                resumptions.incrementAndGet();
            }
        }
        context.response().setStatusCode(204).end();
    }

    /**
     * Suspends every ACTIVE or INACTIVE service with heartbeats whose last beat is more than {@link #MISSED_BEATS}
     * intervals ago (a service first seen here, e.g. after a restart, starts its interval now). Runs on a worker
     * thread, under the write lock, one journaled batch per suspended service.
     *
     * @return how many services it suspended.
     */
    int sweep()
    {
        final Instant now = clock.instant();
        int suspended = 0;
        synchronized (writeLock)
        {
            final Set<String> registered = new HashSet<>();
            for (final AppInstance app : backend.state().apps().values())
            {
                for (final MecService service : app.services())
                {
                    registered.add(service.id());
                    if (!service.requiresHeartbeats() || service.suspended())
                    {
                        continue;
                    }
                    final Instant last = lastBeats.computeIfAbsent(service.id(), id -> now);
                    if (now.isAfter(last.plus(Duration.ofSeconds((long)service.livenessInterval() * MISSED_BEATS))))
                    {
                        suspend(service.id());
                        suspended++;
                    }
                }
            }
            // Deleted services' beats are forgotten.
            lastBeats.keySet().retainAll(registered);
        }
        return suspended;
    }

    private void suspend(final String serviceId)
    {
        final DesiredState state = backend.state();
        for (final AppInstance app : state.apps().values())
        {
            final MecService service = app.service(serviceId);
            if (service == null)
            {
                continue;
            }
            final List<Command> commands = new ArrayList<>();
            commands.add(new Command.PutApp(app.withService(MecServicesJson.withState(service, MecService.SUSPENDED))));
            final Node node = state.nodes().get(app.node());
            if (node != null && node.services().contains(service.meshName()))
            {
                final List<String> placed = new ArrayList<>(node.services());
                placed.remove(service.meshName());
                commands.add(new Command.PutNode(new Node(node.id(), node.site(), node.zone(), placed, node.mesh())));
            }
            if (state.services().containsKey(service.meshName()))
            {
                commands.add(new Command.DeleteService(service.meshName()));
            }
            backend.submit(new Command.Batch(commands));
            suspensions.incrementAndGet();
            return;
        }
    }

    /**
     * @return services suspended because their heartbeats lapsed, since start.
     */
    long suspensions()
    {
        return suspensions.get();
    }

    /**
     * @return suspended services a heartbeat put back, since start.
     */
    long resumptions()
    {
        return resumptions.get();
    }

    /**
     * @return how many services' last heartbeats are remembered.
     */
    int remembered()
    {
        return lastBeats.size();
    }

    private static MecService beating(final RoutingContext context, final AppInstance app)
    {
        final String id = context.pathParam("serviceId");
        final MecService service = app.service(id);
        if (service == null)
        {
            throw new MecApiException(404, "application instance \"" + app.id() + "\" has no service \"" + id + "\"");
        }
        if (!service.requiresHeartbeats())
        {
            throw new MecApiException(404, "service \"" + id + "\" was registered without a livenessInterval: the "
                + "platform requires no heartbeats from it");
        }
        return service;
    }

    private static ObjectNode info(final MecService service, final Instant lastBeat)
    {
        final ObjectNode info = JSON.createObjectNode();
        info.put("state", service.state());
        final ObjectNode stamp = info.putObject("timeStamp");
        stamp.put("seconds", lastBeat.getEpochSecond());
        stamp.put("nanoSeconds", lastBeat.getNano());
        info.put("interval", service.livenessInterval());
        return info;
    }
}
