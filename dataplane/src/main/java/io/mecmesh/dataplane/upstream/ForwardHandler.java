package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.HopByHopHeaders;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;

import static java.util.Objects.requireNonNull;

/**
 * The upstream stage, last on a downstream HTTP/1.1 connection: forwards each request to an endpoint of its
 * route's cluster over a keep-alive connection from this event loop's {@link UpstreamPool}, and the response back.
 *
 * <p>Streaming and ownership: request and response bodies pass through part by part as the codecs decode them
 * (slices of the read buffers, never copied or aggregated). Each part is written to the other side, which then
 * owns it; a part that cannot be forwarded is released here. Back-pressure both ways: the downstream connection
 * reads on demand ({@code AUTO_READ} off, one message per {@code read()} through the flow-control handler) and
 * this stage asks for the next request part only while the upstream connection is writable; the upstream
 * connection stops reading while the downstream one is not writable.
 *
 * <p>One exchange at a time per connection: the next request is read only after the response is complete, so
 * pipelined requests are answered in order. An upstream connection goes back to the pool only when both the
 * request and the response were complete and the upstream kept it alive.
 *
 * <p>One instance per downstream connection, confined to its event loop, as are the upstream connections it
 * leases.
 */
public final class ForwardHandler extends ChannelInboundHandlerAdapter
{
    private final UpstreamPool pool;
    private final DataPlaneCounters counters;
    private final ChannelFutureListener onConnected = this::onConnectComplete;

    private ChannelHandlerContext ctx;

    private HttpRequest request;
    private ClusterConfig cluster;
    private InetSocketAddress address;
    private Channel upstream;
    private boolean exchangeActive;
    private boolean connecting;
    private boolean reusedConnection;
    private boolean retried;
    private boolean requestBodyless;
    private boolean requestDone;
    private boolean droppingRequestBody;
    private boolean keepAlive;
    private boolean headRequest;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean readWanted;

    public ForwardHandler(final UpstreamPool pool, final DataPlaneCounters counters)
    {
        this.pool = requireNonNull(pool, "pool");
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        counters.increment(DataPlaneCounter.DOWNSTREAM_CONNECTIONS);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            onRequest((HttpRequest)msg);
        }
        if (msg instanceof HttpContent)
        {
            onRequestContent((HttpContent)msg);
        }
        else if (!(msg instanceof HttpRequest))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (upstream != null && ctx.channel().isWritable())
        {
            upstream.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        if (exchangeActive)
        {
            counters.increment(DataPlaneCounter.DOWNSTREAM_RESETS);
        }
        exchangeActive = false;
        if (upstream != null)
        {
            final Channel leased = detachUpstream();
            leased.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }

    private void onRequest(final HttpRequest request)
    {
        final Route route = ctx.channel().attr(RouteHandler.ROUTE).get();
        this.request = request;
        this.cluster = route.cluster().config();
        this.address = route.cluster().nextAddress();
        exchangeActive = true;
        reusedConnection = false;
        retried = false;
        requestDone = false;
        droppingRequestBody = false;
        responseStarted = false;
        informational = false;
        keepAlive = HttpUtil.isKeepAlive(request);
        headRequest = HttpMethod.HEAD.equals(request.method());
        requestBodyless = !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0L;

        HopByHopHeaders.remove(request.headers());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);

        final Channel pooled = pool.acquire(address);
        if (pooled != null)
        {
            reusedConnection = true;
            attachUpstream(pooled);
            sendRequestHead();
        }
        else
        {
            connect();
        }
    }

    private void connect()
    {
        connecting = true;
        pool.connect(address, cluster).addListener(onConnected);
    }

    private void onConnectComplete(final ChannelFuture future)
    {
        connecting = false;
        if (!exchangeActive || !ctx.channel().isActive())
        {
            if (future.isSuccess())
            {
                future.channel().close();
            }
            return;
        }
        if (!future.isSuccess())
        {
            counters.increment(DataPlaneCounter.UPSTREAM_CONNECT_FAILURES);
            failExchange(HttpResponseStatus.BAD_GATEWAY, "upstream connect failed: " + address);
            return;
        }
        counters.increment(DataPlaneCounter.UPSTREAM_CONNECTIONS);
        attachUpstream(future.channel());
        sendRequestHead();
    }

