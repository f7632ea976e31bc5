package io.mecmesh.dataplane.exchange;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * The respond stage as the other stages see it through the {@link Exchange}: the one place that writes an answer of
 * this appliance and knows how the connection goes on after a response (kept alive or closed, the rest of the
 * request's body dropped).
 */
public interface Responder
{
    /**
     * Writes an answer of this appliance (a 4xx/5xx decided by a stage) and ends the request: its head has been
     * released by the caller; what is left of its body is released as it arrives.
     *
     * @param ctx       the context of the stage that answers: the response is written and the next message read
     *                  from there, so that it passes the stages before it.
     * @param response  the response; ownership passes here.
     * @param drainBody true to read and drop the rest of the request's body and keep the connection, false to
     *                  close the connection when the body is not complete.
     */
    void answer(ChannelHandlerContext ctx, FullHttpResponse response, boolean drainBody);

    /**
     * @return whether the connection stays open after the response in flight (the client's wish, unless draining or
     * the request was not complete when the response started).
     */
    boolean keepAlive();
}
