package io.mecmesh.dataplane.classify;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One rule that puts traffic into a slice. Every criterion that is set must match (AND); a rule with several
 * source prefixes takes a source in any of them. At least one criterion must be set, so that a rule never matches
 * everything by accident.
 *
 * @param sliceId              the slice the traffic goes into: the S-NSSAI packed as in the policy table
 *                             ({@code sst << 24 | sd}), not 0 (0 means unclassified).
 * @param listener             the name of the listener the connection arrived on, or empty for any.
 * @param sourceCidrs          the connection's source address must be in one of these; empty for any source.
 * @param callerSpiffeIdPrefix a prefix of the caller's SPIFFE id from the mTLS handshake ({@code spiffe://td/...}),
 *                             or empty; a connection without a verified peer never matches a rule that sets it.
 * @param header               a request header that must be present with an exact value, or empty.
 * @param destinationCidrs     the connection's destination (our local) address must be in one of these; empty for
 *                             any. With the source prefixes and the two port ranges a rule names a TCP 5-tuple (the
 *                             protocol is implicit), as MEC traffic-rule and MEC 015 session filters do.
 * @param destinationPorts     the connection's destination (our local) port, or empty for any.
 * @param sourcePorts          the connection's source (the peer's) port, or empty for any.
 * @param policyRouteId        the route id of a policy record of its own for the traffic the rule matches (a MEC 015
 *                             session-specific allocation: its own buckets in the admit stage, in place of the
 *                             record of the request's route), or 0 (none: the route's record applies).
 */
public record ClassificationRule(
    int sliceId,
    Optional<String> listener,
    List<SourcePrefix> sourceCidrs,
    Optional<String> callerSpiffeIdPrefix,
    Optional<HeaderValue> header,
    List<SourcePrefix> destinationCidrs,
    Optional<PortRange> destinationPorts,
    Optional<PortRange> sourcePorts,
    int policyRouteId)
{
    public ClassificationRule
    {
        requireNonNull(listener, "listener");
        requireNonNull(callerSpiffeIdPrefix, "callerSpiffeIdPrefix");
        requireNonNull(header, "header");
        requireNonNull(destinationPorts, "destinationPorts");
        requireNonNull(sourcePorts, "sourcePorts");
        sourceCidrs = List.copyOf(requireNonNull(sourceCidrs, "sourceCidrs"));
        destinationCidrs = List.copyOf(requireNonNull(destinationCidrs, "destinationCidrs"));
        if (policyRouteId < 0)
        {
            throw new IllegalArgumentException("policyRouteId: expected 0 (none) or a route id, got " + policyRouteId);
        }
        if (sliceId == 0)
        {
            throw new IllegalArgumentException("sliceId: expected a packed S-NSSAI, got 0 (the unclassified slice)");
        }
        if (listener.isPresent() && listener.get().isEmpty())
        {
            throw new IllegalArgumentException("listener: expected a listener name, got an empty string");
        }
        if (callerSpiffeIdPrefix.isPresent() && !callerSpiffeIdPrefix.get().startsWith("spiffe://"))
        {
            throw new IllegalArgumentException("callerSpiffeIdPrefix: expected spiffe://<trust-domain>[/path...],"
                + " got \"" + callerSpiffeIdPrefix.get() + "\"");
        }
        if (listener.isEmpty() && sourceCidrs.isEmpty() && callerSpiffeIdPrefix.isEmpty() && header.isEmpty()
            && destinationCidrs.isEmpty() && destinationPorts.isEmpty() && sourcePorts.isEmpty())
        {
            throw new IllegalArgumentException("classification: a rule needs at least one of listener, sourceCidrs,"
                + " callerSpiffeIdPrefix, header, destinationCidrs, destinationPorts or sourcePorts (a rule with none"
                + " would match all traffic)");
        }
    }

    /**
     * A rule without a policy record of its own.
     *
     * @param sliceId              the slice.
     * @param listener             the listener, or empty.
     * @param sourceCidrs          the source prefixes.
     * @param callerSpiffeIdPrefix the caller's SPIFFE id prefix, or empty.
     * @param header               the header, or empty.
     * @param destinationCidrs     the destination (local) prefixes.
     * @param destinationPorts     the destination (local) port, or empty.
     * @param sourcePorts          the source port, or empty.
     */
    public ClassificationRule(final int sliceId, final Optional<String> listener, final List<SourcePrefix> sourceCidrs,
        final Optional<String> callerSpiffeIdPrefix, final Optional<HeaderValue> header,
        final List<SourcePrefix> destinationCidrs, final Optional<PortRange> destinationPorts,
        final Optional<PortRange> sourcePorts)
    {
        this(sliceId, listener, sourceCidrs, callerSpiffeIdPrefix, header, destinationCidrs, destinationPorts,
            sourcePorts, 0);
    }

    /**
     * A rule without 5-tuple criteria beyond the source prefixes.
     *
     * @param sliceId              the slice.
     * @param listener             the listener, or empty.
     * @param sourceCidrs          the source prefixes.
     * @param callerSpiffeIdPrefix the caller's SPIFFE id prefix, or empty.
     * @param header               the header, or empty.
     */
    public ClassificationRule(final int sliceId, final Optional<String> listener, final List<SourcePrefix> sourceCidrs,
        final Optional<String> callerSpiffeIdPrefix, final Optional<HeaderValue> header)
    {
        this(sliceId, listener, sourceCidrs, callerSpiffeIdPrefix, header, List.of(), Optional.empty(),
            Optional.empty(), 0);
    }

    /**
     * Whether the rule has a criterion that only a connection's addresses and ports decide beyond the source prefix
     * (its destination address or port, or its source port).
     *
     * @return true when one of them is set.
     */
    public boolean hasFiveTuple()
    {
        return !destinationCidrs.isEmpty() || destinationPorts.isPresent() || sourcePorts.isPresent();
    }

    /**
     * A rule on source prefixes only.
     *
     * @param sliceId the slice.
     * @param cidrs   the prefixes, e.g. {@code 10.45.0.0/16}.
     * @return the rule.
     */
    public static ClassificationRule sourceCidrs(final int sliceId, final String... cidrs)
    {
        return new ClassificationRule(sliceId, Optional.empty(), Arrays.stream(cidrs)
            .map(SourcePrefix::parse).toList(), Optional.empty(), Optional.empty());
    }

    /**
     * A rule on one request header.
     *
     * @param sliceId the slice.
     * @param name    the header name.
     * @param value   its exact value.
     * @return the rule.
     */
    public static ClassificationRule header(final int sliceId, final String name, final String value)
    {
        return new ClassificationRule(sliceId, Optional.empty(), List.of(), Optional.empty(),
            Optional.of(new HeaderValue(name, value)));
    }

    /**
     * A rule on the caller's SPIFFE id.
     *
     * @param sliceId the slice.
     * @param prefix  the prefix of the caller's id.
     * @return the rule.
     */
    public static ClassificationRule callerSpiffeIdPrefix(final int sliceId, final String prefix)
    {
        return new ClassificationRule(sliceId, Optional.empty(), List.of(), Optional.of(prefix), Optional.empty());
    }

    /**
     * A rule on the listener.
     *
     * @param sliceId  the slice.
     * @param listener the listener's name.
     * @return the rule.
     */
    public static ClassificationRule listener(final int sliceId, final String listener)
    {
        return new ClassificationRule(sliceId, Optional.of(listener), List.of(), Optional.empty(), Optional.empty());
    }
}
