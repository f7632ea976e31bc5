package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.Node;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The end of an application instance's graceful termination ({@link GracefulTermination} starts it, {@link MecEvents}
 * notifies it): {@code POST .../applications/{id}/confirm_termination} ({@code AppTerminationConfirmation},
 * {@code operationAction: TERMINATING}) removes the instance at once (204; 409 when no termination is pending, 400
 * for a bad body), and {@link #sweep()} removes the instances whose grace lapsed. A removal is one journaled batch:
 * the mesh services of the instance's registered services and their placement, and the instance.
 */
final class TerminationApi
{
    private static final Set<String> NO_QUERY = Set.of();
    private static final Set<String> ACTIONS = Set.of("TERMINATING", "STOPPING");

    private final String root;
    private final ControlPlaneBackend backend;
    private final Object writeLock;
    private final InstantSource clock;
    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong lapsed = new AtomicLong();

    TerminationApi(final String apiRoot, final ControlPlaneBackend backend, final Object writeLock,
        final InstantSource clock)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.writeLock = requireNonNull(writeLock, "writeLock");
        this.clock = requireNonNull(clock, "clock");
    }

    void register(final Router router)
    {
        for (final String version : new String[] {"v2", "v1"})
        {
            router.post(root + "/mec_app_support/" + version + "/applications/:appInstanceId/confirm_termination")
                .blockingHandler(context -> Exchanges.run(context, this::confirm), false);
        }
    }

    private void confirm(final RoutingContext context)
    {
        Exchanges.requireQuery(context, NO_QUERY);
        Exchanges.ownApp(context, backend);
        final JsonNode body = Exchanges.body(context);
        final JsonNode action = body.get("operationAction");
        if (!body.isObject() || body.size() != 1 || action == null || !action.isTextual()
            || !ACTIONS.contains(action.asText()))
        {
            throw new MecApiException(400, "operationAction: expected {\"operationAction\":\"TERMINATING\"} "
                + "(AppTerminationConfirmation; STOPPING or TERMINATING), got " + body);
        }
        synchronized (writeLock)
        {
            final AppInstance app = Exchanges.ownApp(context, backend);
            if (app.terminationDeadline().isEmpty())
            {
                throw new MecApiException(409, "application instance \"" + app.id() + "\" has no pending "
                    + "termination to confirm");
            }
            if (!"TERMINATING".equals(action.asText()))
            {
                throw new MecApiException(409, "operationAction: the pending operation of application instance \""
                    + app.id() + "\" is TERMINATING, not " + action.asText());
            }
            remove(backend.state(), app);
            confirmed.incrementAndGet();
        }
        context.response().setStatusCode(204).end();
    }

    /**
     * Removes the instances whose termination is pending and whose grace lapsed. Runs on a worker thread.
     *
     * @return how many it removed.
     */
    int sweep()
    {
        final Instant now = clock.instant();
        int removed = 0;
        synchronized (writeLock)
        {
            for (final AppInstance app : backend.state().apps().values())
            {
                if (app.terminationDeadline().isPresent() && !now.isBefore(app.terminationDeadline().get()))
                {
                    remove(backend.state(), app);
                    lapsed.incrementAndGet();
                    removed++;
                }
            }
        }
        return removed;
    }

    private void remove(final DesiredState state, final AppInstance app)
    {
        final List<Command> commands = new ArrayList<>();
        final Node node = state.nodes().get(app.node());
        if (node != null)
        {
            final List<String> placed = new ArrayList<>(node.services());
            if (placed.removeIf(name -> app.services().stream().anyMatch(service -> service.meshName().equals(name))))
            {
                commands.add(new Command.PutNode(new Node(node.id(), node.site(), node.zone(), placed, node.mesh())));
            }
        }
        for (final MecService service : app.services())
        {
            if (state.services().containsKey(service.meshName()) && state.nodes().values().stream()
                .allMatch(other -> other.id().equals(app.node()) || !other.services().contains(service.meshName())))
            {
                commands.add(new Command.DeleteService(service.meshName()));
            }
        }
        commands.add(new Command.DeleteApp(app.id()));
        backend.submit(new Command.Batch(commands));
    }

    /**
     * @return terminations the application confirmed, since start.
     */
    long confirmed()
    {
        return confirmed.get();
    }

    /**
     * @return instances removed because their grace lapsed without a confirmation, since start.
     */
    long lapsed()
    {
        return lapsed.get();
    }

    /**
     * @return the path of an instance's confirm_termination task (v2).
     */
    static String confirmPath(final String apiRoot, final String appId)
    {
        return apiRoot + "/mec_app_support/v2/applications/" + appId + "/confirm_termination";
    }
}
