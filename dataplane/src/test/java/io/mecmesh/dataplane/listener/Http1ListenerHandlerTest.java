package io.mecmesh.dataplane.listener;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listener stage on an {@link EmbeddedChannel} whose clock the tests advance by hand: the timeouts fire exactly
 * when due and only while no exchange is in progress, and what is refused is released.
 */
class Http1ListenerHandlerTest
{
    private final DataPlaneCounters counters = new DataPlaneCounters();

    private EmbeddedChannel channel(final ListenerConfig.Builder config)
    {
        final ListenerConfig listener = config.build();
        final Http1ListenerHandler handler = new Http1ListenerHandler(listener, counters);
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ConnectionGuard(listener, counters, handler::onBytesReceived),
            new HttpServerCodec(new HttpDecoderConfig().setStrictLineParsing(true).setUseRfc9112TransferEncoding(true)),
            handler);
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private static ListenerConfig.Builder config()
    {
        return ListenerConfig.builder("test", "127.0.0.1", 0).idleTimeoutMs(1000).requestHeaderTimeoutMs(200);
    }

    private static void send(final EmbeddedChannel channel, final String text)
    {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static void advance(final EmbeddedChannel channel, final long ms)
    {
        channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private static String readOutbound(final EmbeddedChannel channel)
    {
        final StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null)
        {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    private static void releaseInbound(final EmbeddedChannel channel)
    {
        Object msg;
        while ((msg = channel.readInbound()) != null)
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Test
    void shouldCloseAnIdleConnectionWhenItsTimeoutIsDueAndNotBefore()
    {
        final EmbeddedChannel channel = channel(config());

        advance(channel, 999);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1);

        assertThat(channel.isOpen()).isFalse();
        assertThat(readOutbound(channel)).isEmpty();
        assertThat(counters.get(DataPlaneCounter.IDLE_TIMEOUTS)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldAnswer408WhenAHeadStartedButIsNotCompleteInTime()
    {
        final EmbeddedChannel channel = channel(config());
        advance(channel, 500);
        send(channel, "GET / HTTP/1.1\r\nHo");

        advance(channel, 199);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1);

        assertThat(readOutbound(channel)).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(counters.get(DataPlaneCounter.REQUEST_HEADER_TIMEOUTS)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldNotTimeOutWhileAnExchangeIsInProgressAndWaitAgainAfterIt()
    {
        final EmbeddedChannel channel = channel(config());
        send(channel, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        final Object head = channel.readInbound();
        final Object end = channel.readInbound();
        assertThat(head).isInstanceOf(HttpRequest.class);
        assertThat(end).isInstanceOf(LastHttpContent.class);
        ReferenceCountUtil.release(end);

        advance(channel, 5000);
        assertThat(channel.isOpen()).as("no timeout while the response is awaited").isTrue();
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        assertThat(readOutbound(channel)).startsWith("HTTP/1.1 200 OK");
        advance(channel, 999);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1);

        assertThat(channel.isOpen()).isFalse();
        assertThat(counters.get(DataPlaneCounter.RESPONSES_2XX)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldAnswer413AndReleaseTheChunkThatTakesTheBodyOverTheLimit()
    {
        final EmbeddedChannel channel = channel(config().maxRequestBodyBytes(4));
        send(channel, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n");

        assertThat(readOutbound(channel)).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n");
        assertThat(channel.isOpen()).isFalse();
        releaseInbound(channel);
        assertThat(counters.get(DataPlaneCounter.REJECTED_BODY_TOO_LARGE)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldAskTheLastAllowedRequestToCloseAndCloseAfterItsResponse()
    {
        final EmbeddedChannel channel = channel(config().maxRequestsPerConnection(1));
        send(channel, "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\n\r\n");
        final Object head = channel.readInbound();
        ReferenceCountUtil.release(channel.readInbound());

        assertThat(((HttpRequest)head).headers().get("connection")).isEqualTo("close, X-Secret");
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        assertThat(readOutbound(channel)).contains("connection: close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(counters.get(DataPlaneCounter.MAX_REQUESTS_CLOSES)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }
}
