package io.mecmesh.slicemanager.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A service an application registered over MEC 011 service management: its {@code ServiceInfo} as accepted (the
 * document answered back), and what the mesh and the query filters need from it. Registered, it is also a mesh
 * service ({@link #meshName()}) with {@link #endpoints()} from its {@code transportInfo}, routed by the host
 * {@link #host()}, in its application's slice, placed on its application's node.
 *
 * @param id                {@code serInstanceId}, assigned by the platform.
 * @param serName           the service's name.
 * @param categoryId        {@code serCategory.id}, if any.
 * @param state             {@code ACTIVE} or {@code INACTIVE} (the application's), or {@code SUSPENDED} (set by the
 *                          platform when the heartbeats lapsed: the mesh service is then removed).
 * @param scopeOfLocality   the {@code LocalityType}, if given.
 * @param consumedLocalOnly whether it is consumed only locally.
 * @param isLocal           whether it runs on this MEC host.
 * @param endpoints         where it listens (from {@code transportInfo.endpoint}).
 * @param livenessInterval  seconds between two heartbeats the platform requires, 0 when it requires none.
 * @param document          the {@code ServiceInfo} JSON as accepted, {@code serInstanceId} included.
 */
public record MecService(String id, String serName, Optional<String> categoryId, String state,
    Optional<String> scopeOfLocality, boolean consumedLocalOnly, boolean isLocal, List<MeshEndpoint> endpoints,
    int livenessInterval, String document)
{
    public MecService
    {
        AppInstance.requireId("serInstanceId", id);
        requireNonNull(serName, "serName");
        requireNonNull(categoryId, "categoryId");
        requireNonNull(state, "state");
        requireNonNull(scopeOfLocality, "scopeOfLocality");
        requireNonNull(endpoints, "endpoints");
        requireNonNull(document, "document");
        if (endpoints.isEmpty())
        {
            throw new IllegalArgumentException("transportInfo.endpoint: expected addresses or uris with a host and "
                + "port (the mesh routes to them)");
        }
        if (livenessInterval < 0)
        {
            throw new IllegalArgumentException("livenessInterval: expected 0 or more seconds, got "
                + livenessInterval);
        }
        endpoints = List.copyOf(endpoints);
        hostOf(serName);
    }

    /** The state the platform sets when the heartbeats of a service lapse. */
    public static final String SUSPENDED = "SUSPENDED";

    /**
     * @return whether the platform requires heartbeats from it.
     */
    public boolean requiresHeartbeats()
    {
        return livenessInterval > 0;
    }

    /**
     * @return whether its heartbeats lapsed (it is out of the mesh until it beats again).
     */
    public boolean suspended()
    {
        return SUSPENDED.equals(state);
    }

    /**
     * @return the mesh service's name: {@code mec-} and the instance id in lower case.
     */
    public String meshName()
    {
        return Checks.requireName("serInstanceId", "mec-" + id.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * @return the host the mesh routes to it: {@code serName} in lower case.
     */
    public String host()
    {
        return hostOf(serName);
    }

    private static String hostOf(final String serName)
    {
        final String host = serName.toLowerCase(java.util.Locale.ROOT);
        try
        {
            return Checks.requireName("serName", host);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("serName: the mesh routes the service by its name as a host, which "
                + "must be a DNS name (letters, digits, '.', '-'), got \"" + serName + "\"", ex);
        }
    }
}
