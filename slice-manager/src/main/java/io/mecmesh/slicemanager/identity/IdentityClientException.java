package io.mecmesh.slicemanager.identity;

/**
 * A node identity operation that failed; the message names what and where, for an operator.
 */
public final class IdentityClientException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong.
     */
    public enum Category
    {
        /** The CA cannot be reached, timed out, or cannot sign now (HTTP 503): retried with backoff. */
        CA_UNAVAILABLE,
        /** The CA refused the request (HTTP 4xx) or answered something unusable: retried, and worth an alarm. */
        REFUSED,
        /** The persisted identity cannot be read or written. */
        STORE,
        /** At start: no valid persisted certificate and none could be obtained. */
        NO_VALID_IDENTITY
    }

    private final Category category;

    public IdentityClientException(final Category category, final String message)
    {
        super(message);
        this.category = category;
    }

    public IdentityClientException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
        this.category = category;
    }

    public Category category()
    {
        return category;
    }
}
