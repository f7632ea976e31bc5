package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.tls.TlsPolicy;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP/1.1 listener and the limits it enforces on its downstream connections.
 *
 * @param name                     a name unique among listeners, used in logs and metrics.
 * @param address                  the address to bind (an IP literal or a host name; {@code 0.0.0.0} for all).
 * @param port                     the TCP port, 0 to let the kernel choose (tests and the demo).
 * @param maxRequestLineBytes      longest request line accepted; longer gets 414.
 * @param maxHeaderBytes           most header bytes accepted; more gets 431.
 * @param maxHeaderCount           most header fields accepted in a request head; more gets 431.
 * @param maxRequestBodyBytes      largest request body accepted; a larger Content-Length gets 413 before anything is
 *                                 forwarded, a chunked body that grows larger gets 413 (or a close when the
 *                                 response already started) and the connection is closed.
 * @param requestHeaderTimeoutMs   time from the first byte of a request head to its end; slower gets 408 and close.
 * @param idleTimeoutMs            time a connection may wait with no request in progress and no byte received
 *                                 (after accept and between keep-alive requests); longer is closed.
 * @param maxConnections           most open downstream connections; beyond it a new connection is closed at accept.
 * @param maxRequestsPerConnection most requests on one connection, 0 for no limit: the response to the last one
 *                                 carries {@code Connection: close} and the connection is closed after it.
 * @param tls                      TLS on this listener (mesh: mutual TLS 1.3 between appliances; external: TLS for
 *                                 clients outside the mesh), or empty for plain text.
 * @param tcpCluster               for an L4 listener, the cluster every connection is relayed to byte for byte
 *                                 (no HTTP; TLS still applies when configured); empty for an HTTP listener.
 * @param requestBodyTimeoutMs     longest time a request body may go without a byte of progress (HTTP/1.1 and each
 *                                 HTTP/2 stream), 0 for no limit: slower gets 408 and close when nothing was
 *                                 answered yet, else only the close (HTTP/2: the stream is reset).
 * @param tlsPolicy                with external TLS, the versions and TLS 1.2 cipher suites offered
 *                                 ({@code tls.minVersion}, {@code tls.cipherSuites}); kept when {@link #withTls}
 *                                 swaps the material.
 * @param authorization            for an L4 listener with mesh TLS, who may connect, by the SPIFFE id of the peer's
 *                                 certificate ({@link AuthorizationPolicy}; rules name principals only): a refused
 *                                 peer's connection is closed before anything is relayed, and counted.
 *                                 {@link AuthorizationPolicy#ALLOW_ALL} (the default) lets every peer the trust
 *                                 bundle accepts through. HTTP listeners authorize per route instead.
 */
public record ListenerConfig(
    String name,
    String address,
    int port,
    int maxRequestLineBytes,
    int maxHeaderBytes,
    int maxHeaderCount,
    long maxRequestBodyBytes,
    long requestHeaderTimeoutMs,
    long idleTimeoutMs,
    int maxConnections,
    int maxRequestsPerConnection,
    Optional<TlsConfig> tls,
    Optional<String> tcpCluster,
    long requestBodyTimeoutMs,
    TlsPolicy tlsPolicy,
    AuthorizationPolicy authorization)
{
    public static final int DEFAULT_MAX_REQUEST_LINE_BYTES = 8192;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_REQUEST_HEADER_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 0;
    public static final long DEFAULT_REQUEST_BODY_TIMEOUT_MS = 30_000;

    /** Upper bound of {@link #maxRequestBodyBytes}: 1 TiB. */
    public static final long MAX_REQUEST_BODY_BYTES_LIMIT = 1L << 40;
    /** Upper bound of {@link #requestHeaderTimeoutMs}: one hour. */
    public static final long MAX_REQUEST_HEADER_TIMEOUT_MS = 3_600_000;
    /** Upper bound of {@link #requestBodyTimeoutMs}: one hour. */
    public static final long MAX_REQUEST_BODY_TIMEOUT_MS = 3_600_000;
    /** Upper bound of {@link #idleTimeoutMs}: one day. */
    public static final long MAX_IDLE_TIMEOUT_MS = 86_400_000;

    public ListenerConfig
    {
        requireNonNull(name, "name");
        requireNonNull(address, "address");
        requireNonNull(tls, "tls");
        requireNonNull(tcpCluster, "tcpCluster");
        requireNonNull(tlsPolicy, "tlsPolicy");
        if (name.isBlank())
        {
            throw new IllegalArgumentException("name: must not be empty");
        }
        if (address.isBlank())
        {
            throw new IllegalArgumentException("address: must not be empty");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
        }
        if (maxRequestLineBytes < 256)
        {
            throw new IllegalArgumentException("maxRequestLineBytes: expected at least 256, got " + maxRequestLineBytes);
        }
        if (maxHeaderBytes < 1024)
        {
            throw new IllegalArgumentException("maxHeaderBytes: expected at least 1024, got " + maxHeaderBytes);
        }
        requireRange("maxHeaderCount", maxHeaderCount, 1, 10_000);
        requireRange("maxRequestBodyBytes", maxRequestBodyBytes, 0, MAX_REQUEST_BODY_BYTES_LIMIT);
        requireRange("requestHeaderTimeoutMs", requestHeaderTimeoutMs, 1, MAX_REQUEST_HEADER_TIMEOUT_MS);
        requireRange("idleTimeoutMs", idleTimeoutMs, 1, MAX_IDLE_TIMEOUT_MS);
        requireRange("maxConnections", maxConnections, 1, 1_000_000);
        requireRange("maxRequestsPerConnection", maxRequestsPerConnection, 0, Integer.MAX_VALUE);
        requireRange("requestBodyTimeoutMs", requestBodyTimeoutMs, 0, MAX_REQUEST_BODY_TIMEOUT_MS);
        requireNonNull(authorization, "authorization");
        if (!authorization.equals(AuthorizationPolicy.ALLOW_ALL))
        {
            if (tcpCluster.isEmpty())
            {
                throw new IllegalArgumentException("authorization: only on an L4 listener (tcpCluster); an HTTP "
                    + "listener's routes carry their own");
            }
            if (tls.map(t -> t.mode() != TlsConfig.Mode.MESH).orElse(true))
            {
                throw new IllegalArgumentException("authorization: needs mesh TLS on the listener (the peer's SPIFFE"
                    + " id comes from its certificate)");
            }
            authorization.requirePrincipalsOnly();
        }
    }

    /**
     * The listener with the default {@link #requestBodyTimeoutMs} and {@link #tlsPolicy}: the form
     * {@code MeshConfigCodec} (distribution) still decodes, which carries neither.
     */
    public ListenerConfig(
        final String name,
        final String address,
        final int port,
        final int maxRequestLineBytes,
        final int maxHeaderBytes,
        final int maxHeaderCount,
        final long maxRequestBodyBytes,
        final long requestHeaderTimeoutMs,
        final long idleTimeoutMs,
        final int maxConnections,
        final int maxRequestsPerConnection,
        final Optional<TlsConfig> tls,
        final Optional<String> tcpCluster)
    {
        this(name, address, port, maxRequestLineBytes, maxHeaderBytes, maxHeaderCount, maxRequestBodyBytes,
            requestHeaderTimeoutMs, idleTimeoutMs, maxConnections, maxRequestsPerConnection, tls, tcpCluster,
            DEFAULT_REQUEST_BODY_TIMEOUT_MS, TlsPolicy.DEFAULT, AuthorizationPolicy.ALLOW_ALL);
    }

    private static void requireRange(final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(field + ": expected " + min + " to " + max + ", got " + value);
        }
    }

    /**
     * @param newTls TLS on this listener, or empty for plain text.
     * @return this listener with other TLS settings.
     */
    public ListenerConfig withTls(final Optional<TlsConfig> newTls)
    {
        return new ListenerConfig(name, address, port, maxRequestLineBytes, maxHeaderBytes, maxHeaderCount,
            maxRequestBodyBytes, requestHeaderTimeoutMs, idleTimeoutMs, maxConnections, maxRequestsPerConnection,
            newTls, tcpCluster, requestBodyTimeoutMs, tlsPolicy, authorization);
    }

    /**
     * A listener with the default limits.
     *
     * @param name    listener name.
     * @param address bind address.
     * @param port    bind port.
     * @return the listener configuration.
     */
    public static ListenerConfig of(final String name, final String address, final int port)
    {
        return builder(name, address, port).build();
    }

    /**
     * @param name    listener name.
     * @param address bind address.
     * @param port    bind port.
     * @return a builder that starts from the default limits.
     */
    public static Builder builder(final String name, final String address, final int port)
    {
        return new Builder(name, address, port);
    }

    /**
     * Sets the limits that differ from the defaults; {@link #build()} validates them all at once.
     */
    public static final class Builder
    {
        private final String name;
        private final String address;
        private final int port;
        private int maxRequestLineBytes = DEFAULT_MAX_REQUEST_LINE_BYTES;
        private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
        private int maxHeaderCount = DEFAULT_MAX_HEADER_COUNT;
        private long maxRequestBodyBytes = DEFAULT_MAX_REQUEST_BODY_BYTES;
        private long requestHeaderTimeoutMs = DEFAULT_REQUEST_HEADER_TIMEOUT_MS;
        private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxRequestsPerConnection = DEFAULT_MAX_REQUESTS_PER_CONNECTION;
        private Optional<TlsConfig> tls = Optional.empty();
        private Optional<String> tcpCluster = Optional.empty();
        private long requestBodyTimeoutMs = DEFAULT_REQUEST_BODY_TIMEOUT_MS;
        private TlsPolicy tlsPolicy = TlsPolicy.DEFAULT;
        private AuthorizationPolicy authorization = AuthorizationPolicy.ALLOW_ALL;

        private Builder(final String name, final String address, final int port)
        {
            this.name = name;
            this.address = address;
            this.port = port;
        }

        public Builder maxRequestLineBytes(final int maxRequestLineBytes)
        {
            this.maxRequestLineBytes = maxRequestLineBytes;
            return this;
        }

        public Builder maxHeaderBytes(final int maxHeaderBytes)
        {
            this.maxHeaderBytes = maxHeaderBytes;
            return this;
        }

        public Builder maxHeaderCount(final int maxHeaderCount)
        {
            this.maxHeaderCount = maxHeaderCount;
            return this;
        }

        public Builder maxRequestBodyBytes(final long maxRequestBodyBytes)
        {
            this.maxRequestBodyBytes = maxRequestBodyBytes;
            return this;
        }

        public Builder requestHeaderTimeoutMs(final long requestHeaderTimeoutMs)
        {
            this.requestHeaderTimeoutMs = requestHeaderTimeoutMs;
            return this;
        }

        public Builder idleTimeoutMs(final long idleTimeoutMs)
        {
            this.idleTimeoutMs = idleTimeoutMs;
            return this;
        }

        public Builder requestBodyTimeoutMs(final long requestBodyTimeoutMs)
        {
            this.requestBodyTimeoutMs = requestBodyTimeoutMs;
            return this;
        }

        public Builder tlsPolicy(final TlsPolicy tlsPolicy)
        {
            this.tlsPolicy = tlsPolicy;
            return this;
        }

        public Builder maxConnections(final int maxConnections)
        {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder maxRequestsPerConnection(final int maxRequestsPerConnection)
        {
            this.maxRequestsPerConnection = maxRequestsPerConnection;
            return this;
        }

        public Builder tls(final TlsConfig tls)
        {
            this.tls = Optional.of(tls);
            return this;
        }

        public Builder authorization(final AuthorizationPolicy authorization)
        {
            this.authorization = requireNonNull(authorization, "authorization");
            return this;
        }

        public Builder tcpCluster(final String tcpCluster)
        {
            this.tcpCluster = Optional.of(tcpCluster);
            return this;
        }

        /**
         * @return the validated configuration.
         * @throws IllegalArgumentException naming the first field out of range.
         */
        public ListenerConfig build()
        {
            return new ListenerConfig(name, address, port, maxRequestLineBytes, maxHeaderBytes, maxHeaderCount,
                maxRequestBodyBytes, requestHeaderTimeoutMs, idleTimeoutMs, maxConnections, maxRequestsPerConnection,
                tls, tcpCluster, requestBodyTimeoutMs, tlsPolicy, authorization);
        }
    }
}
