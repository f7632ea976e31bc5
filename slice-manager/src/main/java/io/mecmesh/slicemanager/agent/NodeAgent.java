package io.mecmesh.slicemanager.agent;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.mecmesh.slicemanager.distribution.ChannelBinding;
import io.mecmesh.slicemanager.distribution.ConfigListener;
import io.mecmesh.slicemanager.distribution.ConfigSubscriberAdapter;
import io.mecmesh.slicemanager.distribution.ControlPlaneProxy;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import io.mecmesh.slicemanager.distribution.MessageAuthenticator;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The node agent of an edge appliance: receives its configurations over Aeron, has the {@link NodeConfigConductor}
 * validate, persist and apply them, and acknowledges every verdict to the slice manager.
 *
 * <ul>
 *   <li>{@link #onStart()} first loads and applies the last known good configuration (the node serves with it even
 *       when the control plane is unreachable, {@link #startOutcome()} says what happened), then opens the channels
 *       and waits until they are bound (it throws, naming the address, when one cannot be).</li>
 *   <li>Whenever the slice manager's CONFIG stream becomes available or goes away (at start, after the slice manager
 *       or the link comes back, after this node fell behind so far that its image timed out) and after a duty cycle
 *       came more than two heartbeat intervals after the previous one (this agent was stalled), the agent asks to
 *       catch up, sending the version it runs; the slice manager answers with the latest configuration for this
 *       node if it is newer. CONFIG frames tagged for other nodes are dropped before reassembly.</li>
 *   <li>The ACK publication (ACKs, CATCH_UPs, heartbeats) is shared by every node agent of the media driver: one
 *       Aeron session per process, not per node, so a host simulating a fleet (or several edges on one server) does
 *       not open hundreds of sessions into the control plane's one ACK socket (at 1,000 nodes their setup, status
 *       and heartbeat traffic overflowed it: NOTES.md "Fleet-scale distribution"). Messages carry the node id; one
 *       node's messages stay in order.</li>
 *   <li>Verdicts wait in a small queue until the ACK publication takes them (it may not be connected yet); beyond
 *       {@value #MAX_PENDING_ACKS} the oldest is dropped: the slice manager resends what it has no ACK for.</li>
 * </ul>
 *
 * <p>The control plane counts as reachable while the CONFIG stream has an image; the agent logs each change once
 * (lost: WARN, back: INFO) and keeps the time of the last contact ({@link #isConnected()}, {@link #lastContactNs()}).
 * {@link #fallback()} says why the node does not run its current last-known-good file, until a configuration from
 * the control plane applies.
 *
 * <p>{@link #onStart()}, {@link #doWork()} and {@link #onClose()} run on one thread; {@link #runningVersion()} and
 * {@link #counters()} are safe from any thread.
 */
public final class NodeAgent implements Agent, ConfigListener
{
    /** Most verdicts waiting to be acknowledged. */
    public static final int MAX_PENDING_ACKS = 64;
    /** Default time between heartbeats: the control plane shows a node as not connected after a few missed. */
    public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = 1_000_000_000L;

    /** {@link #lastContactNs()} before any contact. */
    public static final long NEVER = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    private static final int FRAGMENT_LIMIT = 16;
    /** Heartbeat intervals without a duty cycle after which the agent asks to catch up. */
    private static final int STALL_HEARTBEATS = 2;

    private final Context context;
    private final DistributionCounters counters = new DistributionCounters();
    private final MessageAuthenticator authenticator;
    private final NodeConfigConductor conductor;
    private final FragmentHandler assembler;
    private final ArrayDeque<ConfigVerdict> pendingAcks = new ArrayDeque<>();
    private volatile long runningVersion;
    private volatile boolean catchUpWanted = true;
    private volatile String fallback;
    private volatile boolean connected;
    private volatile long lastContactNs = NEVER;
    private boolean everConnected;
    private boolean ackBlocked;
    private long lastDutyCycleNs;
    private long nextHeartbeatNs;
    private NodeConfigConductor.StartOutcome startOutcome;
    private Subscription subscription;
    private Publication publication;
    private ControlPlaneProxy controlPlane;

    /**
     * @param context the settings.
     */
    public NodeAgent(final Context context)
    {
        this.context = requireNonNull(context, "context");
        this.authenticator = new MessageAuthenticator(context.key());
        this.conductor = new NodeConfigConductor(context.nodeId(), new LastKnownGoodStore(context.lastKnownGoodDirectory()),
            context.applier(), new ConfigVerifier(context.verificationKeys(), context.lastKnownGoodDirectory()),
            counters);
        this.assembler = ConfigSubscriberAdapter.skippingOtherNodes(context.nodeId(), new FragmentAssembler(
            new ConfigSubscriberAdapter(context.nodeId(), authenticator, counters, this)));
        this.runningVersion = conductor.runningVersion();
    }

    @Override
    public void onStart()
    {
        startOutcome = conductor.startFromLastKnownGood();
        runningVersion = conductor.runningVersion();
        fallback = startOutcome.fallback().orElse(null);
        final DistributionChannels channels = context.channels().forNode(context.nodeId());
        subscription = ChannelBinding.addSubscription(context.aeron(), channels.configChannel(),
            channels.configStreamId(), image -> catchUpWanted = true, image -> catchUpWanted = true,
            ChannelBinding.DEFAULT_BIND_TIMEOUT);
        publication = ChannelBinding.addSharedPublication(context.aeron(), channels.ackChannel(),
            channels.ackStreamId(), ChannelBinding.DEFAULT_BIND_TIMEOUT);
        controlPlane = new ControlPlaneProxy(context.nodeId(), publication, authenticator);
        nextHeartbeatNs = context.clock().nanoTime() + context.heartbeatIntervalNs();
        lastDutyCycleNs = context.clock().nanoTime();
    }

    @Override
    public int doWork()
    {
        final long startNs = context.clock().nanoTime();
        if (startNs - lastDutyCycleNs > STALL_HEARTBEATS * context.heartbeatIntervalNs())
        {
            // This agent was not polled for a while (a stalled thread, a stopped process): what it missed may be
            // beyond what the publication still holds, and the publisher paces its resends; ask at once.
            catchUpWanted = true;
            counters.increment(DistributionCounter.STALL_DETECTED);
        }
        lastDutyCycleNs = startNs;
        int work = subscription.poll(assembler, FRAGMENT_LIMIT);
        work += sendPendingAcks();
        trackControlPlane(context.clock().nanoTime());
        if (catchUpWanted && controlPlane.catchUp(conductor.runningVersion()))
        {
            catchUpWanted = false;
            counters.increment(DistributionCounter.CATCH_UP_SENT);
            nextHeartbeatNs = context.clock().nanoTime() + context.heartbeatIntervalNs();
            work++;
        }
        final long nowNs = context.clock().nanoTime();
        if (nowNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = nowNs + context.heartbeatIntervalNs();
            if (controlPlane.heartbeat(conductor.runningVersion()))
            {
                counters.increment(DistributionCounter.HEARTBEAT_SENT);
                work++;
            }
        }
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.closeAll(subscription, publication);
    }

    @Override
    public String roleName()
    {
        return "mecmesh-node-agent-" + context.nodeId();
    }

    @Override
    public void onConfig(final long version, final byte[] sha256, final byte[] payload)
    {
        final ConfigVerdict verdict = conductor.onConfig(version, sha256, payload);
        enqueue(verdict);
        runningVersion = conductor.runningVersion();
        if (verdict.isAccepted() && fallback != null)
        {
            LOG.info("node {}: configuration version {} from the control plane applied; the last known good "
                + "fallback is over", context.nodeId(), version);
            fallback = null;
        }
    }

    /**
     * Follows the control plane's reachability: connected while the CONFIG stream has an image (Aeron keeps it
     * alive with its own heartbeats while the slice manager's publication exists and the link works; it goes after
     * the image liveness timeout, 10 s by default). Each transition is logged once.
     */
    private void trackControlPlane(final long nowNs)
    {
        final boolean now = subscription.isConnected();
        if (now)
        {
            lastContactNs = nowNs;
        }
        if (now == connected)
        {
            return;
        }
        connected = now;
        if (now)
        {
            if (everConnected)
            {
                LOG.info("node {}: control plane reachable again, running configuration version {}",
                    context.nodeId(), runningVersion);
            }
            else
            {
                LOG.info("node {}: control plane reachable, running configuration version {}", context.nodeId(),
                    runningVersion);
            }
            everConnected = true;
        }
        else
        {
            LOG.warn("node {}: lost the control plane; serving configuration version {} until it returns",
                context.nodeId(), runningVersion);
        }
    }

    @Override
    public void onBadMac(final long claimedVersion)
    {
        enqueue(conductor.onBadMac(claimedVersion));
    }

    /**
     * @return what loading the last known good configuration gave (after {@link #onStart()}).
     */
    public NodeConfigConductor.StartOutcome startOutcome()
    {
        if (startOutcome == null)
        {
            throw new IllegalStateException("the node agent has not started");
        }
        return startOutcome;
    }

    /**
     * @return the conductor (on the agent's thread only).
     */
    public NodeConfigConductor conductor()
    {
        return conductor;
    }

    /**
     * @return the version running, -1 for none; from any thread.
     */
    public long runningVersion()
    {
        return runningVersion;
    }

    /**
     * @return why the node does not run its current last known good file (it fell back to the previous one, or to
     *     nothing) until the control plane sends a configuration that applies; empty otherwise. From any thread.
     */
    public Optional<String> fallback()
    {
        return Optional.ofNullable(fallback);
    }

    /**
     * @return whether the control plane is reachable now; from any thread.
     */
    public boolean isConnected()
    {
        return connected;
    }

    /**
     * @return the {@link Context#clock()} time of the last contact with the control plane, {@link #NEVER} before
     *     the first; from any thread.
     */
    public long lastContactNs()
    {
        return lastContactNs;
    }

    /**
     * @return this node's counters.
     */
    public DistributionCounters counters()
    {
        return counters;
    }

    private void enqueue(final ConfigVerdict verdict)
    {
        if (pendingAcks.size() == MAX_PENDING_ACKS)
        {
            pendingAcks.pollFirst();
            counters.increment(DistributionCounter.ACK_SEND_FAILED);
        }
        pendingAcks.addLast(verdict);
    }

    private int sendPendingAcks()
    {
        int work = 0;
        ConfigVerdict verdict;
        while ((verdict = pendingAcks.peekFirst()) != null)
        {
            if (!controlPlane.ack(verdict.version(), verdict.reason(), verdict.detail()))
            {
                if (!ackBlocked)
                {
                    ackBlocked = true;
                    counters.increment(DistributionCounter.ACK_SEND_FAILED);
                }
                break;
            }
            ackBlocked = false;
            pendingAcks.pollFirst();
            counters.increment(DistributionCounter.ACK_SENT);
            work++;
        }
        return work;
    }

    /**
     * The node agent's settings; checked on construction.
     *
     * @param nodeId                 this node's id.
     * @param aeron                  the Aeron client (not closed by the agent).
     * @param channels               the node's side of the channels; with {@code shards > 1} the node subscribes to
     *                               its own shard ({@link DistributionChannels#forNode(String)}).
     * @param key                    the shared HMAC key, at least 32 bytes.
     * @param lastKnownGoodDirectory where the last-known-good files live.
     * @param applier                the data plane.
     * @param clock                  the clock of heartbeats.
     * @param heartbeatIntervalNs    time between heartbeats, more than 0.
     * @param verificationKeys       the control plane's configuration-verification keys, read at each verification;
     *                               empty: trust the keys pinned at first contact ({@link ConfigVerifier}).
     */
    public record Context(String nodeId, Aeron aeron, DistributionChannels channels, byte[] key,
        Path lastKnownGoodDirectory, ConfigApplier applier, NanoClock clock, long heartbeatIntervalNs,
        Supplier<List<PublicKey>> verificationKeys)
    {
        /**
         * Settings that pin the control plane's keys at first contact.
         *
         * @param nodeId                 this node's id.
         * @param aeron                  the Aeron client (not closed by the agent).
         * @param channels               the node's side of the channels.
         * @param key                    the shared HMAC key, at least 32 bytes.
         * @param lastKnownGoodDirectory where the last-known-good files live.
         * @param applier                the data plane.
         * @param clock                  the clock of heartbeats.
         * @param heartbeatIntervalNs    time between heartbeats, more than 0.
         */
        public Context(final String nodeId, final Aeron aeron, final DistributionChannels channels, final byte[] key,
            final Path lastKnownGoodDirectory, final ConfigApplier applier, final NanoClock clock,
            final long heartbeatIntervalNs)
        {
            this(nodeId, aeron, channels, key, lastKnownGoodDirectory, applier, clock, heartbeatIntervalNs, List::of);
        }

        /**
         * Settings with the system clock and the default heartbeat interval.
         *
         * @param nodeId                 this node's id.
         * @param aeron                  the Aeron client (not closed by the agent).
         * @param channels               the node's side of the channels.
         * @param key                    the shared HMAC key, at least 32 bytes.
         * @param lastKnownGoodDirectory where the last-known-good files live.
         * @param applier                the data plane.
         */
        public Context(final String nodeId, final Aeron aeron, final DistributionChannels channels, final byte[] key,
            final Path lastKnownGoodDirectory, final ConfigApplier applier)
        {
            this(nodeId, aeron, channels, key, lastKnownGoodDirectory, applier, SystemNanoClock.INSTANCE,
                DEFAULT_HEARTBEAT_INTERVAL_NS, List::of);
        }

        /**
         * @param keys the verification keys to use.
         * @return these settings with them.
         */
        public Context withVerificationKeys(final Supplier<List<PublicKey>> keys)
        {
            return new Context(nodeId, aeron, channels, key, lastKnownGoodDirectory, applier, clock,
                heartbeatIntervalNs, keys);
        }

        public Context
        {
            requireNonNull(nodeId, "nodeId");
            requireNonNull(aeron, "aeron");
            requireNonNull(channels, "channels");
            requireNonNull(key, "key");
            requireNonNull(lastKnownGoodDirectory, "lastKnownGoodDirectory");
            requireNonNull(applier, "applier");
            requireNonNull(clock, "clock");
            requireNonNull(verificationKeys, "verificationKeys");
            if (heartbeatIntervalNs <= 0)
            {
                throw new IllegalArgumentException("heartbeatIntervalNs: expected more than 0, got "
                    + heartbeatIntervalNs);
            }
            if (nodeId.isBlank())
            {
                throw new IllegalArgumentException("nodeId: must not be empty");
            }
            if (key.length < MessageAuthenticator.MIN_KEY_LENGTH)
            {
                throw new IllegalArgumentException("key: expected at least " + MessageAuthenticator.MIN_KEY_LENGTH
                    + " bytes, got " + key.length);
            }
            key = key.clone();
        }
    }
}
