package io.mecmesh.appliance.config;

import io.mecmesh.dataplane.MeshConfig;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Everything in {@code appliance.yaml}, validated.
 *
 * @param role          what this process runs.
 * @param node          this node.
 * @param admin         the admin endpoint.
 * @param dataplane     the data plane's listeners, and (edge without a control plane) its routes and clusters.
 * @param dataDirectory where state lives: {@code control/} (journal, snapshots), {@code aeron/} (the media driver),
 *                      {@code lkg/} (last known good configuration), {@code identity/}.
 * @param controlPlane  how control plane and nodes reach each other; empty: an edge serves the file's routes only.
 */
public record ApplianceConfig(
    Role role, NodeConfig node, AdminConfig admin, MeshConfig dataplane, Path dataDirectory,
    Optional<ControlPlaneConfig> controlPlane)
{
    /** Default data directory (the RPM creates it). */
    public static final Path DEFAULT_DATA_DIRECTORY = Path.of("/var/lib/mecmesh");

    public ApplianceConfig
    {
        requireNonNull(role, "role");
        requireNonNull(node, "node");
        requireNonNull(admin, "admin");
        requireNonNull(dataplane, "dataplane");
        requireNonNull(dataDirectory, "dataDirectory");
        requireNonNull(controlPlane, "controlPlane");
        if (role != Role.EDGE && controlPlane.isEmpty())
        {
            throw new IllegalArgumentException("controlPlane: required for role " + role.name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * A standalone edge: the file's data plane, no control plane.
     *
     * @param node      this node.
     * @param admin     the admin endpoint.
     * @param dataplane the data plane.
     */
    public ApplianceConfig(final NodeConfig node, final AdminConfig admin, final MeshConfig dataplane)
    {
        this(Role.EDGE, node, admin, dataplane, DEFAULT_DATA_DIRECTORY, Optional.empty());
    }
}
