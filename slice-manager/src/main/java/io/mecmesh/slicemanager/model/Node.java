package io.mecmesh.slicemanager.model;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * An edge node (one appliance on one MEC server) and the services placed on it.
 *
 * @param id       unique among nodes (lower-case DNS label).
 * @param site     the site it runs at.
 * @param zone     the zone of that site.
 * @param services names of the services whose workloads run on it; no duplicates; kept sorted (error indexes refer
 *                 to the sorted list).
 */
public record Node(String id, String site, String zone, List<String> services)
{
    public Node
    {
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
