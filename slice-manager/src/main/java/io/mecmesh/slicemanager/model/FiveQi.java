package io.mecmesh.slicemanager.model;

import static java.util.Objects.requireNonNull;

/**
 * One row of the 5QI table: the QoS characteristics a 5G QoS identifier stands for (TS 23.501 Table 5.7.4-1), or an
 * operator-defined value (128 to 254) with characteristics of the operator's choosing.
 *
 * @param value               the 5QI, 1 to 254.
 * @param resourceType        GBR, non-GBR or delay-critical GBR.
 * @param priorityLevel       default priority level, 1 (highest) to 127.
 * @param packetDelayBudgetMs one-way packet delay budget between the UE and the anchor UPF, 1 to 10 000 ms.
 * @param packetErrorRate     packet error rate, more than 0 and less than 1.
 * @param maxDataBurstBytes   default maximum data burst volume, required (more than 0) for delay-critical GBR,
 *                            0 for the others.
 * @param description         example services, free text.
 * @param origin              where the row comes from.
 */
public record FiveQi(
    int value,
    ResourceType resourceType,
    int priorityLevel,
    int packetDelayBudgetMs,
    double packetErrorRate,
    int maxDataBurstBytes,
    String description,
    Origin origin)
{
    /** Where a row comes from. */
    public enum Origin
    {
        /** TS 23.501 Table 5.7.4-1, checked against the standard text. */
        STANDARD,
        /** TS 23.501 Table 5.7.4-1, not checked against the standard text: operators should confirm it. */
        STANDARD_UNVERIFIED,
        /** Defined or overridden by the operator. */
        OPERATOR
    }

    public FiveQi
    {
        requireNonNull(resourceType, "resourceType");
        requireNonNull(description, "description");
        requireNonNull(origin, "origin");
        Checks.requireRange("value", value, 1, 254);
        Checks.requireRange("priorityLevel", priorityLevel, 1, 127);
        Checks.requireRange("packetDelayBudgetMs", packetDelayBudgetMs, 1, 10_000);
        if (!(packetErrorRate > 0 && packetErrorRate < 1))
        {
            throw new IllegalArgumentException("packetErrorRate: expected more than 0 and less than 1, got "
                + packetErrorRate);
        }
        if (resourceType == ResourceType.DELAY_CRITICAL_GBR && maxDataBurstBytes <= 0)
        {
            throw new IllegalArgumentException("maxDataBurstBytes: required (more than 0) for a delay-critical GBR"
                + " 5QI, got " + maxDataBurstBytes);
        }
        if (resourceType != ResourceType.DELAY_CRITICAL_GBR && maxDataBurstBytes != 0)
        {
            throw new IllegalArgumentException("maxDataBurstBytes: only delay-critical GBR 5QIs have one, got "
                + maxDataBurstBytes + " for " + resourceType.text());
        }
    }

    /**
     * An operator-defined row.
     *
     * @param value               the 5QI (128 to 254 for a new value; a standardized value overrides its row).
     * @param resourceType        the resource type.
     * @param priorityLevel       the priority level.
     * @param packetDelayBudgetMs the packet delay budget.
     * @param packetErrorRate     the packet error rate.
     * @param maxDataBurstBytes   the maximum data burst volume (delay-critical GBR only, else 0).
     * @param description         what it is for.
     * @return the row.
     */
    public static FiveQi operatorDefined(
        final int value,
        final ResourceType resourceType,
        final int priorityLevel,
        final int packetDelayBudgetMs,
        final double packetErrorRate,
        final int maxDataBurstBytes,
        final String description)
    {
        return new FiveQi(value, resourceType, priorityLevel, packetDelayBudgetMs, packetErrorRate, maxDataBurstBytes,
            description, Origin.OPERATOR);
    }
}
