package io.mecmesh.dataplane.route;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static java.util.Objects.requireNonNull;

/**
 * A condition on one request header.
 *
 * @param name  the header name (case-insensitive).
 * @param kind  how it is tested.
 * @param value the value for {@link Kind#EXACT} and {@link Kind#REGEX}; empty otherwise.
 */
public record HeaderMatch(String name, Kind kind, String value)
{
    /**
     * How the header is tested.
     */
    public enum Kind
    {
        /** Present with exactly this value. */
        EXACT,
        /** Present with a value the whole of which matches the expression. */
        REGEX,
        /** Present, any value. */
        PRESENT,
        /** Not present. */
        ABSENT
    }

    public HeaderMatch
    {
        requireNonNull(name, "name");
        requireNonNull(kind, "kind");
        requireNonNull(value, "value");
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
        {
            throw new IllegalArgumentException("name: not a valid header name: \"" + name + "\"");
        }
        name = name.toLowerCase(Locale.ROOT);
        if (kind == Kind.REGEX)
        {
            try
            {
                Pattern.compile(value);
            }
            catch (final PatternSyntaxException ex)
            {
                throw new IllegalArgumentException("regex: not a valid regular expression: " + ex.getDescription()
                    + " in \"" + value + "\"", ex);
            }
        }
    }
}
