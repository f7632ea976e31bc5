package io.mecmesh.dataplane.classify;

import static java.util.Objects.requireNonNull;

/**
 * A TCP port or an inclusive range of them ({@code 443}, {@code 8000-8099}), a classification criterion on the
 * connection's source or destination port. Immutable; matching allocates nothing.
 *
 * @param first the lowest port, 1 to 65535.
 * @param last  the highest port, {@code first} to 65535.
 */
public record PortRange(int first, int last)
{
    /** The highest TCP port. */
    public static final int MAX_PORT = 65_535;

    public PortRange
    {
        if (first < 1 || first > MAX_PORT || last < first || last > MAX_PORT)
        {
            throw new IllegalArgumentException("port range: expected 1 <= first <= last <= " + MAX_PORT + ", got "
                + first + "-" + last);
        }
    }

    /**
     * Parses {@code port} or {@code first-last}.
     *
     * @param field the field the text came from, named in the error.
     * @param text  the text.
     * @return the range.
     * @throws IllegalArgumentException naming the field when the text is not a port or range of ports 1 to 65535.
     */
    public static PortRange parse(final String field, final String text)
    {
        requireNonNull(field, "field");
        requireNonNull(text, field);
        final int dash = text.indexOf('-');
        final String low = dash < 0 ? text : text.substring(0, dash);
        final String high = dash < 0 ? text : text.substring(dash + 1);
        if (!low.matches("\\d{1,5}") || !high.matches("\\d{1,5}"))
        {
            throw new IllegalArgumentException(field + ": expected a port (1 to 65535) or a range such as 8000-8099,"
                + " got \"" + text + "\"");
        }
        final int first = Integer.parseInt(low);
        final int last = Integer.parseInt(high);
        if (first < 1 || last > MAX_PORT || last < first)
        {
            throw new IllegalArgumentException(field + ": expected ports 1 to 65535, the first not above the last,"
                + " got \"" + text + "\"");
        }
        return new PortRange(first, last);
    }

    /**
     * @param port a connection's port, or -1 when unknown (never matches).
     * @return whether it is in the range.
     */
    public boolean matches(final int port)
    {
        return port >= first && port <= last;
    }

    /**
     * @return {@code port} for a single port, else {@code first-last} (what {@link #parse} reads).
     */
    @Override
    public String toString()
    {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
