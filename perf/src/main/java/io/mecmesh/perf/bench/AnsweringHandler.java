package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.http.HopByHopHeaders;
import io.mecmesh.dataplane.http1.Http1LastContent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Stands in for the upstream stage at the end of a benchmark pipeline: does the per-request work of
 * {@code ForwardHandler} that needs no upstream connection (reads the route, removes hop-by-hop headers) and
 * answers each complete request with a 1 KiB response, then asks for the next message, as the upstream stage does
 * on a connection that reads on demand.
 *
 * <p>Releases every request part it receives. Each response is one head built once (headers of configuration
 * {@code AsciiString}s in a {@code FlyweightHeaders}, never changed by the stages it passes: the listener adds
 * {@code Connection: close} only to a connection's last response, which the benchmark never reaches) and a
 * pooled last part over a retained duplicate of {@code body}, which the caller owns: what the upstream stage
 * writes, minus the upstream leg, without allocating per request. One instance per channel, confined to its event loop.
 */
final class AnsweringHandler extends ChannelInboundHandlerAdapter
{
    private final ByteBuf body;
    private final HttpResponse head;
    private long routed;

    private final Exchange exchange;

    AnsweringHandler(final ByteBuf body, final Exchange exchange)
    {
        this(body, BenchMessages.responseHead(), exchange);
    }

    /**
     * @param body     the response body, owned by the caller.
     * @param head     the response head, shared by the handlers of one benchmark (one per HTTP/2 stream, where
     *                 building a head per stream would measure the benchmark instead of the stream).
     * @param exchange the channel's exchange.
     */
    AnsweringHandler(final ByteBuf body, final HttpResponse head, final Exchange exchange)
    {
        this.body = body;
        this.head = head;
        this.exchange = exchange;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            if (exchange.route() != null)
            {
                routed++;
            }
            HopByHopHeaders.remove(((HttpRequest)msg).headers());
        }
        if (msg instanceof LastHttpContent)
        {
            ((HttpContent)msg).release();
            ctx.write(head, ctx.voidPromise());
            ctx.writeAndFlush(Http1LastContent.newInstance(body.retainedDuplicate()), ctx.voidPromise());
            ctx.read();
            return;
        }
        ReferenceCountUtil.release(msg);
        ctx.read();
    }

    /**
     * @return requests that arrived with a route.
     */
    long routed()
    {
        return routed;
    }
}
