package io.mecmesh.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * Why an upstream connection's TLS handshake failed, in one line for the 502 that answers the request: an upstream
 * connection whose handshake fails closes before the request is sent, which otherwise reads as "closed the
 * connection before responding".
 */
final class UpstreamTlsFailure
{
    private UpstreamTlsFailure()
    {
    }

    /**
     * @param channel an upstream connection (or an HTTP/2 stream on one) that closed.
     * @return the reason its TLS handshake failed, e.g. {@code upstream TLS handshake failed: peer certificate
     *         refused: EXPIRED: ...} or {@code ...: Received fatal alert: certificate_expired}; {@code null} when
     *         it has no TLS or the handshake did not fail.
     */
    static String describe(final Channel channel)
    {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null && channel.parent() != null)
        {
            tls = channel.parent().pipeline().get(SslHandler.class);
        }
        if (tls == null || !tls.handshakeFuture().isDone() || tls.handshakeFuture().isSuccess())
        {
            return null;
        }
        Throwable cause = tls.handshakeFuture().cause();
        while (cause.getCause() != null && cause.getCause() != cause)
        {
            cause = cause.getCause();
        }
        final String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return "upstream TLS handshake failed: " + message.lines().findFirst().orElse("");
    }
}
