package io.mecmesh.dataplane.route;

import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * What a request must look like for a route to take it. All conditions must hold.
 *
 * @param authority the host to match without port, case-insensitive: a name, {@code *.suffix} for any subdomain,
 *                  or {@code *} for any host.
 * @param path      the path condition.
 * @param methods   the methods taken (upper case); empty for any method.
 * @param headers   header conditions.
 */
public record RouteMatch(String authority, PathMatch path, List<String> methods, List<HeaderMatch> headers)
{
    /** The authority that matches any host. */
    public static final String ANY_AUTHORITY = "*";

    public RouteMatch
    {
        requireNonNull(authority, "authority");
        requireNonNull(path, "path");
        methods = List.copyOf(requireNonNull(methods, "methods"));
        headers = List.copyOf(requireNonNull(headers, "headers"));
        if (authority.isBlank())
        {
            throw new IllegalArgumentException("host: must not be empty (use \"*\" for any host)");
        }
        if (authority.indexOf('*') > 0 || (authority.startsWith("*") && !authority.equals(ANY_AUTHORITY)
            && !authority.startsWith("*.")))
        {
            throw new IllegalArgumentException("host: a wildcard is \"*\" or a leading \"*.\", got \"" + authority
                + "\"");
        }
        authority = authority.toLowerCase(Locale.ROOT);
        for (int i = 0; i < methods.size(); i++)
        {
            if (!methods.get(i).matches("[A-Z]+"))
            {
                throw new IllegalArgumentException("methods[" + i + "]: expected an upper-case method name, got \""
                    + methods.get(i) + "\"");
            }
        }
    }

    /**
     * @param authority the host.
     * @param prefix    the path prefix.
     * @return a match on host and path prefix only.
     */
    public static RouteMatch prefix(final String authority, final String prefix)
    {
        return new RouteMatch(authority, PathMatch.prefix(prefix), List.of(), List.of());
    }
}
