package io.mecmesh.slicemanager.model;

import static java.util.Objects.requireNonNull;

/**
 * Where peer appliances reach a node's inbound mesh listener (mutual TLS with the node's SVID): the listener the
 * edge's own configuration declares with {@code tls: {identity: node, mode: mesh}}.
 *
 * @param address an IP literal or host name the other nodes can reach, not empty, no spaces.
 * @param port    1 to 65535.
 */
public record MeshEndpoint(String address, int port)
{
    public MeshEndpoint
    {
        requireNonNull(address, "address");
        if (address.isBlank() || address.chars().anyMatch(c -> c <= 0x20 || c == '/'))
        {
            throw new IllegalArgumentException("address: expected an IP literal or host name, got \"" + address + "\"");
        }
        Checks.requireRange("port", port, 1, 65535);
    }
}
