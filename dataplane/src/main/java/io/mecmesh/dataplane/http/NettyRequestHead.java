package io.mecmesh.dataplane.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import static java.util.Objects.requireNonNull;

/**
 * {@link RequestHead} over any Netty {@link HttpRequest} (an HTTP/2 stream's converted head, or a head from
 * Netty's HTTP/1.1 codec). Reusable: one per handler, wrapped per request; {@link #recycle()} does nothing (such
 * heads are not pooled). Confined to one event loop.
 */
public final class NettyRequestHead implements RequestHead
{
    private final NettyHeaderFields fields = new NettyHeaderFields();
    private HttpRequest request;

    /**
     * @param request the request to view.
     * @return this view.
     */
    public NettyRequestHead wrap(final HttpRequest request)
    {
        this.request = requireNonNull(request, "request");
        fields.wrap(request.headers());
        return this;
    }

    @Override
    public HttpMethod method()
    {
        return request.method();
    }

    @Override
    public HttpVersion version()
    {
        return request.protocolVersion();
    }

    @Override
    public TextFlyweight target(final TextFlyweight view)
    {
        return view.wrap(request.uri());
    }

    @Override
    public int pathLength()
    {
        return RequestHead.pathLength(request.uri());
    }

    @Override
    public HeaderFields headerFields()
    {
        return fields;
    }

    @Override
    public void recycle()
    {
        // Not pooled.
    }
}
