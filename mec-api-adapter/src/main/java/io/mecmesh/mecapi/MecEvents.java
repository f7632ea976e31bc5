package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.mec.MecServicesJson;
import io.mecmesh.slicemanager.mec.MecSubscriptionsJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.MecSubscription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Turns changes of the acknowledged desired state into MEC 011 notifications, whoever made them (an application over
 * Mp1, the liveness sweep, an operator's {@code apply} or {@code app delete}): it compares the state with the one it
 * last saw and notifies
 * <ul>
 * <li>every service-availability subscription whose {@code filteringCriteria} match a service that was ADDED,
 *     REMOVED, whose state changed (STATE_CHANGED: SUSPENDED by liveness, ACTIVE again, INACTIVE) or whose other
 *     attributes changed (ATTRIBUTES_CHANGED): one {@code ServiceAvailabilityNotification} per subscription and
 *     round, with every matching service;</li>
 * <li>every termination subscription of an instance whose termination became pending
 *     ({@code terminationDeadline}: {@code maxGracefulTimeout} is the time left, with the {@code confirmTermination}
 *     link), or of an instance that disappeared without a pending termination ({@code maxGracefulTimeout} 0).</li>
 * </ul>
 * The first state seen is the baseline (no notification): changes made while the control plane was down are not
 * notified. {@link #publish()} runs on a worker thread every {@link MecApiServer#EVENT_POLL}, and after each
 * subscription created or deleted over the API (else an instance subscribed and deleted within one poll would be
 * compared with a state without the subscription, and its termination go unnotified); delivery is
 * {@link Notifier}'s and does not wait. Changes between two polls are seen as one: an instance deleted by an
 * operator within one poll of a subscription made some other way (an {@code apply}) is not notified.
 */
final class MecEvents
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String root;
    private final ControlPlaneBackend backend;
    private final Notifier notifier;
    private final java.time.InstantSource clock;
    private DesiredState last;

    MecEvents(final String apiRoot, final ControlPlaneBackend backend, final Notifier notifier,
        final java.time.InstantSource clock)
    {
        this.root = requireNonNull(apiRoot, "apiRoot");
        this.backend = requireNonNull(backend, "backend");
        this.notifier = requireNonNull(notifier, "notifier");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Notifies what changed since the last call.
     *
     * @return how many notifications it handed to the notifier.
     */
    synchronized int publish()
    {
        final DesiredState state = backend.state();
        final DesiredState before = last;
        last = state;
        if (before == null || before.sequence() == state.sequence())
        {
            return 0;
        }
        return availability(before, state) + termination(before, state);
    }

    /** A service seen in a state, with the instance that registered it. */
    private record Seen(AppInstance app, MecService service)
    {
    }

    /** One changed service, as a notification reports it. */
    private record Change(AppInstance app, MecService service, String state, String changeType)
    {
    }

    private static Map<String, Seen> services(final DesiredState state)
    {
        final Map<String, Seen> services = new LinkedHashMap<>();
        for (final AppInstance app : state.apps().values())
        {
            app.services().forEach(service -> services.put(service.id(), new Seen(app, service)));
        }
        return services;
    }

    private static ObjectNode withoutState(final MecService service)
    {
        final ObjectNode document = MecServicesJson.render(service);
        document.remove("state");
        return document;
    }

    private int availability(final DesiredState before, final DesiredState after)
    {
        final Map<String, Seen> old = services(before);
        final Map<String, Seen> now = services(after);
        final List<Change> changes = new ArrayList<>();
        now.forEach((id, seen) ->
        {
            final Seen previous = old.get(id);
            if (previous == null)
            {
                changes.add(new Change(seen.app(), seen.service(), seen.service().state(), "ADDED"));
            }
            else if (!previous.service().document().equals(seen.service().document()))
            {
                final boolean onlyState = withoutState(previous.service()).equals(withoutState(seen.service()));
                changes.add(new Change(seen.app(), seen.service(), seen.service().state(),
                    onlyState ? "STATE_CHANGED" : "ATTRIBUTES_CHANGED"));
            }
        });
        old.forEach((id, seen) ->
        {
            if (!now.containsKey(id))
            {
                changes.add(new Change(seen.app(), seen.service(), seen.service().state(), "REMOVED"));
            }
        });
        if (changes.isEmpty())
        {
            return 0;
        }
        int sent = 0;
        for (final AppInstance subscriber : after.apps().values())
        {
            for (final MecSubscription subscription : subscriber.subscriptions())
            {
                if (subscription.type() != MecSubscription.Type.SER_AVAILABILITY)
                {
                    continue;
                }
                final ObjectNode notification = JSON.createObjectNode();
                notification.put("notificationType", "SerAvailabilityNotification");
                final ArrayNode references = notification.putArray("serviceReferences");
                for (final Change change : changes)
                {
                    if (MecSubscriptionsJson.matches(subscription, change.service(), change.state()))
                    {
                        final ObjectNode reference = references.addObject();
                        if (!change.changeType().equals("REMOVED"))
                        {
                            reference.putObject("link").put("href", root + "/mec_service_mgmt/v1/applications/"
                                + change.app().id() + "/services/" + change.service().id());
                        }
                        reference.put("serName", change.service().serName());
                        reference.put("serInstanceId", change.service().id());
                        reference.put("state", change.state());
                        reference.put("changeType", change.changeType());
                    }
                }
                if (!references.isEmpty())
                {
                    notification.putObject("_links").putObject("subscription").put("href",
                        SubscriptionsApi.path(root, subscription.type(), subscriber.id(), subscription.id()));
                    notifier.send(subscription.callbackReference(), notification);
                    sent++;
                }
            }
        }
        return sent;
    }

    private int termination(final DesiredState before, final DesiredState after)
    {
        int sent = 0;
        for (final AppInstance app : before.apps().values())
        {
            final AppInstance now = after.apps().get(app.id());
            if (now == null && app.terminationDeadline().isEmpty())
            {
                sent += notifyTermination(app, 0, false);
            }
            else if (now != null && now.terminationDeadline().isPresent() && app.terminationDeadline().isEmpty())
            {
                sent += notifyTermination(now, secondsLeft(now), true);
            }
        }
        for (final AppInstance app : after.apps().values())
        {
            // Created with its termination already pending (e.g. journaled while this server was not looking).
            if (!before.apps().containsKey(app.id()) && app.terminationDeadline().isPresent())
            {
                sent += notifyTermination(app, secondsLeft(app), true);
            }
        }
        return sent;
    }

    private int secondsLeft(final AppInstance app)
    {
        final long millis = app.terminationDeadline().orElseThrow().toEpochMilli() - clock.instant().toEpochMilli();
        return (int)Math.max(0, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
    }

    private int notifyTermination(final AppInstance app, final int maxGracefulTimeout, final boolean confirmable)
    {
        int sent = 0;
        for (final MecSubscription subscription : app.subscriptions())
        {
            if (subscription.type() != MecSubscription.Type.APP_TERMINATION)
            {
                continue;
            }
            final ObjectNode notification = JSON.createObjectNode();
            notification.put("notificationType", "AppTerminationNotification");
            notification.put("operationAction", "TERMINATING");
            notification.put("maxGracefulTimeout", maxGracefulTimeout);
            final ObjectNode links = notification.putObject("_links");
            links.putObject("subscription").put("href", SubscriptionsApi.path(root, subscription.type(), app.id(),
                subscription.id()));
            if (confirmable)
            {
                links.putObject("confirmTermination").put("href", TerminationApi.confirmPath(root, app.id()));
            }
            notifier.send(subscription.callbackReference(), notification);
            sent++;
        }
        return sent;
    }
}
