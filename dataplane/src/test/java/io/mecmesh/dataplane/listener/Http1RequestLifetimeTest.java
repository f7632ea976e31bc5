package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http1.Http1Request;
import io.mecmesh.dataplane.http1.Http1ServerCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lifetime of pooled request heads through the listener stage, as {@code PipelineAssembler} installs it (codec,
 * flow control, listener) with a last stage that holds each head for its whole exchange as the upstream stage does:
 * a pipelined request decoded while the first is in flight does not touch the first, and a head goes back to its
 * pool only once the next head arrives after its response was complete.
 */
class Http1RequestLifetimeTest
{
    /** Holds every head it is given and asks for the next message only when told to. */
    private static final class HoldingStage extends ChannelInboundHandlerAdapter
    {
        private final List<Http1Request> heads = new ArrayList<>();
        private final List<Integer> generations = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof Http1Request request)
            {
                heads.add(request);
                generations.add(request.generation());
                ctx.read();
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        void answer()
        {
            final DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(response);
            ctx.read();
        }
    }

    @Test
    void shouldKeepAHeadIntactUntilTheNextHeadArrivesAfterItsResponse() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        final ListenerConfig listener = ListenerConfig.of("test", "127.0.0.1", 0);
        final Http1ListenerHandler listenerStage = new Http1ListenerHandler(listener, counters);
        final HoldingStage holding = new HoldingStage();
        final EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new ConnectionGuard(listener, counters, listenerStage::onBytesReceived),
            new Http1ServerCodec(new HttpDecoderConfig()), new FlowControlHandler(), listenerStage, holding);
        channel.register();
        channel.read();

        channel.writeInbound(Unpooled.copiedBuffer("GET /first HTTP/1.1\r\nHost: one.local\r\nX-N: 1\r\n\r\n"
            + "GET /second HTTP/1.1\r\nHost: two.local\r\nX-N: 2\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(holding.heads).hasSize(1);
        final Http1Request first = holding.heads.get(0);
        assertThat(first.uri()).isEqualTo("/first");
        assertThat(first.headers().get("x-n")).as("the pipelined head decoded with it is another object").isEqualTo("1");

        holding.answer();
        assertThat(holding.heads).hasSize(2);
        final Http1Request second = holding.heads.get(1);
        assertThat(second).isNotSameAs(first);
        assertThat(((HttpRequest)second).uri()).isEqualTo("/second");
        assertThat(second.headers().get(HttpHeaderNames.HOST)).isEqualTo("two.local");
        assertThat(first.generation()).as("recycled once the next head arrived after its response")
            .isNotEqualTo(holding.generations.get(0));
        assertThat(first.isRecycled()).isTrue();
        assertThatThrownBy(first::uri).as("a use after recycle trips the debug assertion")
            .isInstanceOf(AssertionError.class);
        assertThat(second.generation()).as("the exchange in flight keeps its head").isEqualTo(holding.generations.get(1));

        channel.writeInbound(Unpooled.copiedBuffer("GET /third HTTP/1.1\r\nHost: three.local\r\n\r\n",
            StandardCharsets.ISO_8859_1));
        assertThat(holding.heads).as("not read before the second is answered").hasSize(2);
        assertThat(second.headers().get(HttpHeaderNames.HOST)).isEqualTo("two.local");
        holding.answer();
        assertThat(holding.heads).hasSize(3);
        assertThat(holding.heads.get(2).uri()).isEqualTo("/third");
        assertThat(second.generation()).isNotEqualTo(holding.generations.get(1));

        Object msg;
        while ((msg = channel.readOutbound()) != null)
        {
            ReferenceCountUtil.release(msg);
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldNotRecycleAHeadWhoseResponseNeverCompleted() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        final ListenerConfig listener = ListenerConfig.of("test", "127.0.0.1", 0);
        final Http1ListenerHandler listenerStage = new Http1ListenerHandler(listener, counters);
        final HoldingStage holding = new HoldingStage();
        final EmbeddedChannel channel = new EmbeddedChannel(false, false);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new Http1ServerCodec(new HttpDecoderConfig()), new FlowControlHandler(),
            listenerStage, holding);
        channel.register();
        channel.read();
        channel.writeInbound(Unpooled.copiedBuffer("GET /a HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        final Http1Request first = holding.heads.get(0);
        channel.close();
        assertThat(first.generation()).as("left to the garbage collector").isEqualTo(holding.generations.get(0));
        assertThat(first.uri()).isEqualTo("/a");
        assertThat(channel.finish()).isFalse();
    }
}
