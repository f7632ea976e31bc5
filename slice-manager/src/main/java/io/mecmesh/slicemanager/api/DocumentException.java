package io.mecmesh.slicemanager.api;

import static java.util.Objects.requireNonNull;

/**
 * A desired-state document (or one object of it) that is not valid. The message is one line that starts with the
 * path of the offending field in the document, e.g. {@code services[1].endpoints[0].port: expected 1 to 65535, got 0}.
 */
public final class DocumentException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;

    /**
     * @param field  the path of the field, e.g. {@code services[1].endpoints[0].port}.
     * @param reason the rule broken.
     */
    public DocumentException(final String field, final String reason)
    {
        super(field + ": " + reason);
        this.field = requireNonNull(field, "field");
        this.reason = requireNonNull(reason, "reason");
    }

    /**
     * Re-roots a model validation message ({@code port: expected ...}) under a document path.
     *
     * @param path    the path of the object the model was built from, e.g. {@code services[1].endpoints[0]}.
     * @param message the model's message, starting with the field.
     * @return the exception naming the full path.
     */
    static DocumentException under(final String path, final String message)
    {
        final int colon = message == null ? -1 : message.indexOf(": ");
        if (colon <= 0 || message.substring(0, colon).contains(" "))
        {
            return new DocumentException(path, String.valueOf(message));
        }
        return new DocumentException(path.isEmpty() ? message.substring(0, colon)
            : path + "." + message.substring(0, colon), message.substring(colon + 2));
    }

    /**
     * @return the path of the offending field.
     */
    public String field()
    {
        return field;
    }

    /**
     * @return the rule broken, without the path.
     */
    public String reason()
    {
        return reason;
    }
}
