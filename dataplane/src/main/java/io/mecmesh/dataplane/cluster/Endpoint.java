package io.mecmesh.dataplane.cluster;

import static java.util.Objects.requireNonNull;

/**
 * An upstream endpoint.
 *
 * @param host     an IP literal or host name, resolved once when the data plane starts.
 * @param port     the TCP port.
 * @param locality where it runs, for locality-aware balancing.
 * @param weight   its share relative to the cluster's other endpoints (1 to 1000).
 */
public record Endpoint(String host, int port, Locality locality, int weight)
{
    public Endpoint
    {
        requireNonNull(host, "host");
        requireNonNull(locality, "locality");
        if (weight < 1 || weight > 1000)
        {
            throw new IllegalArgumentException("weight: expected 1 to 1000, got " + weight);
        }
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
     * An endpoint of unknown locality and weight 1.
     *
     * @param host the host.
     * @param port the port.
     */
    public Endpoint(final String host, final int port)
    {
        this(host, port, Locality.UNKNOWN, 1);
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
