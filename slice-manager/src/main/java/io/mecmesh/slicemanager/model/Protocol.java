package io.mecmesh.slicemanager.model;

/**
 * What a service endpoint speaks.
 */
public enum Protocol
{
    /** HTTP/1.1. */
    HTTP1,
    /** HTTP/2 (5G service-based interfaces). */
    HTTP2,
    /** Opaque TCP. */
    TCP
}
