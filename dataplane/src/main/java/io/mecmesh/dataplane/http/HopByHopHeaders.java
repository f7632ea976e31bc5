package io.mecmesh.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Removes the hop-by-hop headers (RFC 9110 §7.6.1) before a message is forwarded: those named in
 * {@code Connection} and the standard ones. {@code Transfer-Encoding} is kept because the body is streamed with
 * its framing unchanged, and {@code TE: trailers} because gRPC needs it end to end.
 */
public final class HopByHopHeaders
{
    private static final AsciiString[] STANDARD = {
        HttpHeaderNames.CONNECTION,
        AsciiString.cached("keep-alive"),
        AsciiString.cached("proxy-connection"),
        HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.UPGRADE,
    };

    private HopByHopHeaders()
    {
    }

    /**
     * Removes the hop-by-hop headers in place.
     *
     * @param headers the message's headers.
     */
    public static void remove(final HttpHeaders headers)
    {
        final String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null && connection.indexOf(',') < 0)
        {
            removeNamed(headers, connection.trim());
        }
        else if (connection != null)
        {
            for (final String token : connection.split(","))
            {
                removeNamed(headers, token.trim());
            }
        }
        for (final AsciiString name : STANDARD)
        {
            headers.remove(name);
        }
        final String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim()))
        {
            headers.remove(HttpHeaderNames.TE);
        }
    }

    private static void removeNamed(final HttpHeaders headers, final String name)
    {
        if (!name.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name))
        {
            headers.remove(name);
        }
    }
}
