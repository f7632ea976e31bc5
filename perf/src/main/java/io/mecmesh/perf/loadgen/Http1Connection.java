package io.mecmesh.perf.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * An HTTP/1.1 keep-alive connection with one request in flight at a time. A response without keep-alive closes the
 * connection after it is read, and the agent reconnects.
 */
final class Http1Connection extends LoadConnection
{
    private boolean busy;
    private boolean closing;
    private boolean measured;
    private long intendedNs;
    private long sentNs;
    private int status;

    Http1Connection(
        final LoadAgent agent,
        final RequestTemplate template,
        final Bootstrap bootstrap,
        final InetSocketAddress address,
        final Optional<SslContext> sslContext,
        final String sniHost)
    {
        super(agent, template, bootstrap, address, sslContext, sniHost);
    }

    @Override
    void initProtocol(final Channel ch)
    {
        busy = false;
        closing = false;
        ch.pipeline().addLast(new HttpClientCodec(), new ResponseHandler());
    }

    @Override
    int freeSlots()
    {
        return state() == State.READY && !busy && !closing ? 1 : 0;
    }

    @Override
    int inFlight()
    {
        return busy ? 1 : 0;
    }

    @Override
    void send(final long intendedNs, final long nowNs, final boolean measured)
    {
        this.busy = true;
        this.measured = measured;
        this.intendedNs = intendedNs;
        this.sentNs = nowNs;
        this.status = 0;
        channel.writeAndFlush(template.newHttp1Request(), channel.voidPromise());
    }

    @Override
    int expire(final long nowNs, final long timeoutNs)
    {
        if (busy && nowNs - sentNs > timeoutNs)
        {
            failAll(LoadCounter.ERROR_TIMEOUT);
            closing = true;
            recycle();
            return 1;
        }
        return 0;
    }

    @Override
    void failAll(final LoadCounter counter)
    {
        if (busy)
        {
            busy = false;
            agent.onRequestFailed(measured, counter);
        }
    }

    /**
     * Reads the responses of its connection: consumes and releases every {@link HttpObject}; completes the request
     * in flight on {@link LastHttpContent}. Confined to the connection's event loop.
     */
    private final class ResponseHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof HttpObject && ((HttpObject)msg).decoderResult().isFailure())
                {
                    ctx.close();
                    return;
                }
                if (msg instanceof HttpResponse)
                {
                    final HttpResponse response = (HttpResponse)msg;
                    if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL)
                    {
                        status = response.status().code();
                        closing = !HttpUtil.isKeepAlive(response);
                    }
                }
                if (msg instanceof LastHttpContent && busy && status != 0)
                {
                    busy = false;
                    agent.onResponse(intendedNs, sentNs, measured, status);
                    if (closing)
                    {
                        ctx.close();
                    }
                    else
                    {
                        agent.onSlotsFreed();
                    }
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
