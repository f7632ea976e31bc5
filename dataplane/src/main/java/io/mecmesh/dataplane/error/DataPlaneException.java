package io.mecmesh.dataplane.error;

/**
 * The data plane's runtime exception: a configuration the data plane cannot run, or a start-up failure such as a
 * listener that cannot bind. Expected outcomes on the request path are never exceptions; they are counters.
 */
public class DataPlaneException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong, so that callers can map it to an exit code or an HTTP status without parsing messages.
     */
    public enum Category
    {
        /** The configuration is not valid: names the field. */
        CONFIG,
        /** A resource (port, transport) the configuration asks for is not available. */
        UNAVAILABLE
    }

    private final Category category;

    public DataPlaneException(final Category category, final String message)
    {
        super(message);
        this.category = category;
    }

    public DataPlaneException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
        this.category = category;
    }

    public Category category()
    {
        return category;
    }
}
