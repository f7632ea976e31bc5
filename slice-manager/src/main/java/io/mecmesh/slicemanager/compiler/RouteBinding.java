package io.mecmesh.slicemanager.compiler;

import io.mecmesh.slicemanager.model.Snssai;

import static java.util.Objects.requireNonNull;

/**
 * Which service and slice a compiled route belongs to, and the route id its policy record is keyed by.
 *
 * @param routeId    1 + the route's position in the compiled {@code MeshConfig.routes()}.
 * @param host       the route's authority.
 * @param pathPrefix the route's path prefix.
 * @param service    the service (and cluster) it forwards to.
 * @param slice      the service's slice.
 */
public record RouteBinding(int routeId, String host, String pathPrefix, String service, Snssai slice)
{
    public RouteBinding
    {
        requireNonNull(host, "host");
        requireNonNull(pathPrefix, "pathPrefix");
        requireNonNull(service, "service");
        requireNonNull(slice, "slice");
        if (routeId < 1)
        {
            throw new IllegalArgumentException("routeId: expected 1 or more, got " + routeId);
        }
    }
}
