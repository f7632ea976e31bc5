package io.mecmesh.dataplane.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

import static java.util.Objects.requireNonNull;

/**
 * Netty's HTTP/2 frame codec for downstream connections, with two changes on a connection error:
 * <ul>
 *   <li>the GOAWAY carries the last stream the connection processed (RFC 9113 §6.8), where Netty puts 2^31-1 for
 *   the errors it closes "hard" (a flood of resets, CONTINUATION or control frames): the error goes on as one
 *   that closes after its GOAWAY is written, without waiting for the streams in flight, as before;</li>
 *   <li>an error the client caused (inbound) is counted and logged as one rate-limited line by the
 *   {@link ClientErrorLog}, instead of travelling down the pipeline to be logged with its stack trace by the
 *   pipeline's tail, once per connection.</li>
 * </ul>
 * One instance per connection, confined to its event loop; buffers as in {@link Http2FrameCodec}.
 */
public final class Http2ServerCodec extends Http2FrameCodec
{
    private final ClientErrorLog clientErrors;

    private Http2ServerCodec(final Http2ConnectionEncoder encoder, final Http2ConnectionDecoder decoder,
        final Http2Settings initialSettings, final boolean decoupleCloseAndGoAway, final boolean flushPreface,
        final ClientErrorLog clientErrors)
    {
        super(encoder, decoder, initialSettings, decoupleCloseAndGoAway, flushPreface);
        this.clientErrors = clientErrors;
    }

    /**
     * @param clientErrors where client-caused connection errors are counted and logged.
     * @return a server builder (set the settings and limits on it, as on {@link Http2FrameCodecBuilder#forServer()}).
     */
    public static Http2FrameCodecBuilder builder(final ClientErrorLog clientErrors)
    {
        return new Builder(requireNonNull(clientErrors, "clientErrors"));
    }

    @Override
    protected void onConnectionError(final ChannelHandlerContext ctx, final boolean outbound, final Throwable cause,
        final Http2Exception http2Ex)
    {
        if (outbound || http2Ex == null)
        {
            super.onConnectionError(ctx, outbound, cause, http2Ex);
            return;
        }
        clientErrors.onConnectionError(ctx.channel(), http2Ex);
        final Http2Exception processed = http2Ex.shutdownHint() == Http2Exception.ShutdownHint.HARD_SHUTDOWN
            ? new Http2Exception(http2Ex.error(), http2Ex.getMessage(), http2Ex, Http2Exception.ShutdownHint.NO_SHUTDOWN)
            : http2Ex;
        // handled here: as "outbound", Netty's codec does not fire it down the pipeline (where it would be logged
        // with its stack trace); the GOAWAY and the close are the same either way
        super.onConnectionError(ctx, true, cause, processed);
    }

    private static final class Builder extends Http2FrameCodecBuilder
    {
        private final ClientErrorLog clientErrors;

        Builder(final ClientErrorLog clientErrors)
        {
            this.clientErrors = clientErrors;
            server(true);
        }

        @Override
        protected Http2FrameCodec build(final Http2ConnectionDecoder decoder, final Http2ConnectionEncoder encoder,
            final Http2Settings initialSettings)
        {
            final Http2ServerCodec codec = new Http2ServerCodec(encoder, decoder, initialSettings,
                decoupleCloseAndGoAway(), flushPreface(), clientErrors);
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }
}
