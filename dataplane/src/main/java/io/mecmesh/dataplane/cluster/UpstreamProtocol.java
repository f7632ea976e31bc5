package io.mecmesh.dataplane.cluster;

/**
 * The protocol spoken to a cluster's endpoints.
 */
public enum UpstreamProtocol
{
    /** HTTP/1.1 over pooled keep-alive connections, one request at a time per connection. */
    HTTP1,
    /**
     * HTTP/2 (prior knowledge in plain text, ALPN {@code h2} over TLS): one connection per event loop and endpoint,
     * one stream per request. Needed for gRPC (trailers).
     */
    HTTP2
}
