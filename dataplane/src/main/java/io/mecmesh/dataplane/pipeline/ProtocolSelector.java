package io.mecmesh.dataplane.pipeline;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Chooses HTTP/1.1 or HTTP/2 for a new connection, then builds the rest of its pipeline and steps aside: on a TLS
 * listener from the protocol the TLS handshake negotiated (ALPN {@code h2}), on a plain-text listener from the
 * first bytes (the HTTP/2 connection preface means prior knowledge, anything else is HTTP/1.1). The stacks are
 * installed by the two installers it is given (the assembler's), so that it does not depend on the assembler.
 *
 * <p>It holds back {@code channelActive} until the protocol is chosen and then fires it to the stages it added,
 * so that they start as on a fresh connection; the bytes it looked at are passed on when it removes itself. It asks
 * for reads itself while it waits ({@code AUTO_READ} is off). One instance per connection, confined to its event
 * loop.
 */
final class ProtocolSelector extends ByteToMessageDecoder
{
    /** The HTTP/2 connection preface (RFC 9113 §3.4). */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<Channel> http1Installer;
    private final Consumer<Channel> http2Installer;
    private final boolean tls;
    private final long idleTimeoutMs;
    private final DataPlaneCounters counters;
    private ScheduledFuture<?> idleTimer;
    private boolean chosen;

    ProtocolSelector(
        final Consumer<Channel> http1Installer,
        final Consumer<Channel> http2Installer,
        final boolean tls,
        final long idleTimeoutMs,
        final DataPlaneCounters counters)
    {
        this.http1Installer = requireNonNull(http1Installer, "http1Installer");
        this.http2Installer = requireNonNull(http2Installer, "http2Installer");
        this.tls = tls;
        this.idleTimeoutMs = idleTimeoutMs;
        this.counters = requireNonNull(counters, "counters");
    }

    /**
     * Starts reading, and the listener's idle timeout for a connection that sends nothing (or never finishes its
     * TLS handshake): the stages that enforce it afterwards are not there yet.
     */
    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        idleTimer = ctx.executor().schedule(() ->
        {
            if (!chosen)
            {
                counters.increment(DataPlaneCounter.IDLE_TIMEOUTS);
                ctx.close();
            }
        }, idleTimeoutMs, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        cancelIdleTimer();
        super.channelInactive(ctx);
    }

    private void cancelIdleTimer()
    {
        if (idleTimer != null)
        {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (tls && evt instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess() && !chosen)
        {
            final String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
            choose(ctx, ApplicationProtocolNames.HTTP_2.equals(protocol));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (chosen || tls)
        {
            return;
        }
        final int length = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < length; i++)
        {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i])
            {
                choose(ctx, false);
                return;
            }
        }
        if (length == PREFACE.length)
        {
            choose(ctx, true);
        }
    }

    private void choose(final ChannelHandlerContext ctx, final boolean http2)
    {
        chosen = true;
        cancelIdleTimer();
        if (http2)
        {
            http2Installer.accept(ctx.channel());
        }
        else
        {
            http1Installer.accept(ctx.channel());
        }
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }
}
