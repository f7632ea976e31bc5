package io.mecmesh.dataplane.stage.route;

import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteTable;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;


import static java.util.Objects.requireNonNull;

/**
 * The route stage: finds the route of each request head in the {@link RouteTable} of the snapshot its
 * {@link Exchange} began with (so a swap never changes the route of a request in flight, and the route and the
 * policy record come from one version) and records it in the exchange for the later stages.
 *
 * <p>The route's authorization policy is checked against the caller's SPIFFE id (from the TLS handshake, absent on
 * plain-text connections): a denied request is answered 403 and counted by reason.
 *
 * <p>A request for a forwarding route carries the caller's verified SPIFFE id to the workload in
 * {@link PeerIdentity#PEER_ID_HEADER} (a value the client sent itself is removed first), has the route's request
 * headers rewritten and goes on. A request that matches
 * no route is answered 404 here, one for a direct-response or redirect route with what the route says, through
 * the respond stage ({@link Exchange#answerLocally}), which drops the body of the request and keeps the connection
 * when the client asked for keep-alive. Everything else is forwarded unchanged (ownership passes on).
 * One instance per connection, confined to its event loop.
 */
public final class RouteHandler extends ChannelInboundHandlerAdapter
{
    private final Exchange exchange;
    private final DataPlaneCounters counters;
    private final TextFlyweight hostView = new TextFlyweight();
    private final TextFlyweight pathView = new TextFlyweight();
    /** Views heads that are not the codec's (HTTP/2 streams). */
    private final NettyRequestHead nettyHead = new NettyRequestHead();

    /**
     * @param exchange the channel's exchange, begun by the classify stage.
     * @param counters where the data plane counts.
     */
    public RouteHandler(final Exchange exchange, final DataPlaneCounters counters)
    {
        this.exchange = requireNonNull(exchange, "exchange");
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            final HttpRequest request = (HttpRequest)msg;
            final RequestHead head = RequestHead.of(request, nettyHead);
            final CharSequence authority;
            final CharSequence path;
            final TextFlyweight target = head.target(pathView);
            if (target.length() > 0 && target.charAt(0) == '/')
            {
                // Origin form: views (over the head's bytes for the HTTP/1.1 codec's heads), no String.
                authority = head.authority(hostView);
                path = target;
            }
            else
            {
                authority = authority(request);
                path = path(request.uri());
            }
            final Route route = exchange.snapshot().routes().find(head, authority, path);
            if (route == null)
            {
                counters.increment(DataPlaneCounter.NO_ROUTE);
                answer(ctx, request, DirectResponse.newResponse(ctx, HttpResponseStatus.NOT_FOUND,
                    "no route for this host and path\n"));
                return;
            }
            final SpiffeId peer = peerOf(ctx.channel());
            final AuthorizationPolicy.Decision decision = route.config().authorization().check(
                peer, request.method().name(), path);
            if (decision != AuthorizationPolicy.Decision.ALLOWED)
            {
                counters.increment(decision == AuthorizationPolicy.Decision.DENIED_BY_RULE
                    ? DataPlaneCounter.AUTHZ_DENIED_BY_RULE : DataPlaneCounter.AUTHZ_DENIED_NO_ALLOW_RULE);
                route.stats().onRequest();
                route.stats().onResponse(403);
                answer(ctx, request, DirectResponse.newResponse(ctx, HttpResponseStatus.FORBIDDEN,
                    "caller not authorized for this route\n"));
                return;
            }
            final RouteAction action = route.action();
            if (action instanceof RouteAction.Forward)
            {
                final HttpHeaders headers = request.headers();
                headers.remove(PeerIdentity.PEER_ID_HEADER);
                if (peer != null)
                {
                    headers.set(PeerIdentity.PEER_ID_HEADER, peer.toString());
                }
                route.config().requestHeaders().applyTo(headers);
                exchange.route(route);
                ctx.fireChannelRead(msg);
                return;
            }
            counters.increment(DataPlaneCounter.DIRECT_RESPONSES);
            route.stats().onRequest();
            route.stats().onResponse(action instanceof RouteAction.Respond respond ? respond.status()
                : ((RouteAction.Redirect)action).status());
            if (action instanceof RouteAction.Respond respond)
            {
                answer(ctx, request, DirectResponse.newResponse(ctx, HttpResponseStatus.valueOf(respond.status()),
                    respond.body()));
            }
            else
            {
                final FullHttpResponse redirect = DirectResponse.newResponse(ctx,
                    HttpResponseStatus.valueOf(((RouteAction.Redirect)action).status()), "");
                redirect.headers().set(HttpHeaderNames.LOCATION,
                    location((RouteAction.Redirect)action, authority == null ? null : authority.toString(),
                        request.uri()));
                answer(ctx, request, redirect);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Answers the request here, through the respond stage (which drops the request's body as it arrives).
     */
    private void answer(final ChannelHandlerContext ctx, final HttpRequest request, final FullHttpResponse response)
    {
        ReferenceCountUtil.release(request);
        exchange.answerLocally(ctx, response);
    }

    /** The peer of the connection: on an HTTP/2 stream, of its parent connection. */
    private static SpiffeId peerOf(final Channel channel)
    {
        final SpiffeId peer = channel.attr(PeerIdentity.SPIFFE_ID).get();
        return peer != null || channel.parent() == null ? peer : channel.parent().attr(PeerIdentity.SPIFFE_ID).get();
    }

    private static String location(final RouteAction.Redirect redirect, final CharSequence authority,
        final String uri)
    {
        final String target = path(uri);
        final int query = target.indexOf('?');
        final String path = redirect.path().isEmpty() ? target
            : redirect.path() + (query < 0 ? "" : target.substring(query));
        if (redirect.scheme().isEmpty() && redirect.host().isEmpty())
        {
            return path;
        }
        final String scheme = redirect.scheme().isEmpty() ? "http" : redirect.scheme();
        final String host = redirect.host().isEmpty() ? String.valueOf(authority) : redirect.host();
        return scheme + "://" + host + path;
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
