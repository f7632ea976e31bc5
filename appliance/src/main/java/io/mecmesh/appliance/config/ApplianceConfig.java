package io.mecmesh.appliance.config;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.mecapi.dns.DnsConfig;

import java.nio.file.Path;
import java.util.List;
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
 * @param ca            the certificate authority of a control plane (roles control and all), if it runs one.
 * @param identity      this node's identity from the control plane's CA (roles edge and all), if it has one.
 * @param telemetry     what the appliance pushes about itself (metrics by remote-write), if anything.
 * @param slicePolicies the default policy records ({@code (slice, 0)}) of the slices the file declares
 *                      ({@code dataplane.slices}), run until a control plane sends compiled ones.
 * @param accessLog     the access log: whether, where and how long.
 * @param dns           the MEC DNS responder (roles edge and all; off unless configured).
 */
public record ApplianceConfig(
    Role role, NodeConfig node, AdminConfig admin, MeshConfig dataplane, Path dataDirectory,
    Optional<ControlPlaneConfig> controlPlane, Optional<CaConfig> ca, Optional<IdentityConfig> identity,
    TelemetryConfig telemetry, List<SlicePolicy> slicePolicies, AccessLogConfig accessLog, DnsConfig dns)
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
        requireNonNull(ca, "ca");
        requireNonNull(identity, "identity");
        requireNonNull(telemetry, "telemetry");
        requireNonNull(accessLog, "accessLog");
        requireNonNull(dns, "dns");
        slicePolicies = List.copyOf(requireNonNull(slicePolicies, "slicePolicies"));
        if (identity.isPresent() && (role == Role.CONTROL || controlPlane.isEmpty()))
        {
            throw new IllegalArgumentException("identity: needs role edge or all and a controlPlane (its CA)");
        }
        if (identity.isPresent() && node.site().isEmpty())
        {
            throw new IllegalArgumentException("node.site: required with identity (the node's SVID names its site)");
        }
        if (ca.isPresent() && role == Role.EDGE)
        {
            throw new IllegalArgumentException("ca: only a control plane (role control or all) runs the CA");
        }
        if (role != Role.EDGE && controlPlane.isEmpty())
        {
            throw new IllegalArgumentException("controlPlane: required for role " + role.name().toLowerCase(Locale.ROOT));
        }
        if (dns.enabled() && role == Role.CONTROL)
        {
            throw new IllegalArgumentException("dns: the MEC DNS responder runs on an edge (role edge or all)");
        }
    }

    /**
     * Without the MEC DNS responder.
     *
     * @param role          what this process runs.
     * @param node          this node.
     * @param admin         the admin endpoint.
     * @param dataplane     the data plane.
     * @param dataDirectory where state lives.
     * @param controlPlane  how control plane and nodes reach each other.
     * @param ca            the certificate authority, if this process runs one.
     * @param identity      this node's identity, if it has one.
     * @param telemetry     what the appliance pushes about itself.
     * @param slicePolicies the default policy records of the slices the file declares.
     * @param accessLog     the access log.
     */
    public ApplianceConfig(final Role role, final NodeConfig node, final AdminConfig admin, final MeshConfig dataplane,
        final Path dataDirectory, final Optional<ControlPlaneConfig> controlPlane, final Optional<CaConfig> ca,
        final Optional<IdentityConfig> identity, final TelemetryConfig telemetry,
        final List<SlicePolicy> slicePolicies, final AccessLogConfig accessLog)
    {
        this(role, node, admin, dataplane, dataDirectory, controlPlane, ca, identity, telemetry, slicePolicies,
            accessLog, DnsConfig.DISABLED);
    }

    /**
     * Without an access log.
     *
     * @param role          what this process runs.
     * @param node          this node.
     * @param admin         the admin endpoint.
     * @param dataplane     the data plane.
     * @param dataDirectory where state lives.
     * @param controlPlane  how control plane and nodes reach each other.
     * @param ca            the certificate authority, if this process runs one.
     * @param identity      this node's identity, if it has one.
     * @param telemetry     what the appliance pushes about itself.
     * @param slicePolicies the default policy records of the slices the file declares.
     */
    public ApplianceConfig(final Role role, final NodeConfig node, final AdminConfig admin, final MeshConfig dataplane,
        final Path dataDirectory, final Optional<ControlPlaneConfig> controlPlane, final Optional<CaConfig> ca,
        final Optional<IdentityConfig> identity, final TelemetryConfig telemetry,
        final List<SlicePolicy> slicePolicies)
    {
        this(role, node, admin, dataplane, dataDirectory, controlPlane, ca, identity, telemetry, slicePolicies,
            AccessLogConfig.disabled(dataDirectory));
    }

    /**
     * Without telemetry and without slices declared in the file.
     *
     * @param role          what this process runs.
     * @param node          this node.
     * @param admin         the admin endpoint.
     * @param dataplane     the data plane.
     * @param dataDirectory where state lives.
     * @param controlPlane  how control plane and nodes reach each other.
     * @param ca            the certificate authority, if this process runs one.
     * @param identity      this node's identity, if it has one.
     */
    public ApplianceConfig(final Role role, final NodeConfig node, final AdminConfig admin, final MeshConfig dataplane,
        final Path dataDirectory, final Optional<ControlPlaneConfig> controlPlane, final Optional<CaConfig> ca,
        final Optional<IdentityConfig> identity)
    {
        this(role, node, admin, dataplane, dataDirectory, controlPlane, ca, identity, TelemetryConfig.NONE, List.of());
    }

    /**
     * Without a CA or a node identity.
     *
     * @param role          what this process runs.
     * @param node          this node.
     * @param admin         the admin endpoint.
     * @param dataplane     the data plane.
     * @param dataDirectory where state lives.
     * @param controlPlane  how control plane and nodes reach each other.
     */
    public ApplianceConfig(final Role role, final NodeConfig node, final AdminConfig admin, final MeshConfig dataplane,
        final Path dataDirectory, final Optional<ControlPlaneConfig> controlPlane)
    {
        this(role, node, admin, dataplane, dataDirectory, controlPlane, Optional.empty(), Optional.empty());
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
