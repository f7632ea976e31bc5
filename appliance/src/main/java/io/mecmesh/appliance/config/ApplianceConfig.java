package io.mecmesh.appliance.config;

import io.mecmesh.dataplane.MeshConfig;

import static java.util.Objects.requireNonNull;

/**
 * Everything in {@code appliance.yaml}, validated.
 *
 * @param node      this node.
 * @param admin     the admin endpoint.
 * @param dataplane the data plane's listeners, routes and clusters.
 */
public record ApplianceConfig(NodeConfig node, AdminConfig admin, MeshConfig dataplane)
{
    public ApplianceConfig
    {
        requireNonNull(node, "node");
        requireNonNull(admin, "admin");
        requireNonNull(dataplane, "dataplane");
    }
}
