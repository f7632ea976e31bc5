package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http.DirectResponse;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The listener stage, right after the HTTP/1.1 codec: rejects what the codec could not decode and counts requests
 * and responses.
 *
 * <ul>
 *   <li>Inbound: a request head the codec marked as failed is answered 400 (414 for a request line too long, 431
 *   for headers too large) with {@code Connection: close}, released, and nothing after it on that connection is
 *   read. A failed body part closes the connection: the request may already be upstream. Every well-formed message
 *   is forwarded unchanged (ownership passes on).</li>
 *   <li>Outbound: counts each response head by class and forwards every write unchanged.</li>
 *   <li>Read demand: the connection reads on demand ({@code AUTO_READ} off) through the flow-control handler
 *   before this one, which forgets a {@code read()} that a read cycle ended without satisfying. This stage
 *   remembers that a later stage asked for a message and asks again when a read cycle completes without one,
 *   so a request that arrives in a later packet is never left unread.</li>
 * </ul>
 * One instance per connection, confined to its event loop.
 */
public final class Http1ListenerHandler extends ChannelDuplexHandler
{
    private final DataPlaneCounters counters;
    private boolean rejected;
    private boolean readWanted;

    public Http1ListenerHandler(final DataPlaneCounters counters)
    {
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void read(final ChannelHandlerContext ctx)
    {
        readWanted = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        ctx.fireChannelReadComplete();
        if (readWanted && !rejected)
        {
            ctx.read();
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        readWanted = false;
        if (rejected)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest)
        {
            counters.increment(DataPlaneCounter.REQUESTS);
        }
        final DecoderResult result = msg instanceof HttpObject ? ((HttpObject)msg).decoderResult() : null;
        if (result != null && result.isFailure())
        {
            rejected = true;
            counters.increment(DataPlaneCounter.BAD_REQUESTS);
            ReferenceCountUtil.release(msg);
            if (msg instanceof HttpRequest)
            {
                final HttpResponseStatus status = statusFor(result.cause());
                DirectResponse.send(ctx, status, "malformed request: " + reasonFor(status), false);
            }
            else if (msg instanceof HttpContent)
            {
                ctx.close();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpResponse)
        {
            counters.increment(DataPlaneCounter.responseClass(((HttpResponse)msg).status().code()));
        }
        ctx.write(msg, promise);
    }

    private static HttpResponseStatus statusFor(final Throwable cause)
    {
        if (cause instanceof TooLongHttpLineException)
        {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException)
        {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException)
        {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private static String reasonFor(final HttpResponseStatus status)
    {
        return status.reasonPhrase().toLowerCase(Locale.ROOT);
    }
}
