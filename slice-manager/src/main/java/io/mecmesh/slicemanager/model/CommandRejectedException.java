package io.mecmesh.slicemanager.model;

import static java.util.Objects.requireNonNull;

/**
 * A command the desired state refuses. Nothing was applied or journaled. The message starts with the field.
 */
public final class CommandRejectedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why, so that an API can map it to a status without parsing the message.
     */
    public enum Category
    {
        /** The command is not valid on its own or refers to something that does not exist. */
        INVALID,
        /** What the command deletes does not exist. */
        NOT_FOUND,
        /** The command conflicts with the state: something still uses what it deletes, or a route is taken. */
        CONFLICT
    }

    private final Category category;
    private final String field;
    private final String reason;

    public CommandRejectedException(final Category category, final String field, final String reason)
    {
        super(field + ": " + reason);
        this.category = requireNonNull(category, "category");
        this.field = requireNonNull(field, "field");
        this.reason = requireNonNull(reason, "reason");
    }

    public Category category()
    {
        return category;
    }

    /**
     * The field the rejection is about.
     *
     * @return a path such as {@code service.slice}.
     */
    public String field()
    {
        return field;
    }

    /**
     * The rule broken, without the field.
     *
     * @return the message after {@code field: }.
     */
    public String reason()
    {
        return reason;
    }
}