    private void sendRequestHead()
    {
        if (requestDone)
        {
            upstream.write(request);
            upstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        upstream.write(request);
        readRequestWhenWritable();
    }

    private void onRequestContent(final HttpContent content)
    {
        final boolean last = content instanceof LastHttpContent;
        if (droppingRequestBody || upstream == null)
        {
            content.release();
            if (last)
            {
                droppingRequestBody = false;
                requestDone = true;
                if (keepAlive && !exchangeActive)
                {
                    ctx.read();
                }
            }
            else
            {
                ctx.read();
            }
            return;
        }
        if (last)
        {
            requestDone = true;
            upstream.writeAndFlush(content);
            return;
        }
        upstream.writeAndFlush(content);
        readRequestWhenWritable();
    }

    private void readRequestWhenWritable()
    {
        if (upstream.isWritable())
        {
            ctx.read();
        }
        else
        {
            readWanted = true;
        }
    }

    void onUpstreamWritabilityChanged(final boolean writable)
    {
        if (writable && readWanted)
        {
            readWanted = false;
            ctx.read();
        }
    }

    void onUpstreamRead(final Object msg)
    {
        if (msg instanceof HttpObject && ((HttpObject)msg).decoderResult().isFailure())
        {
            ReferenceCountUtil.release(msg);
            final Channel broken = detachUpstream();
            broken.close();
            onUpstreamBroken(false);
            return;
        }
        if (msg instanceof HttpResponse)
        {
            onResponseHead((HttpResponse)msg);
        }
        if (msg instanceof HttpContent)
        {
            onResponseContent((HttpContent)msg);
        }
        else if (!(msg instanceof HttpResponse))
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(final HttpResponse response)
    {
        final int status = response.status().code();
        if (status < 200)
        {
            informational = true;
            HopByHopHeaders.remove(response.headers());
            ctx.write(response);
            return;
        }
        responseStarted = true;
        upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        final HttpHeaders headers = response.headers();
        HopByHopHeaders.remove(headers);
        final boolean bodyless = headRequest || status == 204 || status == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
            && !HttpUtil.isTransferEncodingChunked(response))
        {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (!keepAlive || !requestDone)
        {
            keepAlive = false;
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        else if (request.headers().contains(HttpHeaderNames.CONNECTION))
        {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response);
    }

    private void onResponseContent(final HttpContent content)
    {
        if (informational)
        {
            if (content instanceof LastHttpContent)
            {
                informational = false;
            }
            ctx.write(content);
            return;
        }
        if (!(content instanceof LastHttpContent))
        {
            ctx.write(content);
            if (!ctx.channel().isWritable())
            {
                upstream.config().setAutoRead(false);
            }
            return;
        }
        final Channel leased = detachUpstream();
        if (requestDone && upstreamKeepAlive)
        {
            pool.release(address, leased, cluster.maxIdleConnectionsPerLoop());
        }
        else
        {
            leased.close();
        }
        exchangeActive = false;
        final ChannelFuture written = ctx.writeAndFlush(content);
        if (keepAlive)
        {
            ctx.read();
        }
        else
        {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    void onUpstreamReadComplete()
    {
        ctx.flush();
    }

    void onUpstreamInactive(final Channel channel)
    {
        if (channel != upstream)
        {
            return;
        }
        detachUpstream();
        onUpstreamBroken(true);
    }

    /**
     * The leased upstream connection closed or sent something that is not HTTP before the response was complete:
     * truncate the response if it started, retry a bodiless request once if a pooled connection went stale,
     * otherwise answer 502.
     */
    private void onUpstreamBroken(final boolean mayRetry)
    {
        if (responseStarted)
        {
            counters.increment(DataPlaneCounter.UPSTREAM_RESETS);
            exchangeActive = false;
            ctx.close();
            return;
        }
        if (mayRetry && reusedConnection && requestBodyless && !retried)
        {
            retried = true;
            reusedConnection = false;
            counters.increment(DataPlaneCounter.UPSTREAM_REUSE_RETRIES);
            connect();
            return;
        }
        counters.increment(DataPlaneCounter.UPSTREAM_RESETS);
        failExchange(HttpResponseStatus.BAD_GATEWAY, "upstream closed the connection before responding");
    }

    /**
     * Answers the request here when it cannot be forwarded. The connection stays open only when what is left of
     * the request is known to be empty; an unread body is not drained, the connection is closed.
     */
    private void failExchange(final HttpResponseStatus status, final String reason)
    {
        exchangeActive = false;
        if (!requestDone && !requestBodyless)
        {
            keepAlive = false;
        }
        DirectResponse.send(ctx, status, reason, keepAlive);
        if (keepAlive && !requestDone)
        {
            droppingRequestBody = true;
            ctx.read();
        }
        else if (keepAlive)
        {
            ctx.read();
        }
    }

    private void attachUpstream(final Channel channel)
    {
        upstream = channel;
        channel.pipeline().get(UpstreamHandler.class).lease(this);
    }

    private Channel detachUpstream()
    {
        final Channel channel = upstream;
        upstream = null;
        readWanted = false;
        final UpstreamHandler handler = channel.pipeline().get(UpstreamHandler.class);
        if (handler != null)
        {
            handler.unlease();
        }
        return channel;
    }

    boolean isConnecting()
    {
        return connecting;
    }
}
