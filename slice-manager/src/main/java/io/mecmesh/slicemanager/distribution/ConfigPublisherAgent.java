package io.mecmesh.slicemanager.distribution;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.ReservedValueSupplier;
import io.aeron.logbuffer.Header;
import io.mecmesh.slicemanager.compiler.CompiledMesh;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.NanoClock;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.STATUS_ACCEPTED;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.STATUS_REJECTED;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_ACK;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_CATCH_UP;
import static io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor.TYPE_HEARTBEAT;
import static java.util.Objects.requireNonNull;

/**
 * The slice manager's side of distribution: holds the latest configuration of every node, sends it on the CONFIG
 * channel, and reads the nodes' ACKs and catch-up requests.
 *
 * <ul>
 *   <li>{@link #publish(NodeMeshConfig)} (any thread) hands over a newly compiled configuration; the duty cycle
 *       encodes it once ({@link MeshConfigCodec}), signs it ({@link SignedConfig}) and sends it. When the signing
 *       keys change (a rotation), every held configuration is signed again and sent again at its version.</li>
 *   <li>A configuration not acknowledged within {@code resendIntervalNs} is sent again (a node that was away, a lost
 *       message), at most {@code maxResendsPerSecond} a second over all nodes (a fleet with dead nodes does not
 *       flood); one the node rejected for its content is not resent until the node asks for it (one rejected for a
 *       bad MAC is: what the node saw was not what this publisher sent).</li>
 *   <li>Snapshot on demand: a CATCH_UP from a node that runs an older version (or none) is answered at once with
 *       its latest configuration.</li>
 *   <li>ACKs and CATCH_UPs whose MAC does not verify are counted and dropped.</li>
 * </ul>
 * {@link #status()} gives each node's applied version and last rejection, from any thread. With
 * {@code shards > 1} a node's configurations go on its shard's publication ({@link DistributionChannels#shardOf});
 * every CONFIG frame carries {@link ConfigSubscriberAdapter#nodeTag} of its node in the reserved value.
 *
 * <p>The duty cycle ({@link #doWork()}) and {@link #onStart()} / {@link #onClose()} run on one thread (an
 * {@code AgentRunner} or a composite agent); {@link #publish}, {@link #status()} and {@link #counters()} are safe
 * from any thread.
 */
public final class ConfigPublisherAgent implements Agent
{
    /** Default time after which an unacknowledged configuration is sent again. */
    public static final long DEFAULT_RESEND_INTERVAL_NS = 1_000_000_000L;
    /** Default most timed resends a second (a token bucket holding one second's worth). */
    public static final int DEFAULT_MAX_RESENDS_PER_SECOND = 200;

    /**
     * Most often {@link #status()} is rebuilt (a copy of every node's status): at 1,000 nodes heartbeats alone
     * change it ~1,000 times a second.
     */
    public static final long STATUS_SNAPSHOT_INTERVAL_NS = 10_000_000L;

    private static final int FRAGMENT_LIMIT = 16;

    private final Context context;
    private final MessageAuthenticator authenticator;
    private final DistributionMessageEncoder encoder;
    private final DistributionMessageFlyweight message = new DistributionMessageFlyweight();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final ManyToOneConcurrentLinkedQueue<NodeMeshConfig> published = new ManyToOneConcurrentLinkedQueue<>();
    private final Map<String, NodeEntry> nodes = new TreeMap<>();
    private final DistributionCounters counters = new DistributionCounters();
    private volatile LongConsumer appliedListener = durationNs -> { };
    private List<PublicKey> signingKeys;
    private long nextKeyCheckNs;
    private volatile Map<String, NodeStatus> status = Map.of();
    private boolean statusChanged;
    private long lastSnapshotNs = System.nanoTime() - STATUS_SNAPSHOT_INTERVAL_NS;
    /** Something may have become due (a new or re-signed configuration, a catch-up, a node behind), or a retry. */
    private boolean scanWanted;
    /** The earliest timed resend (or resend token) when nothing else is due: no scan of every node before it. */
    private long nextDueNs;
    private ExclusivePublication[] publications;
    private boolean[] backPressured;
    private Subscription subscription;
    private double resendTokens;
    private long resendTokensNs;
    private long sendingTag;
    private final ReservedValueSupplier tagOfSending = (termBuffer, termOffset, frameLength) -> sendingTag;

