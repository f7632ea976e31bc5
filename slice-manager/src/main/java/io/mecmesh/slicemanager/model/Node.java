package io.mecmesh.slicemanager.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An edge node (one appliance on one MEC server) and the services placed on it.
 *
 * @param id       unique among nodes (lower-case DNS label).
 * @param site     the site it runs at.
 * @param zone     the zone of that site.
 * @param services names of the services whose workloads run on it; no duplicates; kept sorted (error indexes refer
 *                 to the sorted list).
 * @param mesh     where the other nodes reach its inbound mesh listener; when every node of a service has one, the
 *                 other nodes' calls to that service go there over mutual TLS (a compiled mesh hop) rather than
 *                 straight to the service's endpoints. Empty for none.
 * @param linkCapacityBps the capacity its GBR requests are admitted against ({@code qos.linkCapacityBps}), bits per
 *                 second; 0 for none (no GBR admission on it).
 */
public record Node(String id, String site, String zone, List<String> services, Optional<MeshEndpoint> mesh,
    long linkCapacityBps)
{
    /**
     * A node without GBR capacity.
     *
     * @param id       unique among nodes.
     * @param site     its site.
     * @param zone     its zone.
     * @param services the services placed on it.
     * @param mesh     its inbound mesh listener, if any.
     */
    public Node(final String id, final String site, final String zone, final List<String> services,
        final Optional<MeshEndpoint> mesh)
    {
        this(id, site, zone, services, mesh, 0);
    }

    /**
     * A node without an inbound mesh listener.
     *
     * @param id       unique among nodes.
     * @param site     its site.
     * @param zone     its zone.
     * @param services the services placed on it.
     */
    public Node(final String id, final String site, final String zone, final List<String> services)
    {
        this(id, site, zone, services, Optional.empty());
    }

    public Node
    {
        requireNonNull(mesh, "mesh");
        Checks.requireRange("qos.linkCapacityBps", linkCapacityBps, 0, Long.MAX_VALUE / 2);
        Checks.requireName("id", id);
        Checks.requireName("site", site);
        Checks.requireName("zone", zone);
        requireNonNull(services, "services");
        for (int i = 0; i < services.size(); i++)
        {
            Checks.requireName("services[" + i + "]", services.get(i));
            if (services.indexOf(services.get(i)) != i)
            {
                throw new IllegalArgumentException("services[" + i + "]: \"" + services.get(i) + "\" is listed twice");
            }
        }
        services = services.stream().sorted().toList();
    }
}
