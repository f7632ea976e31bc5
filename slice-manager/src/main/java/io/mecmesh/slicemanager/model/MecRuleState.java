package io.mecmesh.slicemanager.model;

/**
 * Whether a MEC 011 traffic or DNS rule is in force ({@code TrafficRule.State}, {@code DnsRule.State}); an
 * application switches its rules with PUT.
 */
public enum MecRuleState
{
    ACTIVE, INACTIVE
}
