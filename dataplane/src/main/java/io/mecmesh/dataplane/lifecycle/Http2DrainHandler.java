package io.mecmesh.dataplane.lifecycle;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Last on an HTTP/2 connection: on {@link DrainEvent} closes the connection, which the HTTP/2 codec turns into a
 * GOAWAY and a graceful wait for the streams in flight. Forwards everything else. One instance per connection.
 */
public final class Http2DrainHandler extends ChannelInboundHandlerAdapter
{
    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof DrainEvent)
        {
            ctx.channel().close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
