package io.mecmesh.slicemanager.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A MEC 011 subscription an application instance made over Mp1: service availability (service management) or its
 * own termination (application support). Kept as the accepted JSON document (answered back and journaled as it is),
 * with what the platform needs to notify: where to and of what kind.
 *
 * @param id                the subscription's id, assigned by the platform (unique within its instance).
 * @param type              what it subscribes to.
 * @param callbackReference where notifications are POSTed: an absolute {@code http} or {@code https} URI.
 * @param document          the subscription's JSON as accepted (without {@code _links}).
 */
public record MecSubscription(String id, Type type, String callbackReference, String document)
{
    /** The kinds of subscription, by their {@code subscriptionType}. */
    public enum Type
    {
        /** {@code SerAvailabilityNotificationSubscription} ({@code /mec_service_mgmt/v1}). */
        SER_AVAILABILITY("SerAvailabilityNotificationSubscription"),
        /** {@code AppTerminationNotificationSubscription} ({@code /mec_app_support/v2}). */
        APP_TERMINATION("AppTerminationNotificationSubscription");

        private final String subscriptionType;

        Type(final String subscriptionType)
        {
            this.subscriptionType = subscriptionType;
        }

        /**
         * @return the {@code subscriptionType} value of this kind.
         */
        public String subscriptionType()
        {
            return subscriptionType;
        }
    }

    public MecSubscription
    {
        AppInstance.requireId("subscriptionId", id);
        requireNonNull(type, "type");
        requireCallback(callbackReference);
        requireNonNull(document, "document");
    }

    /**
     * @param callbackReference a callback URI.
     * @return it, if absolute {@code http(s)} with a host.
     * @throws IllegalArgumentException naming {@code callbackReference} otherwise.
     */
    public static String requireCallback(final String callbackReference)
    {
        requireNonNull(callbackReference, "callbackReference");
        final URI uri;
        try
        {
            uri = new URI(callbackReference);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("callbackReference: not a URI: " + ex.getMessage(), ex);
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null)
        {
            throw new IllegalArgumentException("callbackReference: expected an absolute http or https URI with a host,"
                + " got \"" + callbackReference + "\"");
        }
        return callbackReference;
    }
}
