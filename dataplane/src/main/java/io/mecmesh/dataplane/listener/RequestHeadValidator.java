package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.http.Framing;
import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.util.Locale;

/**
 * Checks a request head that the HTTP/1.1 decoder accepted against what a proxy must not forward (RFC 9112 §3, §6;
 * RFC 9110 §7.2), and normalizes what it forwards so that the upstream parses exactly what this proxy parsed:
 *
 * <ul>
 *   <li>{@code Transfer-Encoding}: exactly one {@code chunked}, on HTTP/1.1, without {@code Content-Length};
 *   forwarded as {@code chunked}.</li>
 *   <li>{@code Content-Length}: one field of 1 to 18 digits, within the listener's body limit; forwarded in its
 *   canonical decimal form.</li>
 *   <li>{@code Host}: exactly one on HTTP/1.1 (at most one on HTTP/1.0), a valid {@code uri-host [":" port]}.</li>
 *   <li>request-target: origin form ({@code /path?query}) of visible ASCII without {@code #} and with valid
 *   percent escapes, {@code *} for {@code OPTIONS}, or absolute form {@code http(s)://authority/path} whose
 *   authority agrees with {@code Host}: rewritten to origin form with {@code Host} set to the authority.</li>
 *   <li>{@code Connection}: several fields are joined into one, so that every hop-by-hop header it names is
 *   removed before forwarding.</li>
 * </ul>
 *
 * Stateless; the checks allocate only when a head needs normalizing.
 */
final class RequestHeadValidator
{
    private static final boolean[] REG_NAME = new boolean[128];
    private static final boolean[] IP_LITERAL = new boolean[128];

    static
    {
        for (char c = 'a'; c <= 'z'; c++)
        {
            REG_NAME[c] = true;
            REG_NAME[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++)
        {
            REG_NAME[c] = true;
        }
        for (final char c : "-._~!$&'()*+,;=%".toCharArray())
        {
            REG_NAME[c] = true;
        }
        for (final char c : "0123456789abcdefABCDEF:.vV-_~!$&'()*+,;=".toCharArray())
        {
            IP_LITERAL[c] = true;
        }
    }

    private RequestHeadValidator()
    {
    }

    /**
     * Checks and normalizes a request head in place.
     *
     * @param request             the head, as decoded.
     * @param maxHeaderCount      most header fields allowed.
     * @param maxRequestBodyBytes largest body allowed.
     * @return why it is refused, or {@code null} when it may be forwarded (normalized).
     */
    static Rejection check(final HttpRequest request, final int maxHeaderCount, final long maxRequestBodyBytes)
    {
        return check(request, maxHeaderCount, maxRequestBodyBytes, new TextFlyweight(), new TextFlyweight(),
            new NettyRequestHead());
    }

    /**
     * Checks and normalizes a request head in place, viewing its text through the caller's reusable views (one
     * pair per connection): allocates nothing for a well-formed head of the HTTP/1.1 codec in origin form.
     *
     * @param request             the head, as decoded.
     * @param maxHeaderCount      most header fields allowed.
     * @param maxRequestBodyBytes largest body allowed.
     * @param hostView            a view for the Host value.
     * @param targetView          a view for the request-target.
     * @param nettyHead           the view of a head that is not the codec's.
     * @return why it is refused, or {@code null} when it may be forwarded (normalized).
     */
    static Rejection check(
        final HttpRequest request, final int maxHeaderCount, final long maxRequestBodyBytes,
        final TextFlyweight hostView, final TextFlyweight targetView, final NettyRequestHead nettyHead)
    {
        final HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1)
        {
            return Rejection.UNSUPPORTED_VERSION;
        }
        final HttpHeaders headers = request.headers();
        if (headers.size() > maxHeaderCount)
        {
            return Rejection.HEADERS_TOO_LARGE;
        }
        if (HttpMethod.CONNECT.equals(request.method()))
        {
            return Rejection.METHOD_NOT_SUPPORTED;
        }
        final RequestHead head = RequestHead.of(request, nettyHead);
        final Framing framing = Framing.check(head, maxRequestBodyBytes);
        if (framing == Framing.TOO_LARGE)
        {
            return Rejection.BODY_TOO_LARGE;
        }
        if (!framing.isFramed())
        {
            return Rejection.ofViolation(framing.violation(), true);
        }
        final Rejection target = checkTargetAndHost(request, head, headers, hostView, targetView);
        if (target != null)
        {
            return target;
        }
        joinConnectionFields(head.headerFields());
        return null;
    }

    private static Rejection checkTargetAndHost(final HttpRequest request, final RequestHead head,
        final HttpHeaders headers, final TextFlyweight hostView, final TextFlyweight targetView)
    {
        // Views (over the head's bytes for the codec's heads): nothing allocated for a well-formed origin form.
        final HeaderFields fields = head.headerFields();
        final int hostCount = fields.count(HttpHeaderNames.HOST);
        if (hostCount > 1 || hostCount == 0 && request.protocolVersion().minorVersion() == 1)
        {
            return Rejection.INVALID_HOST;
        }
        final CharSequence host = hostCount == 0 ? null
            : fields.valueView(fields.indexOf(HttpHeaderNames.HOST, 0), hostView);
        final CharSequence uri = head.target(targetView);
        if (host != null && !isValidAuthority(host, 0, host.length(), true))
        {
            return Rejection.INVALID_HOST;
        }
        if (uri.length() > 0 && uri.charAt(0) == '/')
        {
            return isValidPathAndQuery(uri, 0) ? null : Rejection.INVALID_REQUEST_TARGET;
        }
        if (uri.length() == 1 && uri.charAt(0) == '*')
        {
            return HttpMethod.OPTIONS.equals(request.method()) ? null : Rejection.INVALID_REQUEST_TARGET;
        }
        return checkAbsoluteForm(request, headers, uri.toString(), host == null ? null : host.toString());
    }

