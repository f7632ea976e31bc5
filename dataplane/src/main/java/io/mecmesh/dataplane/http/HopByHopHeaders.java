package io.mecmesh.dataplane.http;

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

    /** Per event-loop thread: views a Connection option while its fields are removed, and adapts Netty headers. */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>()
    {
        @Override
        protected Scratch initialValue()
        {
            return new Scratch();
        }
    };

    private HopByHopHeaders()
    {
    }

    /**
     * Removes the hop-by-hop headers in place, allocating nothing on a decoded head's fields.
     *
     * @param headers the message's headers.
     */
    public static void remove(final HttpHeaders headers)
    {
        final Scratch scratch = SCRATCH.get();
        final HeaderFields fields = HeaderFields.of(headers, scratch.fields);
        try
        {
            while (removeOneConnectionOption(fields, scratch.option))
            {
                // Indexes may have moved (the Netty adapter): look again from the start; removed names stay removed.
            }
            for (final AsciiString name : STANDARD)
            {
                headers.remove(name);
            }
            final int te = fields.indexOf(HttpHeaderNames.TE, 0);
            if (te >= 0 && !fields.valueEquals(te, HttpHeaderValues.TRAILERS, true))
            {
                headers.remove(HttpHeaderNames.TE);
            }
        }
        finally
        {
            scratch.fields.clear();
        }
    }

    /**
     * Removes the first field named by a Connection option that is still there.
     *
     * @return whether one was removed.
     */
    private static boolean removeOneConnectionOption(final HeaderFields fields, final TextFlyweight option)
    {
        for (int i = fields.indexOf(HttpHeaderNames.CONNECTION, 0); i >= 0;
            i = fields.indexOf(HttpHeaderNames.CONNECTION, i + 1))
        {
            final int length = fields.valueLength(i);
            int start = 0;
            while (start < length)
            {
                int end = start;
                while (end < length && fields.valueCharAt(i, end) != ',')
                {
                    end++;
                }
                int s = start;
                int e = end;
                while (s < e && isOws(fields.valueCharAt(i, s)))
                {
                    s++;
                }
                while (e > s && isOws(fields.valueCharAt(i, e - 1)))
                {
                    e--;
                }
                if (e > s && removeNamed(fields, fields.valueView(i, s, e, option)))
                {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    private static boolean isOws(final int c)
    {
        return c == ' ' || c == '\t';
    }

    private static boolean removeNamed(final HeaderFields fields, final CharSequence name)
    {
        if (name.length() > 0 && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
            && !HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)
            && fields.indexOf(name, 0) >= 0)
        {
            fields.headers().remove(name);
            return true;
        }
        return false;
    }

    private static final class Scratch
    {
        final TextFlyweight option = new TextFlyweight();
        final NettyHeaderFields fields = new NettyHeaderFields();
    }
}
