package io.mecmesh.dataplane.route;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static java.util.Objects.requireNonNull;

/**
 * How a route matches the request path (the request target without the query string).
 *
 * @param kind  exact, prefix or regular expression (the whole path must match).
 * @param value the path, prefix or expression.
 */
public record PathMatch(Kind kind, String value)
{
    /**
     * How the value is compared.
     */
    public enum Kind
    {
        EXACT,
        PREFIX,
        REGEX
    }

    public PathMatch
    {
        requireNonNull(kind, "kind");
        requireNonNull(value, "value");
        final String key = kind == Kind.EXACT ? "path" : "pathPrefix";
        if (kind != Kind.REGEX && !value.startsWith("/"))
        {
            throw new IllegalArgumentException(key + ": must start with '/', got \"" + value + "\"");
        }
        if (kind != Kind.REGEX && (value.indexOf('?') >= 0 || value.indexOf('#') >= 0))
        {
            throw new IllegalArgumentException(key + ": matches the path only, without '?' or '#', got \"" + value
                + "\"");
        }
        if (kind == Kind.REGEX)
        {
            try
            {
                Pattern.compile(value);
            }
            catch (final PatternSyntaxException ex)
            {
                throw new IllegalArgumentException("pathRegex: not a valid regular expression: "
                    + ex.getDescription() + " in \"" + value + "\"", ex);
            }
        }
    }

    public static PathMatch prefix(final String prefix)
    {
        return new PathMatch(Kind.PREFIX, prefix);
    }

    public static PathMatch exact(final String path)
    {
        return new PathMatch(Kind.EXACT, path);
    }

    public static PathMatch regex(final String expression)
    {
        return new PathMatch(Kind.REGEX, expression);
    }
}
