package io.mecmesh.dataplane.stage.overload;

import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.overload.OverloadMonitor;
import io.mecmesh.dataplane.overload.OverloadReason;
import io.mecmesh.dataplane.overload.PriorityShedding;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

import static java.util.Objects.requireNonNull;

/**
 * The overload stage, after the classify stage (HTTP/1.1 connections and HTTP/2 streams alike): while the
 * {@link OverloadMonitor} says the data plane is in overload and sheds the priority level of the request's slice
 * (lowest priorities first, see {@link PriorityShedding}), a new request head is released and answered 503 with
 * {@link #OVERLOADED_HEADER} naming the reason, counted by reason, through the respond stage (which releases its
 * body as it arrives and keeps the connection when the client asked for keep-alive). A request that started before the overload goes on. Everything else is forwarded
 * unchanged (ownership passes on). One volatile read per request head. One instance per connection or stream,
 * confined to its event loop.
 */
public final class OverloadHandler extends ChannelInboundHandlerAdapter
{
    /** Response header of a shed request: the reason (see {@link OverloadReason#headerValue()}). */
    public static final String OVERLOADED_HEADER = "x-mecmesh-overloaded";

    private final OverloadMonitor monitor;
    private final Exchange exchange;

    /**
     * @param monitor  whether the data plane is in overload, and which priority levels it sheds.
     * @param exchange the connection's (or stream's) exchange, whose slice the classify stage set: the priority level
     *                 comes from the slice default record the exchange wrapped.
     */
    public OverloadHandler(final OverloadMonitor monitor, final Exchange exchange)
    {
        this.monitor = requireNonNull(monitor, "monitor");
        this.exchange = requireNonNull(exchange, "exchange");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            final OverloadReason reason = monitor.reason() == null ? null : monitor.shedReason(priorityLevel());
            if (reason == null)
            {
                ctx.fireChannelRead(msg);
                return;
            }
            monitor.onShed(reason);
            ReferenceCountUtil.release(msg);
            final FullHttpResponse response = DirectResponse.newResponse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
                "overloaded: " + reason.headerValue() + "\n");
            response.headers().set(OVERLOADED_HEADER, reason.headerValue());
            exchange.answerLocally(ctx, response);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The priority level of the request's slice, as the classify stage found it (the route's slice is not known
     * yet): its slice default record's, else {@link PriorityShedding#UNCLASSIFIED_PRIORITY_LEVEL}. Read only while in
     * overload; allocates nothing.
     */
    private int priorityLevel()
    {
        return exchange.sliceRecordHit() ? exchange.sliceRecord().priorityLevel()
            : PriorityShedding.UNCLASSIFIED_PRIORITY_LEVEL;
    }
}
