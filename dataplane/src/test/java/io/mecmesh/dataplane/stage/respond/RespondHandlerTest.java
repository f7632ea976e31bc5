package io.mecmesh.dataplane.stage.respond;

import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.lifecycle.DrainEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The respond stage between the channel and a stand-in for the later stages that records what reaches it and writes
 * what the test tells it to.
 */
class RespondHandlerTest
{
    private final Exchange exchange = new Exchange(new SliceStatsRegistry().unclassified());
    private final List<Object> reached = new ArrayList<>();
    private ChannelHandlerContext laterStage;
    private final EmbeddedChannel channel = new EmbeddedChannel(new RespondHandler(exchange),
        new ChannelInboundHandlerAdapter()
        {
            @Override
            public void handlerAdded(final ChannelHandlerContext ctx)
            {
                laterStage = ctx;
            }

            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                reached.add(msg);
            }
        });

    @AfterEach
    void releaseEverything()
    {
        reached.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldDropTheBodyOfALocallyAnsweredRequestAndKeepTheConnection()
    {
        final HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload");
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 10);
        channel.writeInbound(head);
        exchange.answerLocally(laterStage, DirectResponse.newResponse(laterStage, HttpResponseStatus.NOT_FOUND,
            "no route\n"));
        final ByteBuf first = Unpooled.copiedBuffer("01234", StandardCharsets.US_ASCII);
        final ByteBuf last = Unpooled.copiedBuffer("56789", StandardCharsets.US_ASCII);
        channel.writeInbound(new DefaultHttpContent(first));
        channel.writeInbound(new DefaultLastHttpContent(last));

        final FullHttpResponse answer = channel.readOutbound();
        assertThat(answer.status().code()).isEqualTo(404);
        assertThat(answer.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
        answer.release();
        assertThat(reached).containsExactly(head);
        assertThat(first.refCnt()).isZero();
        assertThat(last.refCnt()).isZero();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldHoldANewRequestHeadUntilThePreviousResponseHasPassed()
    {
        final HttpRequest first = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/one");
        final HttpRequest second = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/two");
        channel.writeInbound(first);
        final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        laterStage.write(head);

        channel.writeInbound(second);
        assertThat(reached).as("the first response has not passed").containsExactly(first);

        laterStage.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.runPendingTasks();

        assertThat(reached).containsExactly(first, second);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldSendAResponseWithoutLengthChunkedToHttp11AndCloseDelimitedToHttp10()
    {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/eleven"));
        final HttpResponse toEleven = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        laterStage.writeAndFlush(toEleven);
        laterStage.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(toEleven.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
        assertThat(channel.isOpen()).isTrue();

        final HttpRequest ten = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/ten");
        ten.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        channel.writeInbound(ten);
        final HttpResponse toTen = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        toTen.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        laterStage.writeAndFlush(toTen);
        laterStage.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(toTen.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        assertThat(toTen.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldCloseAnIdleConnectionOnDrainAndCloseABusyOneAfterItsResponse()
    {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/busy"));
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
        assertThat(channel.isOpen()).isTrue();

        final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        laterStage.writeAndFlush(head);
        assertThat(head.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        laterStage.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(channel.isOpen()).isFalse();
    }
}
