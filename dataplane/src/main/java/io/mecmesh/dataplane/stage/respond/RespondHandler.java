package io.mecmesh.dataplane.stage.respond;

import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Responder;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.HopByHopHeaders;
import io.mecmesh.dataplane.lifecycle.DrainEvent;
import io.mecmesh.dataplane.route.Route;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import static java.util.Objects.requireNonNull;

/**
 * The respond stage: installed right after validate, so that every request part and every response passes it. It
 * is the one place that decides how a connection goes on after a response, and the {@link Responder} of the
 * channel's {@link Exchange}.
 *
 * <p>Local answers ({@link #answer}): the 404/403/redirects of route, the 503 of overload, the 429/503/504 of admit,
 * the 502/503/504 of forward are written here, from the answering stage's context. What is left of the request's
 * body is released as it arrives (the one "drop the body of a locally answered request" of the request path); the
 * connection is kept when the client asked for keep-alive (and, for forward's answers, when the body was complete
 * or known empty).
 *
 * <p>Forwarded response heads: hop-by-hop fields are removed (on 1xx heads too), the route's response headers
 * rewritten; a response with neither Content-Length nor chunked coding is sent chunked to an HTTP/1.1 client and
 * close-delimited to an HTTP/1.0 client (which has no chunked coding). {@code Connection} is decided from the
 * request as it arrived, before forward removed its hop-by-hop fields: {@code close} when the client did not ask for
 * keep-alive, the request body was not complete when the response started, or the data plane drains;
 * {@code keep-alive} to an HTTP/1.0 client that asked for it. After the last part of a response that closes, the
 * connection closes; a request body still arriving then is dropped.
 *
 * <p>Drain ({@link DrainEvent}, consumed here): an idle connection closes at once; one whose response has not
 * started answers with {@code Connection: close} and closes after it.
 *
 * <p>Ownership: request parts pass on unchanged, but for a dropped body, released here; responses pass on
 * (headers edited in place). Allocates nothing per request but a close listener's promise when a connection closes.
 * One instance per connection (or HTTP/2 stream), confined to its event loop.
 */
public final class RespondHandler extends ChannelDuplexHandler implements Responder
{
    private final Exchange exchange;
    private boolean active;
    private boolean requestDone;
    private boolean dropping;
    private boolean keepAlive;
    private boolean keepAliveAnnounced;
    private boolean http10;
    private boolean headRequest;
    private boolean responseStarted;
    private boolean informational;
    private boolean answering;
    private boolean draining;
    /** A request head that arrived while the previous response was still held by a later stage. */
    private HttpRequest parked;

    /**
     * @param exchange the channel's exchange; this stage becomes its {@link Responder}.
     */
    public RespondHandler(final Exchange exchange)
    {
        this.exchange = requireNonNull(exchange, "exchange");
        exchange.responder(this);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest request)
        {
            if (active)
            {
                // A later stage (admit's downlink pacing) still holds parts of the previous response: one exchange
                // at a time, so this head waits until that response has passed.
                parked = request;
                return;
            }
            active = true;
            dropping = false;
            responseStarted = false;
            informational = false;
            requestDone = msg instanceof LastHttpContent;
            keepAlive = HttpUtil.isKeepAlive(request) && !draining;
            http10 = HttpVersion.HTTP_1_0.equals(request.protocolVersion());
            keepAliveAnnounced = keepAlive && !request.protocolVersion().isKeepAliveDefault();
            headRequest = HttpMethod.HEAD.equals(request.method());
        }
        else if (msg instanceof HttpContent)
        {
            final boolean last = msg instanceof LastHttpContent;
            if (dropping)
            {
                ReferenceCountUtil.release(msg);
                if (last)
                {
                    dropping = false;
                    requestDone = true;
                }
                if (dropping || keepAlive)
                {
                    ctx.read();
                }
                return;
            }
            requestDone |= last;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (parked != null)
        {
            ReferenceCountUtil.release(parked);
            parked = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (!(evt instanceof DrainEvent))
        {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        draining = true;
        if (!active)
        {
            ctx.close();
        }
        else if (!responseStarted)
        {
            keepAlive = false;
        }
    }

    @Override
    public void answer(final ChannelHandlerContext ctx, final FullHttpResponse response, final boolean drainBody)
    {
        active = false;
        if (!requestDone && !drainBody)
        {
            keepAlive = false;
        }
        dropping = !requestDone;
        answering = true;
        DirectResponse.send(ctx, response, keepAlive);
        answering = false;
        if (keepAlive || dropping)
        {
            ctx.read();
        }
        unpark(ctx);
    }

    @Override
    public boolean keepAlive()
    {
        return keepAlive;
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (answering || !active)
        {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse response)
        {
            if (response.status().code() < 200)
            {
                informational = !(msg instanceof LastHttpContent);
                HopByHopHeaders.remove(response.headers());
                ctx.write(msg, promise);
                return;
            }
            onResponseHead(response);
        }
        else if (informational)
        {
            informational = !(msg instanceof LastHttpContent);
            ctx.write(msg, promise);
            return;
        }
        if (!(msg instanceof LastHttpContent) || !responseStarted)
        {
            ctx.write(msg, promise);
            return;
        }
        // The last part of the response: the exchange is over for this stage.
        active = false;
        dropping = !requestDone;
        if (keepAlive)
        {
            ctx.write(msg, promise);
            unpark(ctx);
            return;
        }
        final ChannelPromise closing = promise.isVoid() ? ctx.newPromise() : promise;
        ctx.write(msg, closing);
        closing.addListener(ChannelFutureListener.CLOSE);
    }

    /** The response that held back a request head has passed: the head goes on, from a task of its own. */
    private void unpark(final ChannelHandlerContext ctx)
    {
        if (parked != null)
        {
            final HttpRequest next = parked;
            parked = null;
            ctx.executor().execute(() ->
            {
                if (ctx.channel().isActive())
                {
                    channelRead(ctx, next);
                }
                else
                {
                    ReferenceCountUtil.release(next);
                }
            });
        }
    }

    private void onResponseHead(final HttpResponse response)
    {
        responseStarted = true;
        final int status = response.status().code();
        final HttpHeaders headers = response.headers();
        HopByHopHeaders.remove(headers);
        final Route route = exchange.route();
        if (route != null)
        {
            route.config().responseHeaders().applyTo(headers);
        }
        final boolean bodyless = headRequest || status == 204 || status == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH))
        {
            if (http10)
            {
                // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
                headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
                keepAlive = false;
            }
            else if (!HttpUtil.isTransferEncodingChunked(response))
            {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        if (!keepAlive || !requestDone)
        {
            keepAlive = false;
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (keepAliveAnnounced)
        {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }
}
