package io.mecmesh.appliance.config;

import static java.util.Objects.requireNonNull;

/**
 * The admin endpoint ({@code /ready}, {@code /live}, {@code /metrics}) on its own port.
 *
 * @param address the address to bind; loopback by default, since it is not authenticated.
 * @param port    the TCP port, 0 to let the kernel choose.
 */
public record AdminConfig(String address, int port)
{
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 15000;

    public AdminConfig
    {
        requireNonNull(address, "address");
        if (address.isBlank())
        {
            throw new IllegalArgumentException("address: must not be empty");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
        }
    }
}
