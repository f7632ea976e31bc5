package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Watches an HTTP/2 connection's frame headers just before the HTTP/2 codec (without consuming or copying
 * anything) for the listener's idle and header timeouts and the process-wide budget of stream resets: it
 * <ul>
 *   <li>closes, with GOAWAY NO_ERROR, a connection that has no open stream and received no byte for
 *   {@link ListenerConfig#idleTimeoutMs()} (counted {@link DataPlaneCounter#HTTP2_IDLE_TIMEOUTS});</li>
 *   <li>closes, with GOAWAY ENHANCE_YOUR_CALM and no wait for streams in flight, a connection whose header block
 *   (a HEADERS or PUSH_PROMISE frame and its CONTINUATIONs, from the first byte of its frame header to the end of
 *   the frame that carries END_HEADERS) is not complete within {@link ListenerConfig#requestHeaderTimeoutMs()}
 *   (counted {@link DataPlaneCounter#HTTP2_HEADER_TIMEOUTS});</li>
 *   <li>closes, with GOAWAY STREAM_CLOSED or PROTOCOL_ERROR, a connection whose client sends HEADERS or DATA on a
 *   stream it ended, or opens a stream with an id lower than one it used ({@link ClientStreams}, RFC 9113 §5.1,
 *   §5.1.1; counted and logged by the {@link ClientErrorLog}); the frames before it are processed, that one and
 *   what follows are released;</li>
 *   <li>reports every RST_STREAM frame to the {@link Http2ResetBudget}, which may choose this connection to close
 *   (GOAWAY ENHANCE_YOUR_CALM, no wait for streams in flight) when all connections together reset too much.</li>
 * </ul>
 * Request-body timeouts are per stream ({@link Http2StreamListenerHandler}). Every inbound buffer is forwarded
 * unchanged (ownership passes on), except after such a violation, and once closing (released). One timer task per connection, re-armed for the nearest deadline when it fires,
 * not per frame. One instance per connection, confined to its event loop.
 *
 * <pre>
 *   frame header (RFC 9113 §4.1):  length (24) | type (8) | flags (8) | R (1) stream id (31)
 * </pre>
 */
public final class Http2ConnectionWatch extends ChannelInboundHandlerAdapter
{
    /** The client connection preface (RFC 9113 §3.4) comes first, and is not a frame. */
    private static final int PREFACE_LENGTH = 24;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int TYPE_OFFSET = 3;
    private static final int FLAGS_OFFSET = 4;
    private static final int STREAM_ID_OFFSET = 5;
    private static final int TYPE_DATA = 0x0;
    private static final int TYPE_HEADERS = 0x1;
    private static final int FLAG_END_STREAM = 0x1;
    private static final int TYPE_RST_STREAM = 0x3;
    private static final int TYPE_PUSH_PROMISE = 0x5;
    private static final int TYPE_CONTINUATION = 0x9;
    private static final int FLAG_END_HEADERS = 0x4;
    private static final long MIN_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final DataPlaneCounters counters;
    private final Http2ResetBudget resetBudget;
    private final ClientErrorLog clientErrors;
    private final ClientStreams streams = new ClientStreams();
    private Http2Exception violation;
    private Http2ResetBudget.Share resetShare;
    private final long idleTimeoutNs;
    private final long headerTimeoutNs;
    private final byte[] frameHeader = new byte[FRAME_HEADER_LENGTH];
    private final Runnable onTimer = this::onTimer;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private int prefaceRemaining = PREFACE_LENGTH;
    private int frameHeaderFill;
    private int payloadRemaining;
    private int frameType;
    private int frameFlags;
    private boolean headerBlockOpen;
    private long headerBlockStartNs;
    private long lastReadNs;
    private boolean closing;

    /**
     * @param config   the listener: its idle and header timeouts.
     * @param counters    where the closes are counted.
     * @param resetBudget  the process-wide budget of stream resets.
     * @param clientErrors where frames a client may not send are counted and logged.
     */
    public Http2ConnectionWatch(final ListenerConfig config, final DataPlaneCounters counters,
        final Http2ResetBudget resetBudget, final ClientErrorLog clientErrors)
    {
        this.clientErrors = requireNonNull(clientErrors, "clientErrors");
        this.resetBudget = requireNonNull(resetBudget, "resetBudget");
        requireNonNull(config, "config");
        this.counters = requireNonNull(counters, "counters");
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        this.headerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.requestHeaderTimeoutMs());
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        resetShare = resetBudget.newShare(() -> ctx.executor().execute(() ->
            goAwayAndClose(Http2Error.ENHANCE_YOUR_CALM, "too many stream resets across connections")));
        lastReadNs = nanoTime();
        schedule(idleTimeoutNs);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        cancelTimer();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (closing)
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof ByteBuf bytes))
        {
            ctx.fireChannelRead(msg);
            return;
        }
        lastReadNs = nanoTime();
        final int violationAt = scan(bytes);
        if (violationAt < 0)
        {
            ctx.fireChannelRead(bytes);
            return;
        }
        // the frames before the one the client may not send are processed; that one and the rest are not
        final int before = violationAt - bytes.readerIndex();
        if (before > 0)
        {
            ctx.fireChannelRead(bytes.retainedSlice(bytes.readerIndex(), before));
        }
        bytes.release();
        clientErrors.onConnectionError(ctx.channel(), violation);
        goAwayAndClose(violation.error(), violation.getMessage());
    }

    /**
     * @return the index where the frame a client may not send begins in {@code bytes} (its reader index when the
     *         frame began in an earlier read), or -1 when there is none.
     */
    private int scan(final ByteBuf bytes)
    {
        int index = bytes.readerIndex();
        final int end = bytes.writerIndex();
        while (index < end)
        {
            if (prefaceRemaining > 0)
            {
                final int count = Math.min(prefaceRemaining, end - index);
                prefaceRemaining -= count;
                index += count;
            }
            else if (payloadRemaining > 0)
            {
                final int count = Math.min(payloadRemaining, end - index);
                payloadRemaining -= count;
                index += count;
                if (payloadRemaining == 0)
                {
                    onFrameEnd();
                }
            }
            else
            {
                frameHeader[frameHeaderFill++] = bytes.getByte(index++);
                if (frameHeaderFill == FRAME_HEADER_LENGTH)
                {
                    frameHeaderFill = 0;
                    onFrameHeader();
                    if (violation != null)
                    {
                        return Math.max(bytes.readerIndex(), index - FRAME_HEADER_LENGTH);
                    }
                }
            }
        }
        return -1;
    }

    private void onFrameHeader()
    {
        payloadRemaining = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | frameHeader[2] & 0xff;
        frameType = frameHeader[TYPE_OFFSET] & 0xff;
        frameFlags = frameHeader[FLAGS_OFFSET] & 0xff;
        final int streamId = (frameHeader[STREAM_ID_OFFSET] & 0x7f) << 24 | (frameHeader[STREAM_ID_OFFSET + 1] & 0xff) << 16
            | (frameHeader[STREAM_ID_OFFSET + 2] & 0xff) << 8 | frameHeader[STREAM_ID_OFFSET + 3] & 0xff;
        final boolean endStream = (frameFlags & FLAG_END_STREAM) != 0;
        final Http2Error error = switch (frameType)
        {
            case TYPE_HEADERS -> streams.onHeaders(streamId, endStream);
            case TYPE_DATA -> streams.onData(streamId, endStream);
            default -> null;
        };
        if (error != null)
        {
            violation = Http2Exception.connectionError(error, error == Http2Error.PROTOCOL_ERROR
                ? "stream %d opened after a higher stream id" : "frame on stream %d after the client ended it",
                streamId);
            return;
        }
        if (frameType == TYPE_RST_STREAM)
        {
            streams.onReset(streamId);
            resetBudget.onReset(resetShare);
        }
        if (isHeaderBlockFrame() && !headerBlockOpen)
        {
            headerBlockOpen = true;
            headerBlockStartNs = nanoTime();
            if (timer == null || timer.getDelay(TimeUnit.NANOSECONDS) > headerTimeoutNs)
            {
                cancelTimer();
                schedule(headerTimeoutNs);
            }
        }
        if (payloadRemaining == 0)
        {
            onFrameEnd();
        }
    }

    private void onFrameEnd()
    {
        if (isHeaderBlockFrame() && (frameFlags & FLAG_END_HEADERS) != 0)
        {
            headerBlockOpen = false;
        }
    }

    private boolean isHeaderBlockFrame()
    {
        return frameType == TYPE_HEADERS || frameType == TYPE_PUSH_PROMISE || frameType == TYPE_CONTINUATION;
    }

    private void onTimer()
    {
        timer = null;
        if (closing || !ctx.channel().isActive())
        {
            return;
        }
        final long now = nanoTime();
        if (headerBlockOpen && now - headerBlockStartNs >= headerTimeoutNs)
        {
            counters.increment(DataPlaneCounter.HTTP2_HEADER_TIMEOUTS);
            goAwayAndClose(Http2Error.ENHANCE_YOUR_CALM, "request header timeout");
            return;
        }
        final long idleRemainingNs = idleTimeoutNs - (now - lastReadNs);
        if (idleRemainingNs <= 0 && activeStreams() == 0)
        {
            closing = true;
            counters.increment(DataPlaneCounter.HTTP2_IDLE_TIMEOUTS);
            // through the codec: GOAWAY NO_ERROR, then the close (no stream to wait for)
            ctx.channel().close();
            return;
        }
        long delayNs = idleRemainingNs > 0 ? idleRemainingNs : idleTimeoutNs;
        if (headerBlockOpen)
        {
            delayNs = Math.min(delayNs, headerTimeoutNs - (now - headerBlockStartNs));
        }
        schedule(delayNs);
    }

    /**
     * GOAWAY through the codec (which puts the last stream it processed in it), then the close, from here so that
     * the codec does not wait for the streams in flight.
     */
    private void goAwayAndClose(final Http2Error error, final String reason)
    {
        if (closing || !ctx.channel().isActive())
        {
            return;
        }
        closing = true;
        cancelTimer();
        ctx.channel().writeAndFlush(new DefaultHttp2GoAwayFrame(error, ByteBufUtil.writeAscii(ctx.alloc(), reason)))
            .addListener(written -> ctx.close());
    }

    private int activeStreams()
    {
        final Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        return codec == null ? 0 : codec.connection().numActiveStreams();
    }

    private void schedule(final long delayNs)
    {
        timer = ctx.executor().schedule(onTimer, Math.max(delayNs, MIN_DELAY_NS), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer()
    {
        if (timer != null)
        {
            timer.cancel(false);
            timer = null;
        }
    }

    private long nanoTime()
    {
        return ctx.executor().ticker().nanoTime();
    }
}
