package io.mecmesh.dataplane.http;

import io.mecmesh.dataplane.http1.FlyweightHeaders;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

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

    /** Per event-loop thread: views a Connection option while its fields are removed. */
    private static final FastThreadLocal<TextFlyweight> OPTION = new FastThreadLocal<>()
    {
        @Override
        protected TextFlyweight initialValue()
        {
            return new TextFlyweight();
        }
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
        if (headers instanceof FlyweightHeaders flyweight)
        {
            remove(flyweight);
            return;
        }
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

    /** The same rules on a decoded head's fields, allocating nothing (a thread's view names the options). */
    private static void remove(final FlyweightHeaders headers)
    {
        final TextFlyweight option = OPTION.get();
        for (int i = headers.indexOf(HttpHeaderNames.CONNECTION, 0); i >= 0;
            i = headers.indexOf(HttpHeaderNames.CONNECTION, i + 1))
        {
            final int length = headers.valueLength(i);
            int start = 0;
            while (start < length)
            {
                int end = start;
                while (end < length && headers.valueCharAt(i, end) != ',')
                {
                    end++;
                }
                int s = start;
                int e = end;
                while (s < e && isOws(headers.valueCharAt(i, s)))
                {
                    s++;
                }
                while (e > s && isOws(headers.valueCharAt(i, e - 1)))
                {
                    e--;
                }
                if (e > s)
                {
                    removeNamed(headers, headers.valueView(i, s, e, option));
                }
                start = end + 1;
            }
        }
        for (final AsciiString name : STANDARD)
        {
            headers.remove(name);
        }
        final int te = headers.indexOf(HttpHeaderNames.TE, 0);
        if (te >= 0 && !headers.valueEquals(te, HttpHeaderValues.TRAILERS, true))
        {
            headers.remove(HttpHeaderNames.TE);
        }
    }

    private static boolean isOws(final int c)
    {
        return c == ' ' || c == '\t';
    }

    private static void removeNamed(final HttpHeaders headers, final CharSequence name)
    {
        if (name.length() > 0 && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name))
        {
            headers.remove(name);
        }
    }
}
