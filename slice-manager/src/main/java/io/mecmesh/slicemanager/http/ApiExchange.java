package io.mecmesh.slicemanager.http;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * One request to an HTTP API and its answer, independent of the server that carries it ({@link ApiHttpServer} on
 * Vert.x; the appliance's loopback admin server adapts the JDK's). A handler reads the request, then answers exactly
 * once with {@link #respond}.
 */
public interface ApiExchange
{
    /**
     * @return the method, e.g. {@code POST}.
     */
    String method();

    /**
     * @return the raw (not decoded) path, without the query.
     */
    String rawPath();

    /**
     * @return the raw query (after {@code ?}), null when there is none.
     */
    String rawQuery();

    /**
     * @param name a header name (case-insensitive).
     * @return its first value, null when absent.
     */
    String header(String name);

    /**
     * @return the client's verified certificate chain, leaf first; empty without one or over plain HTTP.
     */
    List<X509Certificate> peerChain();

    /**
     * @return the client's address, for logs.
     */
    String remoteAddress();

    /**
     * The request body, read before the handler runs: at most {@link ApiHandler#maxBodyBytes()} + 1 bytes, so that
     * a handler sees that a body is over its limit (and answers 413) without the server reading all of it.
     *
     * @return the body, empty without one.
     */
    byte[] body();

    /**
     * @param name an attribute set by an earlier stage (the server's access check).
     * @return its value, null when unset.
     */
    Object attribute(String name);

    /**
     * @param name  the attribute's name.
     * @param value its value.
     */
    void attribute(String name, Object value);

    /**
     * Sends the whole answer and ends the exchange (the server drops what is left of an unread body).
     *
     * @param status      the HTTP status.
     * @param contentType the body's media type.
     * @param body        the body.
     * @param headers     other response headers (e.g. {@code Allow}, {@code WWW-Authenticate}).
     */
    void respond(int status, String contentType, byte[] body, Map<String, String> headers);
}
