package io.mecmesh.dataplane.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import io.mecmesh.dataplane.cluster.PoolKey;

/**
 * The last handler of an upstream connection: hands what the upstream sends to the exchange that leases the
 * connection (a {@link ForwardHandler}, or a {@link MirrorExchange} whose response is discarded). While the
 * connection is idle in its pool, anything the upstream sends is released and
 * the connection closed (an idle HTTP/1.1 connection has nothing to say). Confined to its event loop.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter
{
    private final UpstreamPool pool;
    private final PoolKey key;
    private UpstreamOwner owner;
    private boolean refusedByGoAway;

    UpstreamHandler(final UpstreamPool pool, final PoolKey key)
    {
        this.pool = pool;
        this.key = key;
    }

    void lease(final UpstreamOwner owner)
    {
        this.owner = owner;
    }

    void unlease()
    {
        this.owner = null;
    }

    /**
     * @return true when this is an HTTP/2 stream above the last stream id of a GOAWAY the upstream sent: it was
     * not processed and is being closed.
     */
    boolean refusedByGoAway()
    {
        return refusedByGoAway;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (owner != null && msg instanceof FullHttpResponse full
            && (full.content().isReadable() || !full.trailingHeaders().isEmpty()))
        {
            // An HTTP/2 response that arrives whole with a body or trailers: pass its head and last part apart, as
            // the exchange expects (the content goes on with the last part). A headers-only response (gRPC's
            // "trailers-only") stays whole, so that it leaves as one HEADERS frame again.
            owner.onUpstreamRead(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
            if (owner != null)
            {
                owner.onUpstreamRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            }
            else
            {
                full.release();
            }
            return;
        }
        if (owner != null)
        {
            owner.onUpstreamRead(msg);
        }
        else
        {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (owner != null)
        {
            owner.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (owner != null)
        {
            owner.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        final UpstreamOwner leasedTo = owner;
        owner = null;
        if (leasedTo != null)
        {
            leasedTo.onUpstreamInactive(ctx.channel());
        }
        else
        {
            pool.remove(key, ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof IdleStateEvent)
        {
            ctx.close();
            return;
        }
        if (evt instanceof Http2GoAwayFrame)
        {
            // The multiplexer tells a stream the upstream will not process before closing it.
            refusedByGoAway = true;
            ReferenceCountUtil.release(evt);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }
}
