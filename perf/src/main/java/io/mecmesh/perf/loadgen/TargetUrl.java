package io.mecmesh.perf.loadgen;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The one address the load generator contacts, parsed from {@code --url}.
 *
 * @param scheme    {@code http} or {@code https}.
 * @param host      host name or IP literal (without brackets).
 * @param port      TCP port.
 * @param path      request target: path and query, at least {@code /}.
 * @param authority the {@code Host} header and {@code :authority}: host, and port when not the scheme's default.
 */
record TargetUrl(String scheme, String host, int port, String path, String authority)
{
    TargetUrl
    {
        requireNonNull(scheme, "scheme");
        requireNonNull(host, "host");
        requireNonNull(path, "path");
        requireNonNull(authority, "authority");
        if (!"http".equals(scheme) && !"https".equals(scheme))
        {
            throw new IllegalArgumentException("url: scheme must be http or https, not " + scheme);
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException("url: host is missing");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("url: port out of range: " + port);
        }
        if (!path.startsWith("/"))
        {
            throw new IllegalArgumentException("url: path must start with /: " + path);
        }
    }

    /**
     * Parses an absolute {@code http://} or {@code https://} URL.
     *
     * @param url the URL as given on the command line.
     * @return the target.
     * @throws IllegalArgumentException when the URL is not an absolute http(s) URL with a host.
     */
    static TargetUrl parse(final String url)
    {
        requireNonNull(url, "url");
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalArgumentException("url: " + ex.getMessage(), ex);
        }
        if (uri.getScheme() == null || uri.getHost() == null)
        {
            throw new IllegalArgumentException("url: expected http://host[:port]/path, got " + url);
        }
        final String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        final int defaultPort = "https".equals(scheme) ? 443 : 80;
        final int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        final String path = uri.getRawQuery() == null ? rawPath : rawPath + "?" + uri.getRawQuery();
        final String hostPart = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        final String authority = port == defaultPort ? hostPart : hostPart + ":" + port;
        return new TargetUrl(scheme, host, port, path, authority);
    }

    /**
     * @return true when the scheme is {@code https}.
     */
    boolean isHttps()
    {
        return "https".equals(scheme);
    }
}
