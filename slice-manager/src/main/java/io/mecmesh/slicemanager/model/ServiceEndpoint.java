package io.mecmesh.slicemanager.model;

import static java.util.Objects.requireNonNull;

/**
 * Where one instance of a service listens, and where it runs (for locality-aware balancing).
 *
 * @param address  an IP literal or host name, not empty, no spaces.
 * @param port     1 to 65535.
 * @param protocol what it speaks.
 * @param site     the site it runs at (lower-case name).
 * @param zone     the zone of that site (lower-case name).
 * @param weight   its share relative to the service's other endpoints, 1 to 1000.
 */
public record ServiceEndpoint(String address, int port, Protocol protocol, String site, String zone, int weight)
{
    public ServiceEndpoint
    {
        requireNonNull(address, "address");
        requireNonNull(protocol, "protocol");
        if (address.isBlank() || address.chars().anyMatch(c -> c <= 0x20 || c == '/'))
        {
            throw new IllegalArgumentException("address: expected an IP literal or host name, got \"" + address + "\"");
        }
        Checks.requireRange("port", port, 1, 65535);
        Checks.requireName("site", site);
        Checks.requireName("zone", zone);
        Checks.requireRange("weight", weight, 1, 1000);
    }
}
