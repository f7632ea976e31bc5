package io.mecmesh.appliance;

/**
 * The appliance's runtime exception. Its category decides the process exit code, so that an operator (or systemd)
 * can tell a bad configuration from a busy port without reading the message.
 */
public final class ApplianceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong.
     */
    public enum Category
    {
        /** The configuration file is missing, unreadable or not valid: the message names the file and key path. */
        CONFIG,
        /** A resource the configuration asks for (a port, a transport) is not available on this host. */
        UNAVAILABLE
    }

    private final Category category;

    public ApplianceException(final Category category, final String message)
    {
        super(message);
        this.category = category;
    }

    public ApplianceException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
        this.category = category;
    }

    public Category category()
    {
        return category;
    }
}
