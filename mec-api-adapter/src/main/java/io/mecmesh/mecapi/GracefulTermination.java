package io.mecmesh.mecapi;

import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.api.ForwardingControlPlaneBackend;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.MecSubscription;

import java.time.Duration;
import java.time.InstantSource;
import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * The control-plane API's view of the slice manager when a MEC API runs: an operator's delete of an application
 * instance that subscribed to its termination ({@code mecmesh app delete}, {@code DELETE /v1/apps/ID}) does not
 * remove it, but journals its termination as pending ({@link AppInstance#terminatingBy}, {@link #GRACE} from now);
 * the MEC API then notifies the application ({@link MecEvents}) and removes the instance when it confirms or the
 * grace lapses ({@link TerminationApi}). A second delete while the termination is pending removes it at once. Every
 * other command, and instances without a termination subscription, pass through unchanged.
 */
public final class GracefulTermination extends ForwardingControlPlaneBackend
{
    /** How long a notified application has to confirm its termination ({@code maxGracefulTimeout}). */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private final InstantSource clock;

    private GracefulTermination(final ControlPlaneBackend backend, final InstantSource clock)
    {
        super(backend);
        this.clock = clock;
    }

    /**
     * @param backend the slice manager.
     * @return the slice manager, with operators' deletes of subscribed instances made graceful.
     */
    public static ControlPlaneBackend wrap(final ControlPlaneBackend backend)
    {
        return wrap(backend, InstantSource.system());
    }

    static ControlPlaneBackend wrap(final ControlPlaneBackend backend, final InstantSource clock)
    {
        return new GracefulTermination(requireNonNull(backend, "backend"), requireNonNull(clock, "clock"));
    }

    @Override
    public long submit(final Command command)
    {
        return delegate().submit(graceful(command));
    }

    @Override
    public long submit(final UUID requestId, final Command command)
    {
        return delegate().submit(requestId, graceful(command));
    }

    /** An operator's delete of an instance subscribed to its termination becomes its termination deadline. */
    private Command graceful(final Command command)
    {
        requireNonNull(command, "command");
        if (command instanceof Command.DeleteApp delete)
        {
            final AppInstance app = delegate().state().apps().get(delete.id());
            if (app != null && app.terminationDeadline().isEmpty() && app.subscriptions().stream()
                .anyMatch(subscription -> subscription.type() == MecSubscription.Type.APP_TERMINATION))
            {
                return new Command.PutApp(app.terminatingBy(clock.instant().plus(GRACE)));
            }
        }
        return command;
    }
}
