package io.mecmesh.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Http1ServerCodec} on an {@link EmbeddedChannel}: every decoding rule, the same messages whatever the
 * split of the bytes into reads (down to one byte per read), byte-exact response encoding, and pooled heads given
 * back after encoding.
 */
class Http1ServerCodecTest
{
    private static final HttpDecoderConfig CONFIG = new HttpDecoderConfig()
        .setMaxInitialLineLength(256)
        .setMaxHeaderSize(1024)
        .setMaxChunkSize(16 * 1024);

    private static EmbeddedChannel codec()
    {
        return new EmbeddedChannel(new Http1ServerCodec(CONFIG));
    }


    /**
     * Feeds the text in reads cut at the given offsets and describes every message that comes out, releasing it.
     */
    static List<String> decode(final EmbeddedChannel channel, final String text, final int... cuts)
    {
        int from = 0;
        for (final int cut : cuts)
        {
            channel.writeInbound(Unpooled.copiedBuffer(text.substring(from, cut), StandardCharsets.ISO_8859_1));
            from = cut;
        }
        channel.writeInbound(Unpooled.copiedBuffer(text.substring(from), StandardCharsets.ISO_8859_1));
        final List<String> described = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null)
        {
            described.add(describe(msg));
            ReferenceCountUtil.release(msg);
        }
        return described;
    }

    static String describe(final Object msg)
    {
        final StringBuilder text = new StringBuilder();
        if (msg instanceof HttpRequest request)
        {
            if (request.decoderResult().isFailure())
            {
                final Throwable cause = request.decoderResult().cause();
                return "failed head: " + (cause instanceof Http1DecoderException failure ? failure.violation() : cause);
            }
            text.append(request.method()).append(' ').append(request.uri()).append(' ')
                .append(request.protocolVersion()).append(' ').append(request.headers().entries());
        }
        if (msg instanceof HttpContent content)
        {
            if (content.decoderResult().isFailure())
            {
                final Throwable cause = content.decoderResult().cause();
                return "failed body: " + (cause instanceof Http1DecoderException failure ? failure.violation() : cause);
            }
            text.append(msg instanceof LastHttpContent ? "last[" : "part[")
                .append(content.content().toString(StandardCharsets.ISO_8859_1)).append(']');
            if (msg instanceof LastHttpContent last && !last.trailingHeaders().isEmpty())
            {
                text.append(' ').append(last.trailingHeaders().entries());
            }
        }
        return text.toString();
    }

    /** Joins consecutive body parts, so that messages compare whatever the reads were. */
    static List<String> joined(final List<String> messages)
    {
        final List<String> joined = new ArrayList<>();
        final StringBuilder body = new StringBuilder();
        for (final String message : messages)
        {
            if (message.startsWith("part[") || message.startsWith("last["))
            {
                final int end = message.indexOf(']');
                body.append(message, 5, end);
                if (message.startsWith("last["))
                {
                    joined.add("body[" + body + "]" + message.substring(end + 1));
                    body.setLength(0);
                }
            }
            else
            {
                joined.add(message);
            }
        }
        return joined;
    }

    static Stream<String> heads()
    {
        return Stream.of(
            "GET /api/v1/orders/4711?x=1 HTTP/1.1\r\nHost: svc-3.edge-1.mec.example:15001\r\nUser-Agent: t/1\r\n"
                + "Accept: application/json\r\nConnection: keep-alive\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: web.local\r\nContent-Length: 11\r\n\r\nhello world",
            "POST /x HTTP/1.1\r\nHost: web.local\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n"
                + "10\r\n0123456789abcdef\r\n0\r\nX-Checksum: 42\r\n\r\n",
            "GET /f HTTP/1.0\r\nHost: web.local\r\nX-A: 1\r\n  folded   \r\n\tagain\r\n\r\n",
            "\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\nhi");
    }

    @ParameterizedTest
    @MethodSource("heads")
    void shouldDecodeTheSameMessagesWhateverTheReadBoundaries(final String text)
    {
        final EmbeddedChannel whole = codec();
        final List<String> expected = joined(decode(whole, text));
        assertThat(whole.finish()).isFalse();
        assertThat(expected).isNotEmpty().noneMatch(message -> message.startsWith("failed"));

        for (int cut = 1; cut < text.length(); cut++)
        {
            final EmbeddedChannel split = codec();
            assertThat(joined(decode(split, text, cut))).as("cut at %d", cut).isEqualTo(expected);
            assertThat(split.finish()).isFalse();
        }
        final int[] everyByte = new int[text.length() - 1];
        for (int i = 0; i < everyByte.length; i++)
        {
            everyByte[i] = i + 1;
        }
        final EmbeddedChannel oneByteAtATime = codec();
        assertThat(joined(decode(oneByteAtATime, text, everyByte))).isEqualTo(expected);
        assertThat(oneByteAtATime.finish()).isFalse();
    }

    @Test
    void shouldDecodeAGetIntoAPooledHeadWithConstantsAndAnEmptyLastPart()
    {
        final EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.copiedBuffer("GET /p?q=1 HTTP/1.1\r\nHost: Web.Local:80\r\nX-Multi: a\r\nx-multi: b\r\n\r\n", StandardCharsets.ISO_8859_1));
        final Http1Request request = channel.readInbound();
        assertThat(request.method()).isSameAs(HttpMethod.GET);
        assertThat(request.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
        assertThat(request.uri()).isEqualTo("/p?q=1");
        assertThat(request.pathLength()).isEqualTo(2);
        assertThat(request.headers().get("host")).isEqualTo("Web.Local:80");
        assertThat(request.headers().getAll(HttpHeaderNames.HOST)).containsExactly("Web.Local:80");
        assertThat(request.headers().getAll("X-MULTI")).containsExactly("a", "b");
        assertThat(request.headers().size()).isEqualTo(3);
        assertThat(channel.<Object>readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        request.recycle();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldNormalizeFramingAndJoinFoldedLines()
    {
        final EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.copiedBuffer("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\nX-A: 1\r\n"
            + " Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            + "POST /y HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc", StandardCharsets.ISO_8859_1));
        final Http1Request chunked = channel.readInbound();
        assertThat(chunked.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)).containsExactly("chunked");
        assertThat(chunked.headers().get("x-a")).isEqualTo("1 Transfer-Encoding: chunked");
        assertThat(channel.<Object>readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        final Http1Request fixed = channel.readInbound();
        assertThat(fixed.headers().getAll(HttpHeaderNames.CONTENT_LENGTH)).containsExactly("3");
        assertThat(fixed.headers().contentLength()).isEqualTo(3);
        final LastHttpContent body = channel.readInbound();
        assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        body.release();
        assertThat(channel.finish()).isFalse();
    }

    static Stream<Arguments> violations()
    {
        final String post = "POST /x HTTP/1.1\r\nHost: a\r\n";
        final String chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
        return Stream.of(
            Arguments.of("bare LF after the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", "failed head: BARE_LF"),
            Arguments.of("bare LF ending a header", post + "X-A: 1\n\r\n", "failed head: BARE_LF"),
            Arguments.of("request line too long", "GET /" + "a".repeat(300) + " HTTP/1.1\r\n\r\n",
                "failed head: LINE_TOO_LONG"),
            Arguments.of("request line too long, unterminated", "GET /" + "a".repeat(300),
                "failed head: LINE_TOO_LONG"),
            Arguments.of("header section too large", post + "X-Big: " + "b".repeat(2000) + "\r\n\r\n",
                "failed head: HEADERS_TOO_LARGE"),
            Arguments.of("HTTP/0.9", "GET /x\r\n\r\n", "failed head: INVALID_REQUEST_LINE"),
            Arguments.of("space in the target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
                "failed head: INVALID_REQUEST_LINE"),
            Arguments.of("space after the version", "GET /x HTTP/1.1 \r\nHost: a\r\n\r\n",
                "failed head: INVALID_REQUEST_LINE"),
            Arguments.of("method not a token", "G(T /x HTTP/1.1\r\nHost: a\r\n\r\n", "failed head: INVALID_REQUEST_LINE"),
            Arguments.of("space before the colon", post + "Content-Length : 1\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("no colon", post + "Content-Length 1\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("fold before any field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("NUL in a value", post + "X-A: a\u0000b\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("bare CR in a value", post + "X-A: a\rb\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("vertical tab in a value", post + "X-A: \u000bb\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("separator in a name", post + "X(A): 1\r\n\r\n", "failed head: INVALID_HEADER"),
            Arguments.of("CL and TE", post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                "failed head: CONTENT_LENGTH_WITH_TRANSFER_ENCODING"),
            Arguments.of("TE on HTTP/1.0", "POST /x HTTP/1.0\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n",
                "failed head: INVALID_TRANSFER_ENCODING"),
            Arguments.of("TE chunked twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                "failed head: INVALID_TRANSFER_ENCODING"),
            Arguments.of("TE list", post + "Transfer-Encoding: gzip, chunked\r\n\r\n",
                "failed head: INVALID_TRANSFER_ENCODING"),
            Arguments.of("CL twice", post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                "failed head: INVALID_CONTENT_LENGTH"),
            Arguments.of("CL with a sign", post + "Content-Length: +3\r\n\r\nabc", "failed head: INVALID_CONTENT_LENGTH"),
            Arguments.of("CL of 19 digits", post + "Content-Length: 1000000000000000000\r\n\r\n",
                "failed head: INVALID_CONTENT_LENGTH"),
            Arguments.of("CL list", post + "Content-Length: 3, 3\r\n\r\n", "failed head: INVALID_CONTENT_LENGTH"),
            Arguments.of("empty chunk size", chunked + "\r\nabc\r\n0\r\n\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("space after a chunk size", chunked + "3 \r\nabc\r\n0\r\n\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("tab after a chunk size", chunked + "3\t\r\nabc\r\n0\r\n\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("negative chunk size", chunked + "-3\r\nabc\r\n0\r\n\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("chunk size of 9 digits", chunked + "100000003\r\nabc\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("chunk size 0x", chunked + "0x3\r\nabc\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("control in a chunk extension", chunked + "3;a=\u0001\r\nabc\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("chunk data too long", chunked + "3\r\nabc0\r\n\r\n", "failed body: INVALID_CHUNK"),
            Arguments.of("bare LF after a chunk size", chunked + "3\nabc\r\n0\r\n\r\n", "failed body: BARE_LF"),
            Arguments.of("invalid trailer field", chunked + "0\r\nX Y: 1\r\n\r\n", "failed body: INVALID_CHUNK"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void shouldFailWithTheViolationAndDiscardTheRest(final String name, final String text, final String failure)
    {
        final EmbeddedChannel channel = codec();
        final List<String> messages = decode(channel, text + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(messages).last().isEqualTo(failure);
        assertThat(messages).noneMatch(message -> message.contains("/after"));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldDropATrailersFramingFieldsAndKeepTheOthers()
    {
        final EmbeddedChannel channel = codec();
        assertThat(decode(channel, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\nContent-Length: 44\r\nX-Sum: 1\r\n\r\n"))
            .endsWith("part[abc]", "last[] [X-Sum=1]");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldEncodeAResponseByteExactWithASmallBodyInTheHeadBuffer()
    {
        final EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        releaseInbound(channel);
        final DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK, Unpooled.copiedBuffer("hello", StandardCharsets.ISO_8859_1));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN).setInt(
            HttpHeaderNames.CONTENT_LENGTH, 5);
        channel.writeOutbound(response);
        assertThat(readAll(channel)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
            + "content-length: 5\r\n\r\nhello");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldEncodeChunkedPartsAndTrailersByteExact()
    {
        final EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        releaseInbound(channel);
        final DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        final LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("0123456789abcdef0", StandardCharsets.ISO_8859_1));
        last.trailingHeaders().set("x-sum", "7");
        final String big = "z".repeat(Http1Encoder.MERGE_THRESHOLD + 1);
        channel.writeOutbound(head, new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.ISO_8859_1)), new DefaultHttpContent(Unpooled.copiedBuffer(big, StandardCharsets.ISO_8859_1)), last);
        assertThat(readAll(channel)).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n" + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n"
            + "11\r\n0123456789abcdef0\r\n0\r\nx-sum: 7\r\n\r\n");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldWriteNoBodyForAHeadRequestOrA204AndRecycleAPooledResponseHead()
    {
        final EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.copiedBuffer("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        releaseInbound(channel);
        final Http1Response pooled = Http1Response.newInstance();
        pooled.init(HttpResponseStatus.OK, HttpVersion.HTTP_1_1);
        pooled.headers().set(HttpHeaderNames.CONTENT_LENGTH, "5");
        final int generation = pooled.generation();
        channel.writeOutbound(pooled, new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.ISO_8859_1)));
        assertThat(pooled.generation()).as("recycled once encoded").isNotEqualTo(generation);
        final DefaultFullHttpResponse noContent = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.NO_CONTENT, Unpooled.copiedBuffer("ignored", StandardCharsets.ISO_8859_1));
        channel.writeOutbound(noContent);
        assertThat(readAll(channel)).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void shouldAnswerExpectContinueWithAnInterimResponseThatDoesNotEndTheExchange()
    {
        final EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.copiedBuffer("HEAD /a HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
        releaseInbound(channel);
        final DefaultFullHttpResponse interim = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
        final DefaultHttpResponse toHead = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        toHead.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        final DefaultHttpResponse toGet = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        toGet.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeOutbound(interim, toHead, LastHttpContent.EMPTY_LAST_CONTENT, toGet,
            new DefaultLastHttpContent(Unpooled.copiedBuffer("ok", StandardCharsets.ISO_8859_1)));
        assertThat(readAll(channel)).as("the HEAD's response has no chunks, the GET's has its own")
            .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        assertThat(channel.finish()).isFalse();
    }

    private static void releaseInbound(final EmbeddedChannel channel)
    {
        Object msg;
        while ((msg = channel.readInbound()) != null)
        {
            if (msg instanceof Http1Request request)
            {
                request.recycle();
            }
            ReferenceCountUtil.release(msg);
        }
    }

    static String readAll(final EmbeddedChannel channel)
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
}
