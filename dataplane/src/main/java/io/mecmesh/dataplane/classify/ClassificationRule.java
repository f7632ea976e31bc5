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
 */
public record ClassificationRule(
    int sliceId,
    Optional<String> listener,
    List<SourcePrefix> sourceCidrs,
    Optional<String> callerSpiffeIdPrefix,
    Optional<HeaderValue> header)
{
    public ClassificationRule
    {
        requireNonNull(listener, "listener");
        requireNonNull(callerSpiffeIdPrefix, "callerSpiffeIdPrefix");
        requireNonNull(header, "header");
        sourceCidrs = List.copyOf(requireNonNull(sourceCidrs, "sourceCidrs"));
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
        if (listener.isEmpty() && sourceCidrs.isEmpty() && callerSpiffeIdPrefix.isEmpty() && header.isEmpty())
        {
            throw new IllegalArgumentException("classification: a rule needs at least one of listener, sourceCidrs,"
                + " callerSpiffeIdPrefix or header (a rule with none would match all traffic)");
        }
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
