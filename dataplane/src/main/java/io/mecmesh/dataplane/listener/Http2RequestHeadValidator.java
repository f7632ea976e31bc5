package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

import static java.util.Objects.requireNonNull;

/**
 * First on an HTTP/2 stream, before the frame-to-HTTP conversion: a request whose headers lack a mandatory
 * pseudo-header ({@code :method}, {@code :scheme} and a non-empty {@code :path}, all but {@code :method} not for
 * CONNECT) is malformed (RFC 9113 §8.3.1); the stream is reset with PROTOCOL_ERROR and counted, and nothing of it
 * goes further. Forwards every other frame unchanged (ownership passes on); releases what it refuses. One instance
 * per stream, confined to its event loop.
 */
public final class Http2RequestHeadValidator extends ChannelInboundHandlerAdapter
{
    private final DataPlaneCounters counters;
    private boolean headSeen;
    private boolean refused;

    public Http2RequestHeadValidator(final DataPlaneCounters counters)
    {
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (refused)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!headSeen && msg instanceof Http2HeadersFrame frame)
        {
            headSeen = true;
            if (!isValidRequestHead(frame.headers()))
            {
                refused = true;
                counters.increment(DataPlaneCounter.BAD_REQUESTS);
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                    .addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean isValidRequestHead(final Http2Headers headers)
    {
        final CharSequence method = headers.method();
        if (method == null)
        {
            return false;
        }
        if (HttpMethod.CONNECT.asciiName().contentEquals(method))
        {
            return headers.authority() != null;
        }
        final CharSequence path = headers.path();
        return headers.scheme() != null && path != null && path.length() > 0;
    }
}
