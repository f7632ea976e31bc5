package io.mecmesh.slicemanager.model;

import io.mecmesh.dataplane.classify.PortRange;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What puts traffic into a slice. Every criterion that is set must match (AND); a slice's rules are alternatives
 * (OR). At least one criterion must be set, so that a rule never matches everything by accident.
 *
 * @param listener             the data-plane listener the connection arrived on, or empty for any.
 * @param sourceCidrs          source prefixes such as the slice's UE address pools; empty for any source.
 * @param callerSpiffeIdPrefix a prefix of the caller's SPIFFE id ({@code spiffe://td/slice/1-0000a1/}), or empty.
 * @param header               a request header that must match, or empty.
 * @param destinationCidrs     the connection's destination (the edge's local) address prefixes; empty for any.
 * @param destinationPorts     the connection's destination (local) port or port range, or empty for any.
 * @param sourcePorts          the connection's source port or port range, or empty for any. With
 *                             {@code sourceCidrs} and the destination criteria a rule names a TCP 5-tuple, as MEC
 *                             traffic-rule filters and MEC 015 session filters do.
 */
public record ClassificationRule(
    Optional<String> listener,
    List<Cidr> sourceCidrs,
    Optional<String> callerSpiffeIdPrefix,
    Optional<HeaderMatch> header,
    List<Cidr> destinationCidrs,
    Optional<PortRange> destinationPorts,
    Optional<PortRange> sourcePorts)
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
        listener.ifPresent(name -> Checks.requireName("listener", name));
        callerSpiffeIdPrefix.ifPresent(ClassificationRule::requireSpiffePrefix);
        if (listener.isEmpty() && sourceCidrs.isEmpty() && callerSpiffeIdPrefix.isEmpty() && header.isEmpty()
            && destinationCidrs.isEmpty() && destinationPorts.isEmpty() && sourcePorts.isEmpty())
        {
            throw new IllegalArgumentException("classification: a rule needs at least one of listener, sourceCidrs,"
                + " callerSpiffeIdPrefix, header, destinationCidrs, destinationPorts or sourcePorts (a rule with none"
                + " would match all traffic)");
        }
    }

    /**
     * A rule without destination or source-port criteria.
     *
     * @param listener             the listener, or empty.
     * @param sourceCidrs          the source prefixes.
     * @param callerSpiffeIdPrefix the caller's SPIFFE id prefix, or empty.
     * @param header               the header, or empty.
     */
    public ClassificationRule(final Optional<String> listener, final List<Cidr> sourceCidrs,
        final Optional<String> callerSpiffeIdPrefix, final Optional<HeaderMatch> header)
    {
        this(listener, sourceCidrs, callerSpiffeIdPrefix, header, List.of(), Optional.empty(), Optional.empty());
    }

    /**
     * A rule matching source prefixes only.
     *
     * @param cidrs the prefixes, e.g. {@code 10.45.0.0/16}.
     * @return the rule.
     */
    public static ClassificationRule sourceCidrs(final String... cidrs)
    {
        return new ClassificationRule(Optional.empty(), Arrays.stream(cidrs).map(Cidr::parse).toList(),
            Optional.empty(), Optional.empty());
    }

    /**
     * A rule matching callers whose SPIFFE id starts with a prefix.
     *
     * @param prefix the prefix.
     * @return the rule.
     */
    public static ClassificationRule callerSpiffeIdPrefix(final String prefix)
    {
        return new ClassificationRule(Optional.empty(), List.of(), Optional.of(prefix), Optional.empty());
    }

    static void requireSpiffePrefix(final String prefix)
    {
        if (!prefix.startsWith("spiffe://") || prefix.length() <= "spiffe://".length()
            || prefix.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F))
        {
            throw new IllegalArgumentException("callerSpiffeIdPrefix: expected spiffe://<trust-domain>[/path...]"
                + " without spaces, got \"" + prefix + "\"");
        }
    }
}
