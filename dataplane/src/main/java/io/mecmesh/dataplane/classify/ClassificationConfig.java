package io.mecmesh.dataplane.classify;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The classify stage's configuration: rules tried in order, the first that matches gives the request's slice;
 * a request no rule matches is unclassified (slice id 0). Compiled by the slice manager from every visible slice's
 * classification rules.
 *
 * @param rules the rules, in the order they are tried.
 */
public record ClassificationConfig(List<ClassificationRule> rules)
{
    /** No rules: every request is unclassified. */
    public static final ClassificationConfig NONE = new ClassificationConfig(List.of());

    public ClassificationConfig
    {
        rules = List.copyOf(requireNonNull(rules, "rules"));
    }
}
