package io.mecmesh.dataplane.route;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The route stage: finds the route of each request head in the current {@link RouteTable} snapshot (read once per
 * request, so a swap never changes the route of a request in flight) and records it in the channel's
 * {@link #ROUTE} attribute for the upstream stage.
 *
 * <p>A request that matches no route is answered 404 here; its body is released as it arrives and the connection
 * is kept when the client asked for keep-alive. Everything else is forwarded unchanged (ownership passes on).
 * The channel reads on demand ({@code AUTO_READ} off): while it drops a body, this stage asks for the next message.
 * One instance per connection, confined to its event loop.
 */
public final class RouteHandler extends ChannelInboundHandlerAdapter
{
    /** The route of the request in flight on a connection, for the stages after this one. */
    public static final AttributeKey<Route> ROUTE = AttributeKey.valueOf(RouteHandler.class, "route");

    private final Supplier<RouteTable> routeTables;
    private final DataPlaneCounters counters;
    private boolean dropping;
    private boolean keepAliveAfterDrop;

    public RouteHandler(final Supplier<RouteTable> routeTables, final DataPlaneCounters counters)
    {
        this.routeTables = requireNonNull(routeTables, "routeTables");
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            final HttpRequest request = (HttpRequest)msg;
            final Route route = routeTables.get().find(authority(request), path(request.uri()));
            if (route != null)
            {
                ctx.channel().attr(ROUTE).set(route);
                ctx.fireChannelRead(msg);
                return;
            }
            counters.increment(DataPlaneCounter.NO_ROUTE);
            dropping = true;
            keepAliveAfterDrop = HttpUtil.isKeepAlive(request);
            DirectResponse.send(ctx, HttpResponseStatus.NOT_FOUND, "no route for this host and path",
                keepAliveAfterDrop);
        }
        if (dropping && msg instanceof HttpContent)
        {
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent)
            {
                dropping = false;
            }
            if (dropping || keepAliveAfterDrop)
            {
                ctx.read();
            }
            return;
        }
        if (dropping)
        {
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static CharSequence authority(final HttpRequest request)
    {
        final String uri = request.uri();
        final int scheme = uri.startsWith("/") ? -1 : uri.indexOf("://");
        if (scheme > 0)
        {
            final int start = scheme + 3;
            final int slash = uri.indexOf('/', start);
            return uri.substring(start, slash < 0 ? uri.length() : slash);
        }
        return request.headers().get(HttpHeaderNames.HOST);
    }

    private static String path(final String uri)
    {
        if (uri.startsWith("/"))
        {
            return uri;
        }
        final int scheme = uri.indexOf("://");
        if (scheme > 0)
        {
            final int slash = uri.indexOf('/', scheme + 3);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri;
    }
}
