package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.Framing;
import io.mecmesh.dataplane.http.HeadViolationException;
import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of the request-head views in {@code http}, run on both implementations: the HTTP/1.1 codec's pooled
 * {@link Http1Request} (decoded from the bytes) and {@link NettyRequestHead} over a Netty {@link HttpRequest} holding
 * the same fields. The stages read only these views, so both must answer alike; and {@link Framing} must refuse on
 * a Netty head exactly what the codec refuses in the bytes.
 */
class RequestHeadContractTest
{
    enum Implementation
    {
        FLYWEIGHT(RequestHeadContractTest::decodeWithCodec),
        NETTY(text -> new NettyRequestHead().wrap(nettyRequest(text)));

        final Function<String, RequestHead> parse;

        Implementation(final Function<String, RequestHead> parse)
        {
            this.parse = parse;
        }
    }

    private static EmbeddedChannel codec;

    private final TextFlyweight view = new TextFlyweight();

    @AfterEach
    void closeCodec()
    {
        if (codec != null)
        {
            codec.finishAndReleaseAll();
            codec = null;
        }
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void shouldViewTheRequestLineAndAuthority(final Implementation implementation)
    {
        final RequestHead head = implementation.parse.apply(
            "GET /a/b?x=1 HTTP/1.1\r\nHost: example.org\r\nX-A: one\r\nx-a: Two\r\n\r\n");

        assertThat(head.method()).isEqualTo(HttpMethod.GET);
        assertThat(head.version()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(head.target(view).toString()).isEqualTo("/a/b?x=1");
        assertThat(head.pathLength()).isEqualTo(4);
        assertThat(head.authority(view).toString()).isEqualTo("example.org");
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void shouldFindRepeatedFieldsByNameInAnyCaseInOrder(final Implementation implementation)
    {
        final HeaderFields fields = implementation.parse.apply(
            "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\nx-a: Two\r\n\r\n").headerFields();

        assertThat(fields.count("x-A")).isEqualTo(2);
        final int first = fields.indexOf("X-a", 0);
        final int second = fields.indexOf("x-a", first + 1);
        assertThat(first).isNotNegative();
        assertThat(second).isGreaterThan(first);
        assertThat(fields.indexOf("x-a", second + 1)).isEqualTo(-1);
        assertThat(fields.valueEquals(first, "one", false)).isTrue();
        assertThat(fields.valueEquals(second, "two", false)).isFalse();
        assertThat(fields.valueEquals(second, "two", true)).isTrue();
        assertThat(fields.valueLength(second)).isEqualTo(3);
        assertThat(fields.valueCharAt(second, 0)).isEqualTo('T');
        assertThat(fields.valueView(first, view).toString()).isEqualTo("one");
        assertThat(fields.first("X-A", view).toString()).isEqualTo("one");
        assertThat(fields.first("missing", view)).isNull();
        assertThat(fields.contentLength()).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void shouldFrameAFixedBodyAndRefuseItOverTheLimit(final Implementation implementation)
    {
        final RequestHead head = implementation.parse.apply(
            "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n");

        assertThat(head.headerFields().contentLength()).isEqualTo(42);
        assertThat(Framing.check(head, 42)).isEqualTo(Framing.FIXED);
        assertThat(Framing.check(head, 41)).isEqualTo(Framing.TOO_LARGE);
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void shouldFrameNoBodyWithoutFramingFields(final Implementation implementation)
    {
        assertThat(Framing.check(implementation.parse.apply("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), 0))
            .isEqualTo(Framing.NONE);
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void shouldNormalizeChunkedAndContentLengthWithLeadingZeros(final Implementation implementation)
    {
        // The codec normalizes while it decodes; Framing on the Netty head does the same to its fields.
        final RequestHead chunked = implementation.parse.apply(
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n");
        assertThat(Framing.check(chunked, 0)).isEqualTo(Framing.CHUNKED);
        final HeaderFields chunkedFields = chunked.headerFields();
        assertThat(chunkedFields.valueEquals(chunkedFields.indexOf("transfer-encoding", 0), "chunked", false))
            .isTrue();

        final RequestHead zeros = implementation.parse.apply(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n");
        assertThat(Framing.check(zeros, 10)).isEqualTo(Framing.FIXED);
        final HeaderFields zeroFields = zeros.headerFields();
        assertThat(zeroFields.valueView(zeroFields.indexOf("content-length", 0), view).toString()).isEqualTo("7");
        assertThat(zeroFields.contentLength()).isEqualTo(7);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3a\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456789\r\n\r\n",
    })
    void shouldRefuseOnANettyHeadWhatTheCodecRefusesInTheBytes(final String text)
    {
        final Framing framing = Framing.check(new NettyRequestHead().wrap(nettyRequest(text)), Long.MAX_VALUE);

        codec = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        codec.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        final Object decoded = codec.readInbound();
        try
        {
            assertThat(decoded).isInstanceOf(HttpRequest.class);
            final Throwable cause = ((HttpRequest)decoded).decoderResult().cause();
            assertThat(cause).isInstanceOf(HeadViolationException.class);
            assertThat(framing.isFramed()).isFalse();
            assertThat(framing.violation()).isEqualTo(((HeadViolationException)cause).violation());
        }
        finally
        {
            ReferenceCountUtil.release(decoded);
        }
    }

    @Test
    void shouldViewTheCodecsRequestItselfAndWrapAnyOtherInTheScratchAdapter()
    {
        final Http1Request flyweight = (Http1Request)decodeWithCodec("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        final NettyRequestHead scratch = new NettyRequestHead();

        assertThat(RequestHead.of(flyweight, scratch)).isSameAs(flyweight);
        assertThat(RequestHead.of(nettyRequest("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), scratch)).isSameAs(scratch);
    }

    private static RequestHead decodeWithCodec(final String text)
    {
        if (codec != null)
        {
            codec.finishAndReleaseAll();
        }
        codec = new EmbeddedChannel(new Http1ServerCodec(new HttpDecoderConfig()));
        codec.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        final Object decoded = codec.readInbound();
        assertThat(decoded).isInstanceOf(Http1Request.class);
        assertThat(((Http1Request)decoded).decoderResult().isSuccess()).isTrue();
        return (Http1Request)decoded;
    }

    /** The same head as Netty's own message, its fields added as they are (no framing rule applied). */
    private static HttpRequest nettyRequest(final String text)
    {
        final String[] lines = text.split("\r\n");
        final String[] requestLine = lines[0].split(" ");
        final HttpRequest request = new DefaultHttpRequest(HttpVersion.valueOf(requestLine[2]),
            HttpMethod.valueOf(requestLine[0]), requestLine[1]);
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            request.headers().add(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim());
        }
        assertThat(request.headers().contains(HttpHeaderNames.HOST)).isTrue();
        return request;
    }
}
