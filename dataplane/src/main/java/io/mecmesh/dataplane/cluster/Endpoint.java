package io.mecmesh.dataplane.cluster;

import static java.util.Objects.requireNonNull;

/**
 * An upstream endpoint.
 *
 * @param host an IP literal or host name, resolved once when the data plane starts.
 * @param port the TCP port.
 */
public record Endpoint(String host, int port)
{
    public Endpoint
    {
        requireNonNull(host, "host");
        if (host.isBlank())
        {
            throw new IllegalArgumentException("host: must not be empty");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("port: expected 1 to 65535, got " + port);
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @param text the endpoint as written in a configuration.
     * @return the endpoint.
     * @throws IllegalArgumentException naming what was expected.
     */
    public static Endpoint parse(final String text)
    {
        requireNonNull(text, "text");
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("expected host:port with a numeric port, got \"" + text + "\"", ex);
        }
        return new Endpoint(host, port);
    }

    @Override
    public String toString()
    {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
