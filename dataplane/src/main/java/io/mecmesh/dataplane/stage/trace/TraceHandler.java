package io.mecmesh.dataplane.stage.trace;

import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.mecmesh.dataplane.trace.TraceConfig;
import io.mecmesh.dataplane.trace.TraceContext;
import io.mecmesh.dataplane.trace.Tracing;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.Objects.requireNonNull;

/**
 * The trace stage, between admit and forward: what a request carries about its trace and its client, per the
 * {@link Tracing} settings read once per head.
 * <ul>
 *   <li>W3C trace context (tracing on): a valid {@code traceparent} keeps its trace id and sampled flag, its span
 *   id becomes this hop's parent and a new span id goes upstream; {@code tracestate} passes unchanged. A request
 *   without one (or with an invalid one, which is removed with its {@code tracestate}) starts a new trace when the
 *   sampling ratio says so, and goes on without trace context otherwise. The ids go into the exchange's access-log
 *   record, from which the appliance exports sampled spans.</li>
 *   <li>{@code x-request-id}: generated (a random UUID) when absent, if asked.</li>
 *   <li>{@code x-forwarded-for} and {@code forwarded}: the client's address appended, or both replaced by it, or
 *   left alone.</li>
 * </ul>
 * Consumes nothing: every message is forwarded (the head mutated in place). With everything off it only forwards.
 * Confined to the channel's event loop; one instance per channel.
 */
public final class TraceHandler extends ChannelInboundHandlerAdapter
{
    public static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    public static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
    public static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private final Tracing tracing;
    private final Exchange exchange;
    private final TraceContext context = new TraceContext();
    private final TextFlyweight view = new TextFlyweight();
    /** Views heads that are not the codec's (HTTP/2 streams). */
    private final NettyRequestHead nettyHead = new NettyRequestHead();

    /**
     * @param tracing  the data plane's trace settings.
     * @param exchange the channel's exchange (its access-log record gets the trace ids).
     */
    public TraceHandler(final Tracing tracing, final Exchange exchange)
    {
        this.tracing = requireNonNull(tracing, "tracing");
        this.exchange = requireNonNull(exchange, "exchange");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest request)
        {
            final TraceConfig config = tracing.config();
            if (config.active())
            {
                onHead(ctx.channel(), request, config);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void onHead(final Channel channel, final HttpRequest request, final TraceConfig config)
    {
        final HeaderFields fields = RequestHead.of(request, nettyHead).headerFields();
        if (config.enabled())
        {
            traceContext(fields, config);
        }
        if (config.requestId() && fields.indexOf(REQUEST_ID, 0) < 0)
        {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            fields.headers().set(REQUEST_ID, new UUID(random.nextLong() & ~0xF000L | 0x4000L,
                random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L).toString());
        }
        if (config.forwardedFor() != TraceConfig.ForwardedFor.OFF)
        {
            forwardedFor(channel, fields.headers(), config.forwardedFor());
        }
    }

    private void traceContext(final HeaderFields fields, final TraceConfig config)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final TextFlyweight incoming = fields.first(TRACEPARENT, view);
        final long parentSpanId;
        final boolean valid = incoming != null && fields.count(TRACEPARENT) == 1 && context.parse(incoming);
        if (valid)
        {
            parentSpanId = context.spanId();
        }
        else
        {
            if (incoming != null)
            {
                fields.headers().remove(TRACEPARENT);
                fields.headers().remove(TRACESTATE);
            }
            if (!(random.nextDouble() < config.samplingRatio()))
            {
                return;
            }
            context.set(nonZero(random), random.nextLong(), 0, true);
            parentSpanId = 0;
        }
        context.set(context.traceIdHigh(), context.traceIdLow(), nonZero(random), context.sampled());
        fields.headers().set(TRACEPARENT, context.toTraceparent());
        exchange.log().onTrace(context.traceIdHigh(), context.traceIdLow(), context.spanId(), parentSpanId,
            context.sampled());
    }

    private static void forwardedFor(final Channel channel, final HttpHeaders headers,
        final TraceConfig.ForwardedFor mode)
    {
        final SocketAddress remote = (channel instanceof Http2StreamChannel ? channel.parent() : channel).remoteAddress();
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null)
        {
            return;
        }
        final String address = inet.getAddress().getHostAddress();
        final String node = inet.getAddress() instanceof Inet6Address ? "\"[" + address + "]\"" : address;
        if (mode == TraceConfig.ForwardedFor.APPEND)
        {
            headers.set(X_FORWARDED_FOR, appended(headers.getAll(X_FORWARDED_FOR), address));
            headers.set(FORWARDED, appended(headers.getAll(FORWARDED), "for=" + node));
        }
        else
        {
            headers.set(X_FORWARDED_FOR, address);
            headers.set(FORWARDED, "for=" + node);
        }
    }

    private static String appended(final List<String> values, final String element)
    {
        if (values.isEmpty())
        {
            return element;
        }
        return String.join(", ", values) + ", " + element;
    }

    private static long nonZero(final ThreadLocalRandom random)
    {
        long value = random.nextLong();
        while (value == 0)
        {
            value = random.nextLong();
        }
        return value;
    }
}
