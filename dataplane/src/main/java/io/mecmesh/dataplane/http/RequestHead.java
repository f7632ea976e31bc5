package io.mecmesh.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A read view of a request head, without allocation: what the stages after the codec read. Implemented by the
 * HTTP/1.1 codec's pooled request (over the head's bytes) and by {@link NettyRequestHead} (over any Netty
 * {@link HttpRequest}). {@link #of} is the one place that tells them apart.
 */
public interface RequestHead
{
    /**
     * @return the method.
     */
    HttpMethod method();

    /**
     * @return the protocol version.
     */
    HttpVersion version();

    /**
     * @param view the view to wrap around the request-target (path and query).
     * @return {@code view}.
     */
    TextFlyweight target(TextFlyweight view);

    /**
     * @return the length of the path part of the request-target (up to {@code ?}, excluded).
     */
    int pathLength();

    /**
     * @return the header fields.
     */
    HeaderFields headerFields();

    /**
     * Gives a pooled head back to its pool (nothing may use it afterwards); a no-op for a head that is not pooled.
     */
    void recycle();

    /**
     * @param view the view to wrap around the value of the first {@code Host} field.
     * @return {@code view}, or {@code null} when there is no Host field.
     */
    default TextFlyweight authority(final TextFlyweight view)
    {
        return headerFields().first(HttpHeaderNames.HOST, view);
    }

    /**
     * The view of a request: the request itself when it is one (the HTTP/1.1 codec's), else {@code scratch} wrapped
     * around it.
     *
     * @param request the request.
     * @param scratch the caller's reusable adapter.
     * @return the view, valid until {@code scratch} is wrapped again.
     */
    static RequestHead of(final HttpRequest request, final NettyRequestHead scratch)
    {
        return request instanceof RequestHead head ? head : scratch.wrap(request);
    }

    /**
     * @param target a request-target.
     * @return the length of its path part (up to {@code ?}, excluded).
     */
    static int pathLength(final CharSequence target)
    {
        final int length = target.length();
        for (int i = 0; i < length; i++)
        {
            if (target.charAt(i) == '?')
            {
                return i;
            }
        }
        return length;
    }
}
