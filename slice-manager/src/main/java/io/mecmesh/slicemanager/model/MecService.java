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
 * @param state             {@code ACTIVE} or {@code INACTIVE}.
 * @param scopeOfLocality   the {@code LocalityType}, if given.
 * @param consumedLocalOnly whether it is consumed only locally.
 * @param isLocal           whether it runs on this MEC host.
 * @param endpoints         where it listens (from {@code transportInfo.endpoint}).
 * @param document          the {@code ServiceInfo} JSON as accepted, {@code serInstanceId} included.
 */
public record MecService(String id, String serName, Optional<String> categoryId, String state,
    Optional<String> scopeOfLocality, boolean consumedLocalOnly, boolean isLocal, List<MeshEndpoint> endpoints,
    String document)
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
        endpoints = List.copyOf(endpoints);
        hostOf(serName);
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
