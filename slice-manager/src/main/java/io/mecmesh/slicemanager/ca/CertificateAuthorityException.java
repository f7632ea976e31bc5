package io.mecmesh.slicemanager.ca;

/**
 * A certificate authority operation that cannot be done: a refused signing request, or CA key material that cannot be
 * read or written. The message names what was wrong so that an operator can act on it.
 */
public final class CertificateAuthorityException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong, so that callers can map it to an exit code or a response without parsing messages.
     */
    public enum Category
    {
        /** The request (CSR, SPIFFE ID, TTL) is refused: the message names the rule. */
        REQUEST_REFUSED,
        /** CA key material cannot be read or written (file, permissions, passphrase). */
        KEY_STORE,
        /** The JDK or BouncyCastle could not perform a cryptographic operation. */
        CRYPTO,
        /** A signing request that cannot be read (JSON, field syntax, CSR encoding): HTTP 400. */
        MALFORMED_REQUEST,
        /** A signing request without the join token, or with another one: HTTP 401. */
        UNAUTHENTICATED,
        /** A node asking for an identity it is not allowed (unknown node, other site, outside the issuer): 403. */
        FORBIDDEN,
        /** The CA cannot sign now (issuer expired, crypto failure): HTTP 503, the node retries later. */
        UNAVAILABLE
    }

    private final Category category;

    public CertificateAuthorityException(final Category category, final String message)
    {
        super(message);
        this.category = category;
    }

    public CertificateAuthorityException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
        this.category = category;
    }

    public Category category()
    {
        return category;
    }
}
