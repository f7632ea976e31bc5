package io.mecmesh.dataplane.listener;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP/1.1 listener.
 *
 * @param name                a name unique among listeners, used in logs and metrics.
 * @param address             the address to bind (an IP literal or a host name; {@code 0.0.0.0} for all).
 * @param port                the TCP port, 0 to let the kernel choose (tests and the demo).
 * @param maxRequestLineBytes longest request line accepted; longer gets 414.
 * @param maxHeaderBytes      most header bytes accepted; more gets 431.
 */
public record ListenerConfig(String name, String address, int port, int maxRequestLineBytes, int maxHeaderBytes)
{
    public static final int DEFAULT_MAX_REQUEST_LINE_BYTES = 8192;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;

    public ListenerConfig
    {
        requireNonNull(name, "name");
        requireNonNull(address, "address");
        if (name.isBlank())
        {
            throw new IllegalArgumentException("name: must not be empty");
        }
        if (address.isBlank())
        {
            throw new IllegalArgumentException("address: must not be empty");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
        }
        if (maxRequestLineBytes < 256)
        {
            throw new IllegalArgumentException("maxRequestLineBytes: expected at least 256, got " + maxRequestLineBytes);
        }
        if (maxHeaderBytes < 1024)
        {
            throw new IllegalArgumentException("maxHeaderBytes: expected at least 1024, got " + maxHeaderBytes);
        }
    }

    /**
     * A listener with the default limits.
     *
     * @param name    listener name.
     * @param address bind address.
     * @param port    bind port.
     * @return the listener configuration.
     */
    public static ListenerConfig of(final String name, final String address, final int port)
    {
        return new ListenerConfig(name, address, port, DEFAULT_MAX_REQUEST_LINE_BYTES, DEFAULT_MAX_HEADER_BYTES);
    }
}
