package io.mecmesh.mecapi;

import java.util.Locale;

/**
 * What became of the MEC 011 notifications the MEC API sent to subscribers' callbacks (exported as
 * {@code mecmesh_mec_notifications_total{outcome}}; a retry is counted per try, the others once per notification).
 */
public enum NotificationCounter
{
    /** A callback accepted it (2xx). */
    DELIVERED,
    /** A try was not accepted (no answer or not 2xx) and another follows after a back-off. */
    RETRIED,
    /** The last try was not accepted, or the callback URI could not be used: given up. */
    FAILED,
    /** Not sent: too many notifications were pending already. */
    DROPPED;

    /**
     * @return the label value, lower case.
     */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
