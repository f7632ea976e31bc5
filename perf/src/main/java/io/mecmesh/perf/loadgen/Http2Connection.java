package io.mecmesh.perf.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An HTTP/2 connection (prior knowledge on cleartext, ALPN on TLS) with up to {@code streams} requests in flight,
 * each on its own stream child channel of an {@link Http2MultiplexHandler}. Fewer when the server's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS} is lower. After a GOAWAY it takes no new request and is reconnected once
 * its streams are done.
 */
final class Http2Connection extends LoadConnection
{
    private final int streams;
    private final List<StreamHandler> active = new ArrayList<>();
    private long remoteMaxStreams = Long.MAX_VALUE;
    private boolean goingAway;

    Http2Connection(
        final LoadAgent agent,
        final RequestTemplate template,
        final Bootstrap bootstrap,
        final InetSocketAddress address,
        final Optional<SslContext> sslContext,
        final String sniHost,
        final int streams)
    {
        super(agent, template, bootstrap, address, sslContext, sniHost);
        this.streams = streams;
    }

    @Override
    void initProtocol(final Channel ch)
    {
        remoteMaxStreams = Long.MAX_VALUE;
        goingAway = false;
        ch.pipeline().addLast(
            Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                .validateHeaders(false)
                .build(),
            new Http2MultiplexHandler(new RefusePushHandler()),
            new ConnectionHandler());
    }

    @Override
    int freeSlots()
    {
        if (state() != State.READY || goingAway)
        {
            return 0;
        }
        return (int)Math.max(0, Math.min(streams, remoteMaxStreams) - active.size());
    }

    @Override
    int inFlight()
    {
        return active.size();
    }

    @Override
    void send(final long intendedNs, final long nowNs, final boolean measured)
    {
        final StreamHandler stream = new StreamHandler(intendedNs, nowNs, measured);
        active.add(stream);
        new Http2StreamChannelBootstrap(channel).handler(stream).open().addListener(
            (Future<Http2StreamChannel> opened) ->
            {
                if (!opened.isSuccess())
                {
                    stream.finish(LoadCounter.ERROR_RESET);
                    return;
                }
                final Http2StreamChannel streamChannel = opened.getNow();
                stream.channel = streamChannel;
                if (stream.done)
                {
                    streamChannel.close();
                    return;
                }
                final boolean hasBody = template.hasBody();
                streamChannel.write(new DefaultHttp2HeadersFrame(template.newHttp2Headers(), !hasBody));
                if (hasBody)
                {
                    streamChannel.write(new DefaultHttp2DataFrame(template.retainedBody(), true));
                }
                streamChannel.flush();
            });
    }

    @Override
    int expire(final long nowNs, final long timeoutNs)
    {
        int expired = 0;
        for (int i = active.size() - 1; i >= 0; i--)
        {
            final StreamHandler stream = active.get(i);
            if (nowNs - stream.sentNs > timeoutNs)
            {
                stream.finish(LoadCounter.ERROR_TIMEOUT);
                expired++;
            }
        }
        return expired;
    }

    @Override
    void failAll(final LoadCounter counter)
    {
        for (int i = active.size() - 1; i >= 0; i--)
        {
            active.get(i).finish(counter);
        }
    }

    /**
     * One request on one stream: reads the response frames of its stream channel, releasing each, and completes on
     * END_STREAM; a reset, or the stream closing first, is an {@link LoadCounter#ERROR_RESET}. Confined to the event
     * loop of its parent connection.
     */
    private final class StreamHandler extends ChannelInboundHandlerAdapter
    {
        private final long intendedNs;
        private final long sentNs;
        private final boolean measured;
        private int status;
        private boolean done;
        private Http2StreamChannel channel;

        StreamHandler(final long intendedNs, final long sentNs, final boolean measured)
        {
            this.intendedNs = intendedNs;
            this.sentNs = sentNs;
            this.measured = measured;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof Http2HeadersFrame)
                {
                    final Http2HeadersFrame headers = (Http2HeadersFrame)msg;
                    final CharSequence statusText = headers.headers().status();
                    if (statusText != null)
                    {
                        final int code = parseStatus(statusText);
                        if (HttpStatusClass.valueOf(code) != HttpStatusClass.INFORMATIONAL)
                        {
                            status = code;
                        }
                    }
                    if (headers.isEndStream())
                    {
                        complete();
                    }
                }
                else if (msg instanceof Http2DataFrame)
                {
                    if (((Http2DataFrame)msg).isEndStream())
                    {
                        complete();
                    }
                }
                else if (msg instanceof Http2ResetFrame)
                {
                    finish(LoadCounter.ERROR_RESET);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
        {
            if (evt instanceof Http2ResetFrame)
            {
                finish(LoadCounter.ERROR_RESET);
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            finish(LoadCounter.ERROR_RESET);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            finish(LoadCounter.ERROR_RESET);
        }

        private void complete()
        {
            if (done)
            {
                return;
            }
            if (status == 0)
            {
                finish(LoadCounter.ERROR_RESET);
                return;
            }
            done = true;
            active.remove(this);
            agent.onResponse(intendedNs, sentNs, measured, status);
            channel.close();
            onStreamDone();
        }

        void finish(final LoadCounter counter)
        {
            if (done)
            {
                return;
            }
            done = true;
            active.remove(this);
            agent.onRequestFailed(measured, counter);
            if (channel != null)
            {
                channel.close();
            }
            onStreamDone();
        }
    }

    private void onStreamDone()
    {
        if (goingAway && active.isEmpty())
        {
            recycle();
        }
        else
        {
            agent.onSlotsFreed();
        }
    }

    private static int parseStatus(final CharSequence text)
    {
        int code = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9' || i > 2)
            {
                return 999;
            }
            code = code * 10 + (c - '0');
        }
        return code < 100 ? 999 : code;
    }

    /**
     * Tail of the parent pipeline: learns the server's stream limit from SETTINGS, stops new streams on GOAWAY,
     * releases every frame it reads and closes the connection on an exception. Confined to the connection's event
     * loop.
     */
    private final class ConnectionHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof Http2SettingsFrame)
                {
                    final Long max = ((Http2SettingsFrame)msg).settings().maxConcurrentStreams();
                    if (max != null)
                    {
                        remoteMaxStreams = max;
                    }
                    agent.onSlotsFreed();
                }
                else if (msg instanceof Http2GoAwayFrame)
                {
                    goingAway = true;
                    if (active.isEmpty())
                    {
                        ctx.close();
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

    /**
     * Server push is disabled in our SETTINGS; a pushed stream is closed unread. {@code @Sharable}: stateless.
     */
    @ChannelHandler.Sharable
    private static final class RefusePushHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }
}
