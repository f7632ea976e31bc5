package io.mecmesh.dataplane.classify;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The classify stage's configuration: rules tried in order, the first that matches gives the request's slice.
 * Compiled by the slice manager from every visible slice's classification rules, or read from appliance.yaml.
 *
 * <p>Precedence of a request's slice (highest first):
 * <ol>
 *   <li>an explicit rule ({@link #rules}, the first that matches);</li>
 *   <li>the slice of the request's route, when the route is a compiled route of a slice's service (its policy
 *   record {@code (slice, route)} names the slice; applied by the exchange right after the route stage);</li>
 *   <li>{@link #defaultSliceId}, when set;</li>
 *   <li>else unclassified (slice id 0).</li>
 * </ol>
 *
 * @param rules          the rules, in the order they are tried.
 * @param defaultSliceId the slice of traffic that no rule matches and whose route belongs to no slice (packed
 *                       S-NSSAI), 0 for none: such traffic stays unclassified.
 */
public record ClassificationConfig(List<ClassificationRule> rules, int defaultSliceId)
{
    /** No rules: every request is unclassified. */
    public static final ClassificationConfig NONE = new ClassificationConfig(List.of());

    public ClassificationConfig
    {
        rules = List.copyOf(requireNonNull(rules, "rules"));
    }

    /**
     * Rules without a default slice.
     *
     * @param rules the rules, in the order they are tried.
     */
    public ClassificationConfig(final List<ClassificationRule> rules)
    {
        this(rules, 0);
    }

    /**
     * @param sliceId the default slice (packed S-NSSAI), 0 for none.
     * @return these rules with that default slice.
     */
    public ClassificationConfig withDefaultSliceId(final int sliceId)
    {
        return new ClassificationConfig(rules, sliceId);
    }
}