    /**
     * @param context the settings.
     */
    public ConfigPublisherAgent(final Context context)
    {
        this.context = requireNonNull(context, "context");
        this.authenticator = new MessageAuthenticator(context.key());
        this.encoder = new DistributionMessageEncoder(authenticator);
    }

    /**
     * Hands over a node's newly compiled configuration. A configuration not newer than the one held for the node is
     * ignored (and counted). Safe from any thread.
     *
     * @param config the node's configuration.
     */
    public void publish(final NodeMeshConfig config)
    {
        published.offer(requireNonNull(config, "config"));
    }

    /**
     * Hands over every node's configuration of a compilation (unchanged ones are ignored cheaply: same version).
     *
     * @param mesh the compilation.
     */
    public void publish(final CompiledMesh mesh)
    {
        requireNonNull(mesh, "mesh").nodes().values().forEach(this::publish);
    }

    /**
     * @return every known node's status, by node id (an immutable snapshot).
     */
    public Map<String, NodeStatus> status()
    {
        return status;
    }

    /**
     * @return this side's counters.
     */
    public DistributionCounters counters()
    {
        return counters;
    }

    @Override
    public void onStart()
    {
        final DistributionChannels channels = context.channels();
        publications = new ExclusivePublication[context.shards()];
        backPressured = new boolean[context.shards()];
        for (int shard = 0; shard < publications.length; shard++)
        {
            final DistributionChannels shardChannels = channels.shard(shard);
            publications[shard] = ChannelBinding.addExclusivePublication(context.aeron(),
                shardChannels.configChannel(), shardChannels.configStreamId(), ChannelBinding.DEFAULT_BIND_TIMEOUT);
        }
        resendTokens = context.maxResendsPerSecond();
        resendTokensNs = context.clock().nanoTime();
        subscription = ChannelBinding.addSubscription(context.aeron(), channels.ackChannel(), channels.ackStreamId(),
            image -> { }, image -> { }, ChannelBinding.DEFAULT_BIND_TIMEOUT);
    }

