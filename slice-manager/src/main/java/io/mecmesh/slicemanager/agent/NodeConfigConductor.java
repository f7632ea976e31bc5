package io.mecmesh.slicemanager.agent;

import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.compiler.RouteBinding;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import io.mecmesh.slicemanager.distribution.DistributionMessageDescriptor;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.distribution.RejectReason;
import io.mecmesh.slicemanager.distribution.SignedConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Owns the node's running configuration and decides on every configuration offered to it: the hash must match the
 * payload, the version must be newer than the running one, a trusted control-plane signature must verify
 * ({@link ConfigVerifier}), the payload must decode to a valid configuration for this
 * node and version; then it is persisted as last known good, and only then applied. Any failure leaves the running
 * configuration (and the last-known-good files) as they were, and is counted by reason.
 *
 * <p>At start ({@link #startFromLastKnownGood()}) the last known good configuration is loaded and applied, falling
 * back to the previous one when the current file is damaged or its signature does not verify (so a forged file whose
 * SHA-256 was recomputed is refused), so a node serves without its control plane.
 *
 * <p>Not thread-safe: owned by the node agent's thread. No Aeron here: testable on its own.
 */
public final class NodeConfigConductor
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeConfigConductor.class);

    private final String nodeId;
    private final LastKnownGoodStore store;
    private final ConfigApplier applier;
    private final ConfigVerifier verifier;
    private final DistributionCounters counters;
    private final MessageDigest sha256;
    private NodeMeshConfig running;
    private byte[] runningSha256;
    private byte[] runningContentSha256;

    /**
     * @param nodeId   this node.
     * @param store    its last-known-good files.
     * @param applier  the data plane.
     * @param verifier checks the control plane's signatures, on receipt and on load.
     * @param counters where outcomes are counted.
     */
    public NodeConfigConductor(
        final String nodeId, final LastKnownGoodStore store, final ConfigApplier applier,
        final ConfigVerifier verifier, final DistributionCounters counters)
    {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.store = requireNonNull(store, "store");
        this.applier = requireNonNull(applier, "applier");
        this.verifier = requireNonNull(verifier, "verifier");
        this.counters = requireNonNull(counters, "counters");
        try
        {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }

    /**
     * The outcome of loading the last known good configuration at start.
     *
     * @param loaded   the configuration now running, if one was usable.
     * @param slot     the file it came from, if one was usable.
     * @param problems every unusable file and why (empty when the current file was good or there was none).
     */
    public record StartOutcome(
        Optional<NodeMeshConfig> loaded, Optional<LastKnownGoodStore.Slot> slot, List<String> problems)
    {
        public StartOutcome
        {
            requireNonNull(loaded, "loaded");
            requireNonNull(slot, "slot");
            problems = List.copyOf(requireNonNull(problems, "problems"));
        }

        /**
         * @return why the node does not run its current last known good file although it had one (a damaged or
         *     refused file: it runs the previous one, or nothing), or empty.
         */
        public Optional<String> fallback()
        {
            if (problems.isEmpty())
            {
                return Optional.empty();
            }
            return Optional.of(loaded.isPresent()
                ? "running the previous last known good configuration (version " + loaded.get().version()
                    + "), the current file is unusable: " + String.join("; ", problems)
                : "no usable last known good configuration: " + String.join("; ", problems));
        }

        /**
         * @return a one-line description for the operator.
         */
        public String describe()
        {
            if (loaded.isPresent())
            {
                return "serving last known good configuration version " + loaded.get().version() + " from "
                    + slot.orElseThrow() + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")");
            }
            return problems.isEmpty() ? "no last known good configuration: waiting for the control plane"
                : "no usable last known good configuration, nothing applied: " + String.join("; ", problems);
        }
    }

    /**
     * Loads the last known good configuration (current file, else previous) and applies it.
     *
     * @return what was loaded, and every problem met.
     */
    public StartOutcome startFromLastKnownGood()
    {
        final List<String> problems = new ArrayList<>();
        boolean anyFile = false;
        for (final LastKnownGoodStore.Slot slot : LastKnownGoodStore.Slot.values())
        {
            final LastKnownGoodStore.Read read = store.read(slot);
            if (read.isAbsent())
            {
                continue;
            }
            anyFile = true;
            if (read.problem().isPresent())
            {
                counters.increment(DistributionCounter.LKG_CORRUPT);
                LOG.error("node {}: {}", nodeId, read.problem().get());
                problems.add(read.problem().get());
                continue;
            }
            final byte[] stored = read.content().orElseThrow();
            final ConfigVerifier.Outcome verified = verifier.verifyStored(stored);
            if (verified.problem().isPresent())
            {
                counters.increment(DistributionCounter.LKG_REFUSED_SIGNATURE);
                final String problem = store.path(slot) + ": refused, " + verified.problem().get();
                LOG.error("node {}: {}", nodeId, problem);
                problems.add(problem);
                continue;
            }
            final byte[] content = verified.content().orElseThrow();
            final NodeMeshConfig config;
            try
            {
                config = MeshConfigCodec.decode(content);
                if (!config.nodeId().equals(nodeId))
                {
                    throw new IllegalArgumentException("configuration of node \"" + config.nodeId() + "\"");
                }
            }
            catch (final IllegalArgumentException ex)
            {
                counters.increment(DistributionCounter.LKG_CORRUPT);
                problems.add(store.path(slot) + ": does not decode: " + ex.getMessage());
                continue;
            }
            try
            {
                applier.apply(config);
            }
            catch (final RuntimeException ex)
            {
                counters.increment(DistributionCounter.CONFIG_REJECTED_APPLY_FAILED);
                problems.add(store.path(slot) + ": version " + config.version() + " refused by the data plane: "
                    + ex.getMessage());
                continue;
            }
            running = config;
            runningSha256 = sha256.digest(stored);
            runningContentSha256 = sha256.digest(content);
            counters.increment(DistributionCounter.LKG_LOADED);
            if (slot == LastKnownGoodStore.Slot.PREVIOUS)
            {
                counters.increment(DistributionCounter.LKG_LOADED_PREVIOUS);
            }
            return new StartOutcome(Optional.of(config), Optional.of(slot), problems);
        }
        if (anyFile)
        {
            counters.increment(DistributionCounter.LKG_NONE_USABLE);
        }
        return new StartOutcome(Optional.empty(), Optional.empty(), problems);
    }

    /**
     * Decides on a configuration whose MAC verified.
     *
     * @param version         the version the message carries.
     * @param claimedSha256   the SHA-256 the message claims for the payload.
     * @param payload         the payload.
     * @return the verdict to acknowledge.
     */
    public ConfigVerdict onConfig(final long version, final byte[] claimedSha256, final byte[] payload)
    {
        requireNonNull(claimedSha256, "claimedSha256");
        requireNonNull(payload, "payload");
        final byte[] actual = sha256.digest(payload);
        if (!MessageDigest.isEqual(actual, claimedSha256))
        {
            return reject(version, RejectReason.HASH_MISMATCH, "the payload's SHA-256 differs from the message's");
        }
        if (running != null && version <= running.version())
        {
            if (version == running.version() && MessageDigest.isEqual(actual, runningSha256))
            {
                counters.increment(DistributionCounter.CONFIG_DUPLICATE);
                return new ConfigVerdict(version, RejectReason.NONE, "");
            }
            if (version == running.version() && isRunningContentResigned(payload))
            {
                // Keep the new signatures: the last-known-good file must verify once the old key is gone.
                try
                {
                    store.save(payload);
                }
                catch (final UncheckedIOException ex)
                {
                    return reject(version, RejectReason.PERSIST_FAILED, ex.getMessage());
                }
                runningSha256 = actual;
                counters.increment(DistributionCounter.CONFIG_DUPLICATE);
                return new ConfigVerdict(version, RejectReason.NONE, "");
            }
            return reject(version, RejectReason.VERSION_NOT_NEWER, "version " + version + " is not newer than the"
                + " running version " + running.version());
        }
        final ConfigVerifier.Outcome verified = verifier.verifyReceived(payload);
        if (verified.problem().isPresent())
        {
            LOG.error("node {}: configuration version {} refused, the current one is kept: {}", nodeId, version,
                verified.problem().get());
            return reject(version, RejectReason.BAD_SIGNATURE, verified.problem().get());
        }
        notePinned(verified);
        final NodeMeshConfig config;
        try
        {
            config = MeshConfigCodec.decode(verified.content().orElseThrow());
        }
        catch (final IllegalArgumentException ex)
        {
            return reject(version, RejectReason.INVALID, "does not decode: " + ex.getMessage());
        }
        if (!config.nodeId().equals(nodeId) || config.version() != version)
        {
            return reject(version, RejectReason.INVALID, "the payload is version " + config.version() + " of node \""
                + config.nodeId() + "\"");
        }
        final Optional<String> unknownSlice = unknownSlice(config);
        if (unknownSlice.isPresent())
        {
            return reject(version, RejectReason.INVALID, unknownSlice.get());
        }
        try
        {
            store.save(payload);
        }
        catch (final UncheckedIOException ex)
        {
            return reject(version, RejectReason.PERSIST_FAILED, ex.getMessage());
        }
        try
        {
            applier.apply(config);
        }
        catch (final RuntimeException ex)
        {
            String restored = "";
            try
            {
                store.rollback();
            }
            catch (final UncheckedIOException rollbackFailure)
            {
                restored = "; restoring the previous last known good file failed: " + rollbackFailure.getMessage();
            }
            return reject(version, RejectReason.APPLY_FAILED, "refused by the data plane: " + ex.getMessage()
                + restored);
        }
        running = config;
        runningSha256 = actual;
        runningContentSha256 = sha256.digest(verified.content().orElseThrow());
        counters.increment(DistributionCounter.CONFIG_APPLIED);
        return new ConfigVerdict(version, RejectReason.NONE, "");
    }

    /**
     * The running configuration signed again with other keys: a control plane restarted during a signing-key
     * rotation sends the same version co-signed by the new key. A duplicate, not an older version; verifying it pins
     * a co-signing key on a node that pins.
     */
    private boolean isRunningContentResigned(final byte[] payload)
    {
        if (runningContentSha256 == null)
        {
            return false;
        }
        try
        {
            if (!MessageDigest.isEqual(sha256.digest(SignedConfig.parse(payload).content()), runningContentSha256))
            {
                return false;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
        final ConfigVerifier.Outcome verified = verifier.verifyReceived(payload);
        notePinned(verified);
        return verified.content().isPresent();
    }

    private void notePinned(final ConfigVerifier.Outcome verified)
    {
        if (!verified.pinned().isEmpty())
        {
            counters.increment(DistributionCounter.SIGNING_KEY_PINNED);
            LOG.info("node {}: pinned configuration-signing key(s) {}: configurations signed by other keys are "
                + "refused from now on", nodeId, verified.pinned());
        }
    }

    /**
     * A route must belong to a slice the configuration defines (one with a slice-default policy record): otherwise
     * its requests would run without their slice's timeouts, retry budget and priority.
     *
     * @return the first route whose slice is unknown, described, or empty.
     */
    private static Optional<String> unknownSlice(final NodeMeshConfig config)
    {
        final Set<Integer> slices = new HashSet<>();
        for (final SlicePolicy policy : config.policies())
        {
            if (policy.routeId() == SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
            {
                slices.add(policy.sliceId());
            }
        }
        for (int i = 0; i < config.routes().size(); i++)
        {
            final RouteBinding route = config.routes().get(i);
            if (!slices.contains(route.slice().sliceId()))
            {
                return Optional.of("routes[" + i + "] (service " + route.service() + "): unknown slice "
                    + route.slice() + " (the configuration has no policy for it)");
            }
        }
        return Optional.empty();
    }

    /**
     * Reports a message whose MAC failed.
     *
     * @param claimedVersion the version it claims.
     * @return the verdict to acknowledge.
     */
    public ConfigVerdict onBadMac(final long claimedVersion)
    {
        return reject(claimedVersion, RejectReason.BAD_MAC, "the message's HMAC does not verify with the shared key");
    }

    /**
     * @return the running configuration, if any.
     */
    public Optional<NodeMeshConfig> running()
    {
        return Optional.ofNullable(running);
    }

    /**
     * @return the running version, {@link DistributionMessageDescriptor#NO_VERSION} for none.
     */
    public long runningVersion()
    {
        return running == null ? DistributionMessageDescriptor.NO_VERSION : running.version();
    }

    private ConfigVerdict reject(final long version, final RejectReason reason, final String detail)
    {
        counters.increment(reason.counter());
        return new ConfigVerdict(version, reason, detail);
    }
}
