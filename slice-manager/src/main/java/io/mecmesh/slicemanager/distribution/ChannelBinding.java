package io.mecmesh.slicemanager.distribution;

import io.aeron.Aeron;
import io.aeron.AvailableImageHandler;
import io.aeron.ExclusivePublication;
import io.aeron.UnavailableImageHandler;
import io.aeron.exceptions.AeronException;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.ChannelEndpointException;
import io.aeron.status.ChannelEndpointStatus;
import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Turns Aeron's channel errors into a failed start with one line naming the address. A bind failure ("Address already
 * in use", an address that is not local) comes back either from {@code addSubscription} / {@code addPublication}
 * itself (a {@code RegistrationException}: the embedded driver's shared thread opens the socket before it answers)
 * or later, when the driver opens the socket on another thread: the channel's status counter turns {@code ERRORED}
 * and a {@link ChannelEndpointException} reaches the client's error handler. {@link #addSubscription} and
 * {@link #addExclusivePublication} handle both: they wait, bounded, for the status to leave {@code INITIALIZING}.
 *
 * <p>Installed as the Aeron client's error handler (by {@link AeronMessaging}) it knows the reason; it logs any other
 * error. Thread safe.
 */
public final class ChannelBinding implements ErrorHandler
{
    /** How long a channel may take to bind at start before the start fails. */
    public static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ChannelBinding.class);
    private static final int MAX_REASONS = 64;

    private final Map<Integer, String> reasons = new ConcurrentHashMap<>();

    /**
     * As the Aeron client's error handler: records a channel error by its status counter id, logs any other error.
     *
     * @param error the error.
     */
    @Override
    public void onError(final Throwable error)
    {
        if (error instanceof ChannelEndpointException channel)
        {
            if (reasons.size() < MAX_REASONS)
            {
                reasons.put(channel.statusIndicatorId(), String.valueOf(channel.getMessage()));
            }
            LOG.debug("Aeron channel error: {}", channel.getMessage());
            return;
        }
        LOG.error("Aeron client error", error);
    }

    /**
     * Adds a subscription and waits until its channel is bound.
     *
     * @param aeron       the client.
     * @param channel     the channel.
     * @param streamId    the stream.
     * @param available   called when an image becomes available.
     * @param unavailable called when an image goes away.
     * @param timeout     how long to wait for the bind at most.
     * @return the bound subscription.
     * @throws IllegalStateException naming the UDP address:port and the reason when it cannot bind (one line).
     */
    public static Subscription addSubscription(final Aeron aeron, final String channel, final int streamId,
        final AvailableImageHandler available, final UnavailableImageHandler unavailable, final Duration timeout)
    {
        final Subscription subscription;
        try
        {
            subscription = aeron.addSubscription(channel, streamId, available, unavailable);
        }
        catch (final AeronException ex)
        {
            throw new IllegalStateException(describe(channel) + ": cannot bind: " + oneLine(ex.getMessage()), ex);
        }
        try
        {
            awaitBound(aeron, subscription, timeout);
            return subscription;
        }
        catch (final RuntimeException ex)
        {
            subscription.close();
            throw ex;
        }
    }

    /**
     * Adds an exclusive publication and waits until its channel is bound.
     *
     * @param aeron    the client.
     * @param channel  the channel.
     * @param streamId the stream.
     * @param timeout  how long to wait for the bind at most.
     * @return the bound publication.
     * @throws IllegalStateException naming the UDP address:port and the reason when it cannot bind (one line).
     */
    public static ExclusivePublication addExclusivePublication(final Aeron aeron, final String channel,
        final int streamId, final Duration timeout)
    {
        return addBound(aeron, channel, () -> aeron.addExclusivePublication(channel, streamId), timeout);
    }

    /**
     * Adds a publication that every other {@code addPublication} of the same channel and stream on this media driver
     * shares (one Aeron session: one image, one setup and one heartbeat stream at the receiver, whatever the number
     * of senders), and waits until its channel is bound.
     *
     * @param aeron    the client.
     * @param channel  the channel.
     * @param streamId the stream.
     * @param timeout  how long to wait for the bind at most.
     * @return the bound publication, safe to offer to from any thread.
     * @throws IllegalStateException naming the UDP address:port and the reason when it cannot bind (one line).
     */
    public static Publication addSharedPublication(final Aeron aeron, final String channel, final int streamId,
        final Duration timeout)
    {
        return addBound(aeron, channel, () -> aeron.addPublication(channel, streamId), timeout);
    }

    private static <P extends Publication> P addBound(final Aeron aeron, final String channel, final Supplier<P> add,
        final Duration timeout)
    {
        final P publication;
        try
        {
            publication = add.get();
        }
        catch (final AeronException ex)
        {
            throw new IllegalStateException(describe(channel) + ": cannot bind: " + oneLine(ex.getMessage()), ex);
        }
        try
        {
            awaitBound(aeron, publication, timeout);
            return publication;
        }
        catch (final RuntimeException ex)
        {
            publication.close();
            throw ex;
        }
    }

    /**
     * Waits until a subscription's channel is bound (see {@link #awaitActive}).
     *
     * @param aeron        the client it was added to.
     * @param subscription the subscription.
     * @param timeout      how long to wait at most.
     * @throws IllegalStateException naming the UDP address:port and the reason when it cannot bind.
     */
    public static void awaitBound(final Aeron aeron, final Subscription subscription, final Duration timeout)
    {
        awaitActive(aeron, describe(subscription.channel()), subscription::channelStatus,
            subscription.channelStatusId(), timeout);
    }

    /**
     * Waits until a publication's channel is bound (see {@link #awaitActive}).
     *
     * @param aeron       the client it was added to.
     * @param publication the publication.
     * @param timeout     how long to wait at most.
     * @throws IllegalStateException naming the UDP address:port and the reason when it cannot bind.
     */
    public static void awaitBound(final Aeron aeron, final Publication publication, final Duration timeout)
    {
        awaitActive(aeron, describe(publication.channel()), publication::channelStatus,
            publication.channelStatusId(), timeout);
    }

    /** {@code UDP 127.0.0.1:40403}: what a UDP channel binds (its endpoint, else its control address). */
    static String describe(final String channel)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        if (!"udp".equals(uri.media()))
        {
            return channel;
        }
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        return "UDP " + (endpoint != null ? endpoint : uri.get(CommonContext.MDC_CONTROL_PARAM_NAME));
    }

    /**
     * Waits until a channel is bound (its status {@code ACTIVE}, always so for IPC).
     *
     * @param aeron    the client the channel was added to (its error handler gives the reason).
     * @param what     what the channel binds, for the message, e.g. {@code "controlPlane.nodeEndpoint 127.0.0.1:7"}.
     * @param status   the channel's status ({@code subscription::channelStatus}).
     * @param statusId the channel's status counter id ({@code subscription.channelStatusId()}).
     * @param timeout  how long to wait at most.
     * @throws IllegalStateException naming {@code what} and the reason when the channel errored or did not bind in
     *                               time.
     */
    public static void awaitActive(final Aeron aeron, final String what, final LongSupplier status,
        final int statusId, final Duration timeout)
    {
        requireNonNull(aeron, "aeron");
        requireNonNull(what, "what");
        requireNonNull(status, "status");
        final long deadline = System.nanoTime() + requireNonNull(timeout, "timeout").toNanos();
        long current;
        while ((current = status.getAsLong()) == ChannelEndpointStatus.INITIALIZING)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException(what + ": not bound within " + timeout.toMillis() + " ms");
            }
            LockSupport.parkNanos(1_000_000);
        }
        if (current != ChannelEndpointStatus.ACTIVE)
        {
            throw new IllegalStateException(what + ": cannot bind: " + reason(aeron, statusId, current));
        }
    }

    private static String reason(final Aeron aeron, final int statusId, final long status)
    {
        if (aeron.context().errorHandler() instanceof ChannelBinding binding)
        {
            final long deadline = System.nanoTime() + 1_000_000_000L;
            String reason;
            // The status counter may turn ERRORED a moment before the client's conductor delivers the error.
            while ((reason = binding.reasons.get(statusId)) == null && System.nanoTime() - deadline < 0)
            {
                LockSupport.parkNanos(1_000_000);
            }
            if (reason != null)
            {
                return oneLine(reason);
            }
        }
        return "the Aeron media driver reports the channel " + ChannelEndpointStatus.status(status).toLowerCase(Locale.ROOT);
    }

    /**
     * {@code Address already in use} from the driver's
     * {@code ERROR - channel error - Address already in use (at sun.nio.ch.Net.bind0(...)): aeron:udp?..., ...}.
     */
    static String oneLine(final String reason)
    {
        String line = String.valueOf(reason).replace('\n', ' ').replace('\r', ' ');
        final int error = line.lastIndexOf("channel error - ");
        if (error >= 0)
        {
            line = line.substring(error + "channel error - ".length());
        }
        for (final String end : new String[] {" (at ", ": aeron:"})
        {
            final int at = line.indexOf(end);
            line = at > 0 ? line.substring(0, at) : line;
        }
        return line;
    }
}
