package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.HeadViolation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Http1ClientCodec} on an {@link EmbeddedChannel}: a decoded request head re-encoded byte for byte (and the
 * same bytes again for a retry), and every response framing.
 */
class Http1ClientCodecTest
{

    private static Http1Request decodedHead(final String text)
    {
        final EmbeddedChannel server = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        server.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        final Http1Request request = server.readInbound();
        Object msg;
        while ((msg = server.readInbound()) != null)
        {
            ReferenceCountUtil.release(msg);
        }
        assertThat(server.finish()).isFalse();
        return request;
    }

    @Test
    void shouldEncodeADecodedHeadStraightFromItsBytesAndAgainIdenticallyForARetry()
    {
        final String head = "GET /api/v1/orders/4711?x=1 HTTP/1.1\r\nHost: svc-3.edge-1.mec.example:15001\r\n"
            + "User-Agent: mecmesh-loadgen/0.1\r\nX-Request-Id: 6f1c\r\n\r\n";
        final Http1Request request = decodedHead(head);
        request.headers().remove("user-agent");
        request.headers().set(HttpHeaderNames.VIA, "1.1 mecmesh");
        final String expected = "GET /api/v1/orders/4711?x=1 HTTP/1.1\r\nHost: svc-3.edge-1.mec.example:15001\r\n"
            + "X-Request-Id: 6f1c\r\nvia: 1.1 mecmesh\r\n\r\n";
        final EmbeddedChannel first = new EmbeddedChannel(new Http1ClientCodec());
        first.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(Http1ServerCodecTest.readAll(first)).isEqualTo(expected);
        final EmbeddedChannel retry = new EmbeddedChannel(new Http1ClientCodec());
        retry.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(Http1ServerCodecTest.readAll(retry)).as("a retry sends the same bytes").isEqualTo(expected);
        request.recycle();
        assertThat(first.finish()).isFalse();
        assertThat(retry.finish()).isFalse();
    }

    @Test
    void shouldEncodeARewrittenTargetAndNettysOwnRequests()
    {
        final Http1Request request = decodedHead("GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n");
        request.setUri("/x");
        final EmbeddedChannel channel = new EmbeddedChannel(new Http1ClientCodec());
        final DefaultFullHttpRequest plain = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/p",
            Unpooled.copiedBuffer("hi", StandardCharsets.ISO_8859_1));
        plain.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
        channel.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT, plain);
        assertThat(Http1ServerCodecTest.readAll(channel)).isEqualTo("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /p HTTP/1.1\r\ncontent-length: 2\r\n\r\nhi");
        request.recycle();
        assertThat(channel.finish()).isFalse();
    }

    private static List<String> exchange(final EmbeddedChannel channel, final HttpMethod method, final String response,
        final int... cuts)
    {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        Http1ServerCodecTest.readAll(channel);
        return Http1ServerCodecTest.joined(Http1ServerCodecTest.decode(channel, response, cuts));
    }

    @Test
    void shouldFrameResponsesByLengthChunksAndConnectionClose()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new Http1ClientCodec());
        final String fixed = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        for (int cut = 1; cut < fixed.length(); cut++)
        {
            assertThat(exchange(channel, HttpMethod.GET, fixed, cut)).hasSize(2).last().isEqualTo("body[hello]");
        }
        assertThat(exchange(channel, HttpMethod.GET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Length: 99\r\n\r\n2\r\nab\r\n0\r\nX-T: 1\r\n\r\n"))
            .last().isEqualTo("body[ab] [X-T=1]");
        assertThat(exchange(channel, HttpMethod.HEAD, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"))
            .last().isEqualTo("body[]");
        assertThat(exchange(channel, HttpMethod.GET, "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"))
            .last().isEqualTo("body[]");
        assertThat(exchange(channel, HttpMethod.GET, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
            .hasSize(4).last().isEqualTo("body[]");
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        Http1ServerCodecTest.readAll(channel);
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil close", StandardCharsets.ISO_8859_1));
        final HttpResponse head = channel.readInbound();
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(head.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
        final Object part = channel.readInbound();
        assertThat(Http1ServerCodecTest.describe(part)).isEqualTo("part[until close]");
        ReferenceCountUtil.release(part);
        channel.close();
        assertThat(channel.<Object>readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldKeepANonStandardReasonPhraseAndFailAMalformedStatusLine()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new Http1ClientCodec());
        final List<String> ok = exchange(channel, HttpMethod.GET, "HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n");
        assertThat(ok).hasSize(2);
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        Http1ServerCodecTest.readAll(channel);
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 2x0 Odd\r\n\r\n", StandardCharsets.ISO_8859_1));
        final HttpResponse failed = channel.readInbound();
        assertThat(failed.decoderResult().isFailure()).isTrue();
        assertThat(((Http1DecoderException)failed.decoderResult().cause()).violation())
            .isEqualTo(HeadViolation.INVALID_STATUS_LINE);
        assertThat(channel.finish()).isFalse();
    }
}
