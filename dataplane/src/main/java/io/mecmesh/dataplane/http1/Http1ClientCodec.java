package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.HeadViolation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The upstream HTTP/1.1 codec, in place of Netty's {@code HttpClientCodec}: requests (any {@code HttpRequest} and
 * {@code HttpContent}; an {@link Http1Request} straight from its bytes) to bytes; bytes to pooled
 * {@link Http1Response} heads and {@link Http1Content} / {@link Http1LastContent} body parts.
 *
 * <p>Response framing (RFC 9112 §6.3), as lenient as Netty's client decoder: no body for a response to HEAD, a
 * 1xx, 204 or 304; chunked when the last transfer coding is {@code chunked} (a Content-Length then dropped); else
 * Content-Length (once, 1 to 18 digits, else the head fails); else until the connection closes. A bare LF ends a
 * line. A request encoded here is not kept: heads are written into the buffer at once.
 * One instance per connection, confined to its event loop.
 */
public final class Http1ClientCodec extends CombinedChannelDuplexHandler<Http1ClientCodec.ResponseDecoder,
    Http1ClientCodec.RequestEncoder>
{
    private static final byte[] SP_HTTP_1_1 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SP_HTTP_1_0 = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * @param config the response decoder's limits.
     */
    public Http1ClientCodec(final HttpDecoderConfig config)
    {
        requireNonNull(config, "config");
        final HeadRequestQueue heads = new HeadRequestQueue();
        init(new ResponseDecoder(config, heads), new RequestEncoder(heads));
    }

    /** A codec with Netty's default limits (8 KiB header section, 4 KiB start line, 8 KiB body parts). */
    public Http1ClientCodec()
    {
        this(new HttpDecoderConfig());
    }

    /** The response half. */
    static final class ResponseDecoder extends Http1Decoder
    {
        private final HeadRequestQueue heads;

        ResponseDecoder(final HttpDecoderConfig config, final HeadRequestQueue heads)
        {
            super(config.getMaxInitialLineLength(), config.getMaxHeaderSize(), config.getMaxChunkSize(), false);
            this.heads = heads;
        }

        @Override
        Object newHead()
        {
            return Http1Response.newInstance();
        }

        @Override
        FlyweightHeaders headersOf(final Object message)
        {
            return ((Http1Response)message).headers();
        }

        @Override
        void recycleFailed(final Object message)
        {
            ((Http1Response)message).recycle();
        }

        @Override
        Http1DecoderException startLine(final Object message, final byte[] bytes, final int lineEnd)
        {
            final int versionEnd = indexOf(bytes, 0, lineEnd, ' ');
            final HttpVersion version = versionEnd < 0 ? null : version(bytes, 0, versionEnd);
            if (version == null || lineEnd - versionEnd < 4)
            {
                return new Http1DecoderException(HeadViolation.INVALID_STATUS_LINE, "invalid status line");
            }
            int code = 0;
            for (int i = versionEnd + 1; i < versionEnd + 4; i++)
            {
                final int digit = bytes[i] - '0';
                if (digit < 0 || digit > 9)
                {
                    return new Http1DecoderException(HeadViolation.INVALID_STATUS_LINE, "invalid status code");
                }
                code = code * 10 + digit;
            }
            final int reasonStart = versionEnd + 5;
            if (versionEnd + 4 < lineEnd && bytes[versionEnd + 4] != ' ' || code < 100)
            {
                return new Http1DecoderException(HeadViolation.INVALID_STATUS_LINE, "invalid status code");
            }
            HttpResponseStatus status = HttpResponseStatus.valueOf(code);
            if (reasonStart < lineEnd && !sameReason(bytes, reasonStart, lineEnd, status.reasonPhrase()))
            {
                status = new HttpResponseStatus(code,
                    new String(bytes, reasonStart, lineEnd - reasonStart, StandardCharsets.ISO_8859_1));
            }
            ((Http1Response)message).init(status, version);
            return null;
        }

        private static boolean sameReason(final byte[] bytes, final int from, final int to, final String reason)
        {
            if (to - from != reason.length())
            {
                return false;
            }
            for (int i = 0; i < reason.length(); i++)
            {
                if (bytes[from + i] != reason.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }

        @Override
        int framing(final Object message, final List<Object> out)
        {
            final Http1Response response = (Http1Response)message;
            final int code = response.status().code();
            if (code < 200)
            {
                return NONE;
            }
            final boolean headRequest = heads.poll();
            if (headRequest || code == 204 || code == 304)
            {
                return NONE;
            }
            final FlyweightHeaders headers = response.headers();
            final int transferEncoding = lastIndexOf(headers, HttpHeaderNames.TRANSFER_ENCODING);
            if (transferEncoding >= 0 && endsWithChunked(headers, transferEncoding))
            {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                return CHUNKED;
            }
            if (transferEncoding < 0)
            {
                final long length = headers.contentLength();
                if (length == -2)
                {
                    response.setDecoderResult(DecoderResult.failure(new Http1DecoderException(
                        HeadViolation.INVALID_CONTENT_LENGTH, "invalid Content-Length")));
                    out.add(response);
                    failed();
                    return -1;
                }
                if (length >= 0)
                {
                    contentLength = length;
                    return FIXED;
                }
            }
            return UNTIL_CLOSE;
        }

        private static int lastIndexOf(final FlyweightHeaders headers, final CharSequence name)
        {
            int last = -1;
            for (int i = headers.indexOf(name, 0); i >= 0; i = headers.indexOf(name, i + 1))
            {
                last = i;
            }
            return last;
        }

        private static boolean endsWithChunked(final FlyweightHeaders headers, final int entry)
        {
            int end = headers.valueLength(entry);
            while (end > 0 && (headers.valueCharAt(entry, end - 1) == ' ' || headers.valueCharAt(entry, end - 1) == '\t'))
            {
                end--;
            }
            final CharSequence chunked = HttpHeaderValues.CHUNKED;
            final int start = end - chunked.length();
            if (start < 0)
            {
                return false;
            }
            for (int i = 0; i < chunked.length(); i++)
            {
                int c = headers.valueCharAt(entry, start + i);
                c = c >= 'A' && c <= 'Z' ? c + 32 : c;
                if (c != chunked.charAt(i))
                {
                    return false;
                }
            }
            for (int i = start - 1; i >= 0; i--)
            {
                final int c = headers.valueCharAt(entry, i);
                if (c == ',')
                {
                    return true;
                }
                if (c != ' ' && c != '\t')
                {
                    return false;
                }
            }
            return true;
        }

        @Override
        Object failedHead(final Http1DecoderException cause)
        {
            final Http1Response response = Http1Response.newInstance();
            response.init(HttpResponseStatus.BAD_GATEWAY, HttpVersion.HTTP_1_0);
            response.setDecoderResult(DecoderResult.failure(cause));
            return response;
        }
    }

    /** The request half. */
    static final class RequestEncoder extends Http1Encoder
    {
        private final HeadRequestQueue heads;

        RequestEncoder(final HeadRequestQueue heads)
        {
            this.heads = heads;
        }

        @Override
        void encodeStartLine(final ByteBuf out, final HttpMessage message)
        {
            final HttpRequest request = (HttpRequest)message;
            FlyweightHeaders.writeText(out, request.method().asciiName());
            out.writeByte(' ');
            if (request instanceof Http1Request flyweight && flyweight.targetIsBytes())
            {
                out.writeBytes(flyweight.headers().bytes(), flyweight.targetOffset(), flyweight.targetLength());
            }
            else
            {
                final String uri = request.uri();
                out.writeCharSequence(uri.isEmpty() ? "/" : uri, StandardCharsets.ISO_8859_1);
            }
            out.writeBytes(request.protocolVersion() == HttpVersion.HTTP_1_0 ? SP_HTTP_1_0 : SP_HTTP_1_1);
        }

        @Override
        boolean bodyAlwaysEmpty(final HttpMessage message)
        {
            return false;
        }

        @Override
        void afterHead(final HttpMessage message)
        {
            heads.add(((HttpRequest)message).method() == HttpMethod.HEAD);
        }
    }
}
