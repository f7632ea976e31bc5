package io.mecmesh.dataplane.http2;

import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Http2StreamCodec} on an {@link EmbeddedChannel} standing for one stream's child channel: HTTP/2 frames
 * in, the stages' messages out, and back.
 */
final class Http2StreamCodecTest
{
    private final List<Throwable> errors = new ArrayList<>();
    private final EmbeddedChannel stream = new EmbeddedChannel(new Http2StreamCodec(),
        new ChannelInboundHandlerAdapter()
        {
            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
            {
                errors.add(cause);
            }
        });

    @AfterEach
    void release()
    {
        stream.finishAndReleaseAll();
    }

    private static Http2Headers get(final String path)
    {
        return new DefaultHttp2Headers().method("GET").scheme("https").authority("svc.local:8443").path(path);
    }

    @Test
    void shouldReadAHeadEndingTheStreamAsARequestViewAndAnEmptyLastPart()
    {
        stream.writeInbound(new DefaultHttp2HeadersFrame(get("/api/orders?id=7").add("accept", "text/plain")
            .add("cookie", "a=1").add("cookie", "b=2"), true));

        final Http2Request request = stream.readInbound();
        assertThat(request.method()).isSameAs(HttpMethod.GET);
        assertThat(request.uri()).isEqualTo("/api/orders?id=7");
        assertThat(request.pathLength()).isEqualTo("/api/orders".length());
        assertThat(RequestHead.of(request, null)).isSameAs(request);
        assertThat(request.authority(new TextFlyweight()).toString()).isEqualTo("svc.local:8443");
        assertThat(request.headers().get(HttpHeaderNames.COOKIE)).as("cookie fields joined (RFC 9113 8.2.3)")
            .isEqualTo("a=1; b=2");
        assertThat(request.headers().get("accept")).isEqualTo("text/plain");
        assertThat(request.headers().names()).noneMatch(name -> name.startsWith(":") || name.startsWith("x-http2-"));
        assertThat(request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)).isFalse();
        final Object last = stream.readInbound();
        assertThat(last).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Test
    void shouldPassDataFramesOnUncopiedAndTrailersAsTheLastPart()
    {
        stream.writeInbound(new DefaultHttp2HeadersFrame(get("/upload").method("POST"), false));
        final ByteBuf bytes = Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII);
        stream.writeInbound(new DefaultHttp2DataFrame(bytes, false));
        stream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true));

        final Http2Request request = stream.readInbound();
        assertThat(request.headers().get(HttpHeaderNames.TRANSFER_ENCODING)).as("a body of unknown length")
            .isEqualTo("chunked");
        final HttpContent part = stream.readInbound();
        assertThat(part).isNotInstanceOf(LastHttpContent.class);
        assertThat(part.content()).isSameAs(bytes);
        part.release();
        final LastHttpContent trailers = stream.readInbound();
        assertThat(trailers.trailingHeaders().get("grpc-status")).isEqualTo("0");
        assertThat(trailers.content().readableBytes()).isZero();
    }

    @Test
    void shouldReportAHeadersFrameInTheBodyThatDoesNotEndTheStreamAsMalformed()
    {
        stream.writeInbound(new DefaultHttp2HeadersFrame(get("/upload").method("POST"), false));
        stream.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x", "y"), false));

        assertThat(errors).singleElement().isInstanceOf(DecoderException.class);
    }

    @Test
    void shouldWriteAResponseAsHeadersAndDataFramesAndItsTrailersAsTheLastHeadersFrame()
    {
        final DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("Content-Type", "application/grpc").set(HttpHeaderNames.CONNECTION, "keep-alive");
        final LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("body",
            StandardCharsets.US_ASCII));
        last.trailingHeaders().set("grpc-status", "0");
        stream.writeOutbound(head, last);

        final Http2HeadersFrame headers = stream.readOutbound();
        assertThat(headers.isEndStream()).isFalse();
        assertThat(headers.headers().status().toString()).isEqualTo("200");
        assertThat(headers.headers().get("content-type").toString()).isEqualTo("application/grpc");
        assertThat(headers.headers().contains("connection")).as("connection-specific fields dropped").isFalse();
        final Http2DataFrame data = stream.readOutbound();
        assertThat(data.isEndStream()).isFalse();
        assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("body");
        data.release();
        final Http2HeadersFrame trailers = stream.readOutbound();
        assertThat(trailers.isEndStream()).isTrue();
        assertThat(trailers.headers().get("grpc-status").toString()).isEqualTo("0");
    }

    @Test
    void shouldEndTheStreamWithTheHeadersOfAFullResponseWithoutBody()
    {
        stream.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));

        final Http2HeadersFrame headers = stream.readOutbound();
        assertThat(headers.isEndStream()).isTrue();
        assertThat(headers.headers().status().toString()).isEqualTo("204");
        final Object more = stream.readOutbound();
        assertThat(more).isNull();
    }

    @Test
    void shouldEndTheStreamWithAnEmptyDataFrameWhenTheLastPartIsEmpty()
    {
        stream.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
            LastHttpContent.EMPTY_LAST_CONTENT);

        final Http2HeadersFrame headers = stream.readOutbound();
        assertThat(headers.isEndStream()).isFalse();
        final Http2DataFrame data = stream.readOutbound();
        assertThat(data.isEndStream()).isTrue();
        assertThat(data.content().readableBytes()).isZero();
    }
}
