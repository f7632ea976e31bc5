package io.mecmesh.appliance.control;

import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.api.ControlPlaneHttpHandler;
import io.mecmesh.slicemanager.http.ApiHandler;

import java.util.Map;

/**
 * The control-plane API's handlers, by path prefix.
 */
public final class ControlApiHandlers
{
    private ControlApiHandlers()
    {
    }

    /**
     * @param controlPlane the control plane the API drives (the slice manager, timed).
     * @return the handlers by path prefix: {@code /v1/} (desired state, status, journal).
     */
    public static Map<String, ApiHandler> of(final ControlPlaneBackend controlPlane)
    {
        return Map.of("/v1/", new ControlPlaneHttpHandler(controlPlane));
    }
}
