package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.Framing;
import io.mecmesh.dataplane.http.HeadViolation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The downstream HTTP/1.1 codec, in place of Netty's {@code HttpServerCodec}: bytes to pooled {@link Http1Request}
 * heads and {@link Http1Content} / {@link Http1LastContent} body parts; responses (any {@code HttpResponse} and
 * {@code HttpContent}) to bytes.
 *
 * <p>Decoding rules (what fails becomes a failed {@code Http1Request} carrying an {@link Http1DecoderException},
 * after which nothing more is read): lines ended by CRLF; request line {@code method SP request-target SP HTTP/x.y}
 * within {@link HttpDecoderConfig#getMaxInitialLineLength()} (else {@link HeadViolation#LINE_TOO_LONG}); header
 * section within {@link HttpDecoderConfig#getMaxHeaderSize()}; token names without whitespace before the colon,
 * values without control characters, obs-fold joined with one space; framing (RFC 9112 §6): Transfer-Encoding only
 * on HTTP/1.1, only with no Content-Length, exactly one {@code chunked} (normalized to that spelling);
 * Content-Length once, 1 to 18 digits (leading zeros normalized away); chunk sizes of at most 8 hex digits,
 * chunk extensions without control characters, chunk data ended by CRLF, trailer fields valid (Content-Length,
 * Transfer-Encoding and Trailer dropped from them). Body parts are retained slices of the read buffer of at most
 * {@link HttpDecoderConfig#getMaxChunkSize()} bytes.
 *
 * <p>Encoding: a response to a HEAD request, a 1xx, 204 or 304 has no body; {@link Http1Response} heads go back
 * to their pool right after they are encoded. One instance per connection, confined to its event loop.
 */
public final class Http1ServerCodec extends CombinedChannelDuplexHandler<Http1ServerCodec.RequestDecoder,
    Http1ServerCodec.ResponseEncoder>
{
    private static final byte[] HTTP_1_1 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_0 = "HTTP/1.0 ".getBytes(StandardCharsets.US_ASCII);

    /**
     * @param config the limits (initial line, header section, body part size); strict line parsing always.
     */
    public Http1ServerCodec(final HttpDecoderConfig config)
    {
        requireNonNull(config, "config");
        final HeadRequestQueue heads = new HeadRequestQueue();
        init(new RequestDecoder(config, heads), new ResponseEncoder(heads));
    }

    /** The request half. */
    static final class RequestDecoder extends Http1Decoder
    {
        private final HeadRequestQueue heads;

        RequestDecoder(final HttpDecoderConfig config, final HeadRequestQueue heads)
        {
            super(config.getMaxInitialLineLength(), config.getMaxHeaderSize(), config.getMaxChunkSize(), true);
            this.heads = heads;
        }

        @Override
        Object newHead()
        {
            return Http1Request.newInstance();
        }

        @Override
        FlyweightHeaders headersOf(final Object message)
        {
            return ((Http1Request)message).headers();
        }

        @Override
        void recycleFailed(final Object message)
        {
            ((Http1Request)message).recycle();
        }

        @Override
        Http1DecoderException startLine(final Object message, final byte[] bytes, final int lineEnd)
        {
            final int methodEnd = indexOf(bytes, 0, lineEnd, ' ');
            if (methodEnd <= 0 || !isToken(bytes, 0, methodEnd))
            {
                return new Http1DecoderException(HeadViolation.INVALID_REQUEST_LINE, "invalid request line: Method");
            }
            final int targetEnd = indexOf(bytes, methodEnd + 1, lineEnd, ' ');
            if (targetEnd < 0 || targetEnd == methodEnd + 1)
            {
                return new Http1DecoderException(HeadViolation.INVALID_REQUEST_LINE,
                    "invalid request line: no request-target or version (HTTP/0.9)");
            }
            final HttpVersion version = version(bytes, targetEnd + 1, lineEnd);
            if (version == null)
            {
                return new Http1DecoderException(HeadViolation.INVALID_REQUEST_LINE,
                    "invalid request line: version");
            }
            ((Http1Request)message).init(method(bytes, methodEnd), version, methodEnd + 1, targetEnd - methodEnd - 1);
            return null;
        }

        @Override
        int framing(final Object message, final List<Object> out)
        {
            final Http1Request request = (Http1Request)message;
            heads.add(request.method() == HttpMethod.HEAD);
            final Framing framing = Framing.check(request, Long.MAX_VALUE);
            switch (framing)
            {
                case CHUNKED:
                    return CHUNKED;
                case FIXED:
                    contentLength = request.headers().contentLength();
                    return FIXED;
                case NONE:
                    contentLength = 0;
                    return NONE;
                default:
                    return reject(request, framing.violation(), message(framing), out);
            }
        }

        private static String message(final Framing framing)
        {
            switch (framing)
            {
                case CONTENT_LENGTH_WITH_TRANSFER_ENCODING:
                    return "both Content-Length and Transfer-Encoding";
                case INVALID_TRANSFER_ENCODING:
                    return "Transfer-Encoding must be exactly chunked, on HTTP/1.1";
                default:
                    return "invalid Content-Length";
            }
        }

        private int reject(final Http1Request request, final HeadViolation violation, final String message,
            final List<Object> out)
        {
            request.setDecoderResult(DecoderResult.failure(new Http1DecoderException(violation, message)));
            out.add(request);
            failed();
            return -1;
        }

        @Override
        Object failedHead(final Http1DecoderException cause)
        {
            final Http1Request request = Http1Request.newInstance();
            request.init(HttpMethod.GET, HttpVersion.HTTP_1_0, 0, 0);
            request.setUri("/bad-request");
            request.setDecoderResult(DecoderResult.failure(cause));
            heads.add(false);
            return request;
        }

        private static HttpMethod method(final byte[] bytes, final int length)
        {
            switch (length)
            {
                case 3 ->
                {
                    if (is(bytes, "GET"))
                    {
                        return HttpMethod.GET;
                    }
                    if (is(bytes, "PUT"))
                    {
                        return HttpMethod.PUT;
                    }
                }
                case 4 ->
                {
                    if (is(bytes, "POST"))
                    {
                        return HttpMethod.POST;
                    }
                    if (is(bytes, "HEAD"))
                    {
                        return HttpMethod.HEAD;
                    }
                }
                case 5 ->
                {
                    if (is(bytes, "PATCH"))
                    {
                        return HttpMethod.PATCH;
                    }
                    if (is(bytes, "TRACE"))
                    {
                        return HttpMethod.TRACE;
                    }
                }
                case 6 ->
                {
                    if (is(bytes, "DELETE"))
                    {
                        return HttpMethod.DELETE;
                    }
                }
                case 7 ->
                {
                    if (is(bytes, "OPTIONS"))
                    {
                        return HttpMethod.OPTIONS;
                    }
                    if (is(bytes, "CONNECT"))
                    {
                        return HttpMethod.CONNECT;
                    }
                }
                default ->
                {
                }
            }
            return HttpMethod.valueOf(new String(bytes, 0, length, StandardCharsets.US_ASCII));
        }

        private static boolean is(final byte[] bytes, final String name)
        {
            for (int i = 0; i < name.length(); i++)
            {
                if (bytes[i] != name.charAt(i))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /** The response half. */
    static final class ResponseEncoder extends Http1Encoder
    {
        private final HeadRequestQueue heads;

        ResponseEncoder(final HeadRequestQueue heads)
        {
            this.heads = heads;
        }

        @Override
        void encodeStartLine(final ByteBuf out, final HttpMessage message)
        {
            final HttpResponse response = (HttpResponse)message;
            out.writeBytes(response.protocolVersion() == HttpVersion.HTTP_1_0 ? HTTP_1_0 : HTTP_1_1);
            FlyweightHeaders.writeText(out, response.status().codeAsText());
            out.writeByte(' ');
            out.writeCharSequence(response.status().reasonPhrase(), StandardCharsets.ISO_8859_1);
            out.writeByte('\r').writeByte('\n');
        }

        @Override
        boolean bodyAlwaysEmpty(final HttpMessage message)
        {
            final int code = ((HttpResponse)message).status().code();
            if (code < 200)
            {
                return true;
            }
            final boolean headRequest = heads.poll();
            return headRequest || code == 204 || code == 304;
        }

        @Override
        void afterHead(final HttpMessage message)
        {
            if (message instanceof Http1Response response)
            {
                response.recycle();
            }
        }
    }
}
