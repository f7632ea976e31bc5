package io.mecmesh.slicemanager.http;

/**
 * The check every request passes before its handler (and before its body is read): who may call what. Runs on a
 * worker thread.
 */
@FunctionalInterface
public interface ApiGate
{
    /** Lets every request through. */
    ApiGate OPEN = exchange -> true;

    /**
     * @param exchange the request, its body not yet read; the gate may set attributes (the caller) for the handler.
     * @return true to pass the request on; false when the gate answered it (a denial) and the handler must not run.
     */
    boolean admit(ApiExchange exchange);
}
