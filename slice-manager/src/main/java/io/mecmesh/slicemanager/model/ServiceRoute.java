package io.mecmesh.slicemanager.model;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Requests a service takes: an authority and a path prefix, as in the data plane's routes.
 *
 * @param host       the authority without port, stored in lower case; {@code *} for any.
 * @param pathPrefix the path prefix, starting with {@code /}.
 */
public record ServiceRoute(String host, String pathPrefix)
{
    public ServiceRoute
    {
        requireNonNull(host, "host");
        requireNonNull(pathPrefix, "pathPrefix");
        if (host.isBlank() || host.chars().anyMatch(c -> c <= 0x20 || c == '/' || c >= 0x7F))
        {
            throw new IllegalArgumentException("host: expected an authority without port (\"*\" for any), got \""
                + host + "\"");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (!pathPrefix.startsWith("/") || pathPrefix.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F))
        {
            throw new IllegalArgumentException("pathPrefix: expected a path starting with '/', got \"" + pathPrefix
                + "\"");
        }
    }
}