    /**
     * An absolute-form target ({@code http://authority/path?query}, RFC 9112 §3.2.2): rewritten to origin form with
     * {@code Host} set to its authority, after checking that a {@code Host} sent with it names the same authority.
     */
    private static Rejection checkAbsoluteForm(
        final HttpRequest request, final HttpHeaders headers, final String uri, final String host)
    {
        final String scheme;
        if (uri.regionMatches(true, 0, "http://", 0, 7))
        {
            scheme = "http";
        }
        else if (uri.regionMatches(true, 0, "https://", 0, 8))
        {
            scheme = "https";
        }
        else
        {
            return Rejection.INVALID_REQUEST_TARGET;
        }
        final int start = scheme.length() + 3;
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?')
        {
            end++;
        }
        if (end == start || !isValidAuthority(uri, start, end, false))
        {
            return Rejection.INVALID_REQUEST_TARGET;
        }
        if (end < uri.length() && !isValidPathAndQuery(uri, end))
        {
            return Rejection.INVALID_REQUEST_TARGET;
        }
        final String authority = uri.substring(start, end);
        if (host != null && !sameAuthority(scheme, authority, host))
        {
            return Rejection.INVALID_HOST;
        }
        final String originForm = end == uri.length() ? "/" : uri.charAt(end) == '?' ? "/" + uri.substring(end)
            : uri.substring(end);
        request.setUri(originForm);
        headers.set(HttpHeaderNames.HOST, authority);
        return null;
    }

    private static boolean sameAuthority(final String scheme, final String authority, final String host)
    {
        return withoutDefaultPort(scheme, authority).equals(withoutDefaultPort(scheme, host.trim()));
    }

    private static String withoutDefaultPort(final String scheme, final String authority)
    {
        final String lower = authority.toLowerCase(Locale.ROOT);
        final String defaultPort = "http".equals(scheme) ? ":80" : ":443";
        if (lower.endsWith(defaultPort))
        {
            return lower.substring(0, lower.length() - defaultPort.length());
        }
        return lower.endsWith(":") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /**
     * {@code uri-host [ ":" port ]} (RFC 9110 §7.2) with no user information; an empty host is allowed only in a
     * {@code Host} field (RFC 9112 §3.2).
     */
    private static boolean isValidAuthority(
        final CharSequence text, final int start, final int end, final boolean field)
    {
        int i = start;
        if (i < end && text.charAt(i) == '[')
        {
            int close = -1;
            for (int j = i; j < text.length(); j++)
            {
                if (text.charAt(j) == ']')
                {
                    close = j;
                    break;
                }
            }
            if (close < 0 || close >= end || close == i + 1)
            {
                return false;
            }
            for (int j = i + 1; j < close; j++)
            {
                if (!isIn(IP_LITERAL, text.charAt(j)))
                {
                    return false;
                }
            }
            i = close + 1;
        }
        else
        {
            while (i < end && text.charAt(i) != ':')
            {
                if (!isIn(REG_NAME, text.charAt(i)))
                {
                    return false;
                }
                i++;
            }
            if (i == start && !field)
            {
                return false;
            }
        }
        if (i == end)
        {
            return true;
        }
        if (text.charAt(i) != ':' || end - i - 1 > 5)
        {
            return false;
        }
        for (int j = i + 1; j < end; j++)
        {
            final char c = text.charAt(j);
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Path and query of visible ASCII (no space, control, DEL or 8-bit byte), no fragment, and every {@code %}
     * followed by two hex digits: what every HTTP parser upstream reads the same way.
     */
    private static boolean isValidPathAndQuery(final CharSequence uri, final int start)
    {
        final int length = uri.length();
        for (int i = start; i < length; i++)
        {
            final char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#')
            {
                return false;
            }
            if (c == '%' && (i + 2 >= length || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2))))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(final char c)
    {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean isIn(final boolean[] set, final char c)
    {
        return c < set.length && set[c];
    }

    private static void joinConnectionFields(final HeaderFields fields)
    {
        if (fields.count(HttpHeaderNames.CONNECTION) < 2)
        {
            return;
        }
        final HttpHeaders headers = fields.headers();
        headers.set(HttpHeaderNames.CONNECTION, String.join(", ", headers.getAll(HttpHeaderNames.CONNECTION)));
    }

    /**
     * Makes the request ask for the connection to close after its response, keeping the other options its
     * {@code Connection} field names (they are hop-by-hop headers to remove before forwarding).
     *
     * @param headers the request's headers.
     */
    static void requestClose(final HttpHeaders headers)
    {
        final String connection = headers.get(HttpHeaderNames.CONNECTION);
        final StringBuilder value = new StringBuilder(HttpHeaderValues.CLOSE);
        if (connection != null)
        {
            for (final String token : connection.split(","))
            {
                final String option = token.trim();
                if (!option.isEmpty() && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(option)
                    && !HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(option))
                {
                    value.append(", ").append(option);
                }
            }
        }
        headers.set(HttpHeaderNames.CONNECTION, value.toString());
    }
}
