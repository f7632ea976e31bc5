package io.mecmesh.dataplane.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Responses the proxy answers itself (no route, malformed request, upstream unreachable): a short text body that
 * says who answered, so that an operator can tell a proxy 502 from a backend's.
 */
public final class DirectResponse
{
    /** Response header naming the proxy as the one that answered. */
    public static final String ANSWERED_BY_HEADER = "x-mecmesh-answered-by";
    /** Response header of a 503 answered because a cluster's circuit breaker was open: which one. */
    public static final String OVERFLOW_HEADER = "x-mecmesh-overflow";

    private DirectResponse()
    {
    }

    /**
     * Writes and flushes the response from {@code ctx} (so that it passes the handlers before it) and closes the
     * connection after it when {@code keepAlive} is false.
     *
     * @param ctx       the context of the handler that answers.
     * @param status    the status.
     * @param reason    one line for the body, saying what happened.
     * @param keepAlive whether the connection stays open after the response.
     */
    public static void send(
        final ChannelHandlerContext ctx,
        final HttpResponseStatus status,
        final String reason,
        final boolean keepAlive)
    {
        send(ctx, newResponse(ctx, status, reason + "\n"), keepAlive);
    }

    /**
     * Builds a response answered here, with its body and framing, for the caller to add headers to before
     * {@link #send(ChannelHandlerContext, FullHttpResponse, boolean)}.
     *
     * @param ctx    the context whose allocator holds the body.
     * @param status the status.
     * @param body   the body, exactly.
     * @return the response; the caller owns it.
     */
    public static FullHttpResponse newResponse(
        final ChannelHandlerContext ctx, final HttpResponseStatus status, final String body)
    {
        final ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
            .set(ANSWERED_BY_HEADER, "mecmesh");
        return response;
    }

    /**
     * Writes and flushes a response built by {@link #newResponse}, which passes to the channel, and closes the
     * connection after it when {@code keepAlive} is false.
     *
     * @param ctx       the context of the handler that answers.
     * @param response  the response.
     * @param keepAlive whether the connection stays open after the response.
     */
    public static void send(final ChannelHandlerContext ctx, final FullHttpResponse response, final boolean keepAlive)
    {
        if (keepAlive)
        {
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
        else
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
