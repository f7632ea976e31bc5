package io.mecmesh.slicemanager.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A MEC 011 {@code TrafficRule} of an application instance: declared with the instance (its application descriptor's
 * rules) and switched or changed by the application over Mp1 (PUT). On the node that hosts the instance an active
 * rule becomes routing (see the compiler): {@code FORWARD_*} to the application's endpoints, {@code DROP} refused,
 * {@code PASSTHROUGH} the original destination; {@code priority} orders an instance's rules (0 first).
 *
 * @param id          {@code trafficRuleId}, unique within the instance.
 * @param filterType  {@code FLOW} or {@code PACKET}.
 * @param priority    0 (first) to 255.
 * @param filters     {@code trafficFilter}: the rule matches what any filter matches.
 * @param action      what happens to what it matches.
 * @param dstInterface where a forward or duplicate action sends it (as declared).
 * @param state       whether it is in force.
 */
public record TrafficRule(String id, FilterType filterType, int priority, List<TrafficFilter> filters, Action action,
    Optional<DestinationInterface> dstInterface, MecRuleState state)
{
    /** {@code TrafficRule.FilterType}. */
    public enum FilterType
    {
        FLOW, PACKET
    }

    /** {@code TrafficRule.Action}. */
    public enum Action
    {
        DROP, FORWARD_DECAPSULATED, FORWARD_ENCAPSULATED, PASSTHROUGH, DUPLICATE_DECAPSULATED, DUPLICATE_ENCAPSULATED
    }

    public TrafficRule
    {
        AppInstance.requireId("trafficRuleId", id);
        requireNonNull(filterType, "filterType");
        Checks.requireRange("priority", priority, 0, 255);
        requireNonNull(filters, "trafficFilter");
        for (int i = 0; i < filters.size(); i++)
        {
            Checks.element("trafficFilter", i, filters.get(i));
        }
        filters = List.copyOf(filters);
        requireNonNull(action, "action");
        requireNonNull(dstInterface, "dstInterface");
        requireNonNull(state, "state");
    }
}
