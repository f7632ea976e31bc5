package io.mecmesh.dataplane.classify;

import io.mecmesh.dataplane.http.HeaderFields;
import io.netty.util.AsciiString;

import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The compiled classification rules of one configuration version: immutable, shared by every event loop.
 * Classification is split in two so that a request does as little as possible:
 * <ol>
 *   <li>{@link #candidates} once per connection (and per configuration version): the rules whose connection-level
 *   criteria (listener, source prefix and port, destination (local) prefix and port, caller SPIFFE id) the
 *   connection meets, in order, ending at the first one
 *   without a header criterion (it always matches, so later rules can never be reached);</li>
 *   <li>{@link #classify} per request: the first candidate whose header criterion (if any) the request meets.
 *   Allocates nothing.</li>
 * </ol>
 * A request no rule matches gets the configured default slice ({@link ClassificationConfig#defaultSliceId}), unless
 * its route belongs to a slice (see the precedence in {@link ClassificationConfig}).
 *
 * <p>Among the rules, precedence is their order only: the first rule all of whose criteria match wins. A rule with
 * more criteria (a full 5-tuple, say) is not preferred over an earlier, broader one; declare the narrower rule first.
 */
public final class Classifier
{
    /** What {@link #classify} returns when no rule matches. */
    public static final int NO_RULE = -1;

    private static final int[] NO_CANDIDATES = new int[0];

    private final String[] listeners;
    private final SourcePrefix[][] sources;
    private final SourcePrefix[][] destinations;
    private final PortRange[] destinationPorts;
    private final PortRange[] sourcePorts;
    private final String[] callerPrefixes;
    private final AsciiString[] headerNames;
    private final String[] headerValues;
    private final int[] sliceIds;
    private final int[] policyRouteIds;
    private final SliceStats[] stats;
    private final int defaultSliceId;
    private final SliceStats defaultStats;
    private final SliceStatsRegistry registry;

    private Classifier(final ClassificationConfig config, final SliceStatsRegistry registry)
    {
        final List<ClassificationRule> rules = config.rules();
        final int count = rules.size();
        listeners = new String[count];
        sources = new SourcePrefix[count][];
        destinations = new SourcePrefix[count][];
        destinationPorts = new PortRange[count];
        sourcePorts = new PortRange[count];
        callerPrefixes = new String[count];
        headerNames = new AsciiString[count];
        headerValues = new String[count];
        sliceIds = new int[count];
        policyRouteIds = new int[count];
        stats = new SliceStats[count];
        for (int i = 0; i < count; i++)
        {
            final ClassificationRule rule = rules.get(i);
            listeners[i] = rule.listener().orElse(null);
            sources[i] = rule.sourceCidrs().toArray(new SourcePrefix[0]);
            destinations[i] = rule.destinationCidrs().toArray(new SourcePrefix[0]);
            destinationPorts[i] = rule.destinationPorts().orElse(null);
            sourcePorts[i] = rule.sourcePorts().orElse(null);
            callerPrefixes[i] = rule.callerSpiffeIdPrefix().orElse(null);
            headerNames[i] = rule.header().map(h -> AsciiString.cached(h.name())).orElse(null);
            headerValues[i] = rule.header().map(HeaderValue::value).orElse(null);
            sliceIds[i] = rule.sliceId();
            policyRouteIds[i] = rule.policyRouteId();
            stats[i] = registry.slice(rule.sliceId());
        }
        this.registry = registry;
        this.defaultSliceId = config.defaultSliceId();
        this.defaultStats = registry.slice(config.defaultSliceId());
    }

    /**
     * Compiles a configuration's rules.
     *
     * @param config   the rules.
     * @param registry where each slice's statistics live.
     * @return the classifier.
     */
    public static Classifier build(final ClassificationConfig config, final SliceStatsRegistry registry)
    {
        requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        return new Classifier(config, registry);
    }

    /**
     * The rules a connection may match. Called once per connection and configuration version (allocates the
     * result).
     *
     * @param listener      the name of the listener the connection arrived on.
     * @param sourceAddress the peer's address bytes, or {@code null} when unknown (never matches a source rule).
     * @param callerId      the peer's verified SPIFFE id as text, or {@code null} on a connection without one.
     * @return indexes of the candidate rules, in order.
     */
    public int[] candidates(final String listener, final byte[] sourceAddress, final String callerId)
    {
        return candidates(listener, sourceAddress, -1, null, -1, callerId);
    }

    /**
     * The rules a connection may match, with its whole 5-tuple (TCP). Called once per connection and configuration
     * version (allocates the result).
     *
     * @param listener           the name of the listener the connection arrived on.
     * @param sourceAddress      the peer's address bytes, or {@code null} when unknown (never matches a source rule).
     * @param sourcePort         the peer's port, or -1 when unknown (never matches a source-port rule).
     * @param destinationAddress our local address bytes of the connection, or {@code null} when unknown (never
     *                           matches a destination rule).
     * @param destinationPort    our local port of the connection, or -1 when unknown.
     * @param callerId           the peer's verified SPIFFE id as text, or {@code null} on a connection without one.
     * @return indexes of the candidate rules, in order.
     */
    public int[] candidates(final String listener, final byte[] sourceAddress, final int sourcePort,
        final byte[] destinationAddress, final int destinationPort, final String callerId)
    {
        int[] found = NO_CANDIDATES;
        int size = 0;
        for (int i = 0; i < sliceIds.length; i++)
        {
            if (listeners[i] != null && !listeners[i].equals(listener))
            {
                continue;
            }
            if (callerPrefixes[i] != null && (callerId == null || !callerId.startsWith(callerPrefixes[i])))
            {
                continue;
            }
            if (sources[i].length > 0 && !inAny(sources[i], sourceAddress))
            {
                continue;
            }
            if (destinations[i].length > 0 && !inAny(destinations[i], destinationAddress)
                || sourcePorts[i] != null && !sourcePorts[i].matches(sourcePort)
                || destinationPorts[i] != null && !destinationPorts[i].matches(destinationPort))
            {
                continue;
            }
            if (size == found.length)
            {
                found = Arrays.copyOf(found, Math.max(4, size * 2));
            }
            found[size++] = i;
            if (headerNames[i] == null)
            {
                break;
            }
        }
        return size == found.length ? found : Arrays.copyOf(found, size);
    }

    /**
     * The rule a request matches. Allocates nothing.
     *
     * @param candidates the connection's {@link #candidates}.
     * @param headers    the request's header fields (the first field of a rule's name is compared, exact case).
     * @return the rule's index, or {@link #NO_RULE}.
     */
    public int classify(final int[] candidates, final HeaderFields headers)
    {
        for (final int rule : candidates)
        {
            final AsciiString name = headerNames[rule];
            if (name == null)
            {
                return rule;
            }
            final int entry = headers.indexOf(name, 0);
            if (entry >= 0 && headers.valueEquals(entry, headerValues[rule], false))
            {
                return rule;
            }
        }
        return NO_RULE;
    }

    /**
     * The rule a connection without HTTP fields (an L4 connection) matches: the first candidate without a header
     * criterion, so that a header rule never matches bytes it cannot read. Allocates nothing.
     *
     * @param candidates the connection's {@link #candidates}.
     * @return the rule's index, or {@link #NO_RULE}.
     */
    public int classifyConnection(final int[] candidates)
    {
        for (final int rule : candidates)
        {
            if (headerNames[rule] == null)
            {
                return rule;
            }
        }
        return NO_RULE;
    }

    /**
     * @param rule a rule index from {@link #classify}, or {@link #NO_RULE}.
     * @return its slice id; for {@link #NO_RULE} the configured default slice, else 0 (unclassified).
     */
    public int sliceId(final int rule)
    {
        return rule == NO_RULE ? defaultSliceId : sliceIds[rule];
    }

    /**
     * @param rule a rule index from {@link #classify}, or {@link #NO_RULE}.
     * @return the route id of the policy record the rule gives its traffic (a MEC 015 session's), 0 for none (and
     *         for {@link #NO_RULE}).
     */
    public int policyRouteId(final int rule)
    {
        return rule == NO_RULE ? 0 : policyRouteIds[rule];
    }

    /**
     * @param rule a rule index from {@link #classify}, or {@link #NO_RULE}.
     * @return the statistics of its slice (for {@link #NO_RULE}: the default slice's, else the unclassified ones).
     */
    public SliceStats stats(final int rule)
    {
        return rule == NO_RULE ? defaultStats : stats[rule];
    }

    /**
     * The statistics of any slice, for compiling a snapshot (not for the request path: may create the entry).
     *
     * @param sliceId the packed S-NSSAI, 0 for unclassified.
     * @return its statistics.
     */
    public SliceStats sliceStats(final int sliceId)
    {
        return registry.slice(sliceId);
    }

    /**
     * @return how many rules there are.
     */
    public int ruleCount()
    {
        return sliceIds.length;
    }

    private static boolean inAny(final SourcePrefix[] prefixes, final byte[] address)
    {
        if (address == null)
        {
            return false;
        }
        for (final SourcePrefix prefix : prefixes)
        {
            if (prefix.matches(address))
            {
                return true;
            }
        }
        return false;
    }
}
