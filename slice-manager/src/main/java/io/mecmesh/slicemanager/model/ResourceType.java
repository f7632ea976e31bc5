package io.mecmesh.slicemanager.model;

import static java.util.Objects.requireNonNull;

/**
 * The resource type of a 5QI (TS 23.501 §5.7.3.2): whether a QoS flow has a guaranteed bit rate.
 */
public enum ResourceType
{
    /** Guaranteed bit rate: admission control against the GBR. */
    GBR("GBR"),
    /** No guaranteed bit rate. */
    NON_GBR("Non-GBR"),
    /** GBR with a tight delay budget and a maximum data burst volume. */
    DELAY_CRITICAL_GBR("Delay-critical GBR");

    private final String text;

    ResourceType(final String text)
    {
        this.text = text;
    }

    /**
     * Whether flows of this type may carry a guaranteed bit rate.
     *
     * @return true for GBR and delay-critical GBR.
     */
    public boolean isGbr()
    {
        return this != NON_GBR;
    }

    /**
     * The name used in TS 23.501's table.
     *
     * @return e.g. {@code Delay-critical GBR}.
     */
    public String text()
    {
        return text;
    }

    /**
     * Parses the table's name of a resource type, case-insensitively.
     *
     * @param text e.g. {@code Non-GBR}.
     * @return the resource type.
     */
    public static ResourceType parse(final String text)
    {
        requireNonNull(text, "resourceType");
        for (final ResourceType type : values())
        {
            if (type.text.equalsIgnoreCase(text.trim()) || type.name().equalsIgnoreCase(text.trim()))
            {
                return type;
            }
        }
        throw new IllegalArgumentException(
            "resourceType: expected GBR, Non-GBR or Delay-critical GBR, got \"" + text + "\"");
    }
}