    @Override
    public int doWork()
    {
        int work = drainPublished();
        work += subscription.poll(assembler, FRAGMENT_LIMIT);
        final long nowNs = context.clock().nanoTime();
        work += resignAfterKeyChange(nowNs);
        work += sendDue(nowNs);
        final long snapshotNs = System.nanoTime();
        if (statusChanged && snapshotNs - lastSnapshotNs >= STATUS_SNAPSHOT_INTERVAL_NS)
        {
            statusChanged = false;
            lastSnapshotNs = snapshotNs;
            final Map<String, NodeStatus> snapshot = new TreeMap<>();
            nodes.forEach((id, entry) -> snapshot.put(id, entry.status()));
            status = Collections.unmodifiableMap(snapshot);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.closeAll(subscription);
        if (publications != null)
        {
            CloseHelper.closeAll(publications);
        }
    }

    @Override
    public String roleName()
    {
        return "mecmesh-config-publisher";
    }

    private int drainPublished()
    {
        int work = 0;
        NodeMeshConfig config;
        while ((config = published.poll()) != null)
        {
            work++;
            final NodeEntry entry = nodes.computeIfAbsent(config.nodeId(),
                id -> new NodeEntry(id, DistributionChannels.shardOf(id, context.shards())));
            if (entry.payload != null && config.version() <= entry.version)
            {
                counters.increment(DistributionCounter.CONFIG_NOT_NEWER_IGNORED);
                continue;
            }
            final byte[] content = MeshConfigCodec.encode(config);
            final byte[] payload = SignedConfig.sign(content, signingKeys());
            entry.version = config.version();
            entry.content = content;
            entry.payload = payload;
            entry.resign = false;
            entry.sha256 = authenticator.sha256(payload);
            entry.everSent = false;
            entry.sendNow = true;
            entry.publishedNs = context.clock().nanoTime();
            entry.tooLarge = DistributionMessageDescriptor.messageLength(config.nodeId().getBytes(StandardCharsets.UTF_8).length, payload.length)
                > publications[entry.shard].maxMessageLength();
            if (entry.tooLarge)
            {
                counters.increment(DistributionCounter.CONFIG_TOO_LARGE);
            }
            statusChanged = true;
            scanWanted = true;
        }
        return work;
    }

    /**
     * Offers every configuration that is due: new ones, catch-up answers and re-signed ones at once; timed resends
     * (not acknowledged within the resend interval: a dead, stalled or lossy node) only while the token bucket has a
     * token, so that many dead nodes cost at most {@code maxResendsPerSecond} messages a second. A back-pressured
     * shard is left for the next duty cycle. Nodes are scanned only when something may have become due or at the
     * earliest timed resend ({@code nextDueNs}), not every duty cycle.
     */
    private int sendDue(final long nowNs)
    {
        refillResendTokens(nowNs);
        if (!scanWanted && nowNs - nextDueNs < 0)
        {
            return 0;
        }
        scanWanted = false;
        nextDueNs = nowNs + context.resendIntervalNs();
        Arrays.fill(backPressured, false);
        int work = 0;
        for (final NodeEntry entry : nodes.values())
        {
            if (entry.payload == null || entry.tooLarge || entry.version <= entry.appliedVersion && !entry.resign)
            {
                continue;
            }
            if (backPressured[entry.shard])
            {
                scanWanted = true;
                continue;
            }
            final boolean resend = !entry.sendNow && entry.everSent;
            final boolean due = entry.sendNow || (entry.version != entry.heldVersion
                && (!entry.everSent || nowNs - entry.lastSentNs >= context.resendIntervalNs()));
            if (!due)
            {
                if (entry.version != entry.heldVersion && entry.everSent)
                {
                    nextDueNs = Math.min(nextDueNs, entry.lastSentNs + context.resendIntervalNs());
                }
                continue;
            }
            if (resend && resendTokens < 1)
            {
                nextDueNs = Math.min(nextDueNs, nowNs + 1_000_000_000L / context.maxResendsPerSecond());
                if (!entry.resendDeferred)
                {
                    entry.resendDeferred = true;
                    counters.increment(DistributionCounter.CONFIG_RESEND_DEFERRED);
                }
                continue;
            }
            final int length = encoder.encodeConfig(entry.nodeId, entry.version, entry.sha256, entry.payload);
            sendingTag = entry.tag;
            final long result = publications[entry.shard].offer(encoder.buffer(), 0, length, tagOfSending);
            work++;
            if (result > 0)
            {
                counters.increment(DistributionCounter.CONFIG_SENT);
                if (resend)
                {
                    resendTokens -= 1;
                    entry.resendDeferred = false;
                    counters.increment(DistributionCounter.CONFIG_RESENT);
                }
                entry.everSent = true;
                entry.sendNow = false;
                entry.resign = false;
                entry.lastSentNs = nowNs;
                nextDueNs = Math.min(nextDueNs, nowNs + context.resendIntervalNs());
            }
            else
            {
                counters.increment(DistributionCounter.CONFIG_SEND_FAILED);
                if (result == Publication.BACK_PRESSURED)
                {
                    backPressured[entry.shard] = true;
                }
                if (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION)
                {
                    entry.everSent = true;
                    entry.sendNow = false;
                    entry.lastSentNs = nowNs;
                    nextDueNs = Math.min(nextDueNs, nowNs + context.resendIntervalNs());
                }
                else
                {
                    scanWanted = true;
                }
            }
        }
        return work;
    }

    private void refillResendTokens(final long nowNs)
    {
        final long elapsedNs = nowNs - resendTokensNs;
        if (elapsedNs > 0)
        {
            resendTokensNs = nowNs;
            resendTokens = Math.min(context.maxResendsPerSecond(),
                resendTokens + elapsedNs * (double) context.maxResendsPerSecond() / 1_000_000_000L);
        }
    }

    private List<KeyPair> signingKeys()
    {
        final List<KeyPair> keys = context.signingKeys().get();
        signingKeys = keys.stream().map(KeyPair::getPublic).toList();
        return keys;
    }

    /**
     * Once per resend interval: when the signing keys changed ({@code mecmesh cert signing-key --rotate} or
     * {@code --finish}), every held configuration is signed again and sent again at its version, so that the nodes'
     * last-known-good files carry the new key's signature before the old key goes.
     */
    private int resignAfterKeyChange(final long nowNs)
    {
        if (nowNs - nextKeyCheckNs < 0)
        {
            return 0;
        }
        nextKeyCheckNs = nowNs + context.resendIntervalNs();
        final List<PublicKey> before = signingKeys;
        final List<KeyPair> keys = signingKeys();
        if (before == null || before.equals(signingKeys))
        {
            return 0;
        }
        int work = 0;
        for (final NodeEntry entry : nodes.values())
        {
            if (entry.content != null)
            {
                entry.payload = SignedConfig.sign(entry.content, keys);
                entry.sha256 = authenticator.sha256(entry.payload);
                entry.resign = true;
                entry.sendNow = true;
                scanWanted = true;
                counters.increment(DistributionCounter.CONFIG_RESIGNED);
                work++;
            }
        }
        return work;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        message.wrap(buffer, offset, length);
        if (!message.isWellFormed())
        {
            counters.increment(DistributionCounter.MESSAGE_MALFORMED);
            return;
        }
        if (!message.verifyMac(authenticator))
        {
            counters.increment(DistributionCounter.MESSAGE_BAD_MAC);
            return;
        }
        final int type = message.type();
        if (type == TYPE_ACK)
        {
            onAck(message.nodeId(), message.version(), message.status(), message.reasonCode(), message.bodyText());
        }
        else if (type == TYPE_CATCH_UP)
        {
            onCatchUp(message.nodeId(), message.version());
        }
        else if (type == TYPE_HEARTBEAT)
        {
            onHeartbeat(message.nodeId(), message.version());
        }
        else
        {
            counters.increment(DistributionCounter.MESSAGE_MALFORMED);
        }
    }

    private void onAck(
        final String nodeId, final long version, final int ackStatus, final int reasonCode, final String detail)
    {
        final NodeEntry entry = nodes.get(nodeId);
        final RejectReason reason = RejectReason.fromCode(reasonCode);
        if (ackStatus == STATUS_ACCEPTED && reason == RejectReason.NONE)
        {
            counters.increment(DistributionCounter.ACK_ACCEPTED_RECEIVED);
            if (entry != null)
            {
                entry.appliedVersion = version;
                entry.lastContactNs = context.clock().nanoTime();
                noteApplied(entry);
                statusChanged = true;
                scanWanted |= version < entry.version;
            }
        }
        else if (ackStatus == STATUS_REJECTED && reason != null && reason != RejectReason.NONE)
        {
            counters.increment(DistributionCounter.ACK_REJECTED_RECEIVED);
            if (entry != null)
            {
                entry.rejectedVersion = version;
                if (reason != RejectReason.BAD_MAC)
                {
                    entry.heldVersion = version;
                }
                entry.rejectReason = reason;
                entry.rejectDetail = detail;
                entry.lastContactNs = context.clock().nanoTime();
                statusChanged = true;
            }
        }
        else
        {
            counters.increment(DistributionCounter.MESSAGE_MALFORMED);
        }
    }

    private void onCatchUp(final String nodeId, final long runningVersion)
    {
        counters.increment(DistributionCounter.CATCH_UP_RECEIVED);
        final NodeEntry entry = nodes.get(nodeId);
        if (entry == null || entry.payload == null)
        {
            counters.increment(DistributionCounter.CATCH_UP_UNKNOWN_NODE);
            return;
        }
        entry.appliedVersion = runningVersion;
        entry.lastContactNs = context.clock().nanoTime();
        entry.sendNow = entry.version > runningVersion;
        statusChanged = true;
        scanWanted = true;
    }

    private void onHeartbeat(final String nodeId, final long runningVersion)
    {
        counters.increment(DistributionCounter.HEARTBEAT_RECEIVED);
        final NodeEntry entry = nodes.get(nodeId);
        if (entry == null)
        {
            counters.increment(DistributionCounter.CATCH_UP_UNKNOWN_NODE);
            return;
        }
        entry.appliedVersion = runningVersion;
        entry.lastContactNs = context.clock().nanoTime();
        noteApplied(entry);
        statusChanged = true;
        scanWanted |= runningVersion < entry.version;
    }

    /** Once per published version: the time from its hand-over to the first report that the node runs it. */
    private void noteApplied(final NodeEntry entry)
    {
        if (entry.publishedNs >= 0 && entry.appliedVersion >= entry.version)
        {
            appliedListener.accept(entry.lastContactNs - entry.publishedNs);
            entry.publishedNs = -1;
        }
    }

    /**
     * Sets who hears, on the agent's thread, how long each node took to apply a new configuration: from the duty
     * cycle taking the compiled configuration to the node's acknowledgement (or heartbeat) that it runs that version
     * or a later one. A node that was away counts its absence. Once per version and node.
     *
     * @param listener receives the duration in nanoseconds of the publisher's clock; must not block.
     */
    public void onConfigApplied(final LongConsumer listener)
    {
        this.appliedListener = requireNonNull(listener, "listener");
    }

    private static final class NodeEntry
    {
        private final String nodeId;
        private final int shard;
        /** In each CONFIG frame's reserved value: nodes skip other nodes' fragments without reassembling them. */
        private final long tag;
        private boolean resendDeferred;
        private long version = -1;
        private byte[] content;
        private byte[] payload;
        private byte[] sha256;
        /** Signed again after a key change: sent once more although the node runs its version. */
        private boolean resign;
        private boolean tooLarge;
        private boolean everSent;
        private boolean sendNow;
        private long lastSentNs;
        private long appliedVersion = -1;
        private long rejectedVersion = -1;
        /** Rejected for its content: not resent until the node asks. A bad MAC is not the content's fault. */
        private long heldVersion = -1;
        private RejectReason rejectReason = RejectReason.NONE;
        private String rejectDetail = "";
        private long lastContactNs = -1;
        /** When the latest version was taken from the compiler, until the node is known to run it (then -1). */
        private long publishedNs = -1;

        NodeEntry(final String nodeId, final int shard)
        {
            this.nodeId = nodeId;
            this.shard = shard;
            this.tag = ConfigSubscriberAdapter.nodeTag(nodeId);
        }

        NodeStatus status()
        {
            return new NodeStatus(nodeId, version, appliedVersion, rejectedVersion, rejectReason,
                tooLarge ? "configuration larger than the channel's maximum message length" : rejectDetail,
                lastContactNs);
        }
    }

    /**
     * The publisher's settings; checked on construction.
     *
     * @param aeron            the Aeron client (not closed by the agent).
     * @param channels         the slice manager's side of the channels.
     * @param key              the shared HMAC key, at least 32 bytes.
     * @param clock            the clock of resend decisions.
     * @param resendIntervalNs how long to wait for an ACK before sending again, more than 0.
     * @param signingKeys      the Ed25519 key pairs every configuration is signed with ({@link SignedConfig}), read
     *                         for each new configuration (a rotation takes effect at the next one).
     * @param shards           how many CONFIG shards ({@link DistributionChannels#shard}), 1 to
     *                         {@value DistributionChannels#MAX_SHARDS}; the nodes must use the same.
     * @param maxResendsPerSecond most timed resends a second, more than 0.
     */
    public record Context(Aeron aeron, DistributionChannels channels, byte[] key, NanoClock clock,
        long resendIntervalNs, Supplier<List<KeyPair>> signingKeys, int shards, int maxResendsPerSecond)
    {
        /**
         * Settings with the channels' shards and the default resend rate.
         *
         * @param aeron            the Aeron client (not closed by the agent).
         * @param channels         the slice manager's side of the channels.
         * @param key              the shared HMAC key, at least 32 bytes.
         * @param clock            the clock of resend decisions.
         * @param resendIntervalNs how long to wait for an ACK before sending again, more than 0.
         * @param signingKeys      the Ed25519 key pairs every configuration is signed with.
         */
        public Context(final Aeron aeron, final DistributionChannels channels, final byte[] key, final NanoClock clock,
            final long resendIntervalNs, final Supplier<List<KeyPair>> signingKeys)
        {
            this(aeron, channels, key, clock, resendIntervalNs, signingKeys, channels.shards(),
                DEFAULT_MAX_RESENDS_PER_SECOND);
        }

        /**
         * @param count the number of CONFIG shards.
         * @return these settings with it.
         */
        public Context withShards(final int count)
        {
            return new Context(aeron, channels, key, clock, resendIntervalNs, signingKeys, count, maxResendsPerSecond);
        }

        /**
         * @param rate the most timed resends a second.
         * @return these settings with it.
         */
        public Context withMaxResendsPerSecond(final int rate)
        {
            return new Context(aeron, channels, key, clock, resendIntervalNs, signingKeys, shards, rate);
        }

        /**
         * Settings that sign with a key generated for this process only (tests and benchmarks: nodes pin it at
         * first contact).
         *
         * @param aeron            the Aeron client (not closed by the agent).
         * @param channels         the slice manager's side of the channels.
         * @param key              the shared HMAC key, at least 32 bytes.
         * @param clock            the clock of resend decisions.
         * @param resendIntervalNs how long to wait for an ACK before sending again, more than 0.
         */
        public Context(final Aeron aeron, final DistributionChannels channels, final byte[] key, final NanoClock clock,
            final long resendIntervalNs)
        {
            this(aeron, channels, key, clock, resendIntervalNs, ephemeralKey());
        }

        public Context
        {
            requireNonNull(aeron, "aeron");
            requireNonNull(channels, "channels");
            requireNonNull(key, "key");
            requireNonNull(clock, "clock");
            requireNonNull(signingKeys, "signingKeys");
            if (key.length < MessageAuthenticator.MIN_KEY_LENGTH)
            {
                throw new IllegalArgumentException("key: expected at least " + MessageAuthenticator.MIN_KEY_LENGTH
                    + " bytes, got " + key.length);
            }
            if (resendIntervalNs <= 0)
            {
                throw new IllegalArgumentException("resendIntervalNs: expected more than 0, got " + resendIntervalNs);
            }
            DistributionChannels.requireShards(shards);
            if (maxResendsPerSecond <= 0)
            {
                throw new IllegalArgumentException("maxResendsPerSecond: expected more than 0, got "
                    + maxResendsPerSecond);
            }
            key = key.clone();
        }

        private static Supplier<List<KeyPair>> ephemeralKey()
        {
            final List<KeyPair> keys = List.of(SignedConfig.generateKeyPair());
            return () -> keys;
        }
    }
}
