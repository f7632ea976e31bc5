package io.mecmesh.slicemanager.journal;

import static java.util.Objects.requireNonNull;

/**
 * The journal or a snapshot cannot be written or read. The message names the directory or file, the entry, and what
 * an operator can do about it.
 */
public final class JournalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong, so that callers can map it to an exit code without parsing messages.
     */
    public enum Category
    {
        /** A file or directory cannot be read or written. */
        IO,
        /** An entry or a snapshot is damaged (checksum, truncation, undecodable content, a gap in the sequence). */
        CORRUPT
    }

    private final Category category;

    public JournalException(final Category category, final String message)
    {
        super(message);
        this.category = requireNonNull(category, "category");
    }

    public JournalException(final Category category, final String message, final Throwable cause)
    {
        super(message, cause);
        this.category = requireNonNull(category, "category");
    }

    public Category category()
    {
        return category;
    }
}
