package io.mecmesh.appliance.control;

import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.api.ControlPlaneHttpHandler;

import java.util.Map;

/**
 * The control-plane API's handlers, by context path.
 */
public final class ControlApiHandlers
{
    private ControlApiHandlers()
    {
    }

    /**
     * @param controlPlane the control plane the API drives (the slice manager, timed).
     * @return the handlers by context path: {@code /v1/} (desired state, status, journal).
     */
    public static Map<String, HttpHandler> of(final ControlPlaneBackend controlPlane)
    {
        return Map.of("/v1/", new ControlPlaneHttpHandler(controlPlane));
    }
}
