package io.mecmesh.dataplane.http2;

import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyHeaderFields;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import static java.util.Objects.requireNonNull;

/**
 * The head of an HTTP/2 stream's request as the stages read it: both the {@link HttpRequest} the forward stage
 * encodes and the {@link RequestHead} view the other stages read, built by {@link Http2StreamCodec} from the
 * HPACK-decoded header block without the HTTP/1 round trip of Netty's conversion (no {@code x-http2-*} fields, no
 * full request to split). The request-target stays the decoded {@code :path} ({@code :authority} for CONNECT);
 * {@link #uri()} makes a {@code String} of it only when asked (the HTTP/1.1 upstream encoder). Version HTTP/1.1,
 * the version it is forwarded with. Confined to its stream's event loop.
 */
public final class Http2Request implements HttpRequest, RequestHead
{
    private final NettyHeaderFields fields = new NettyHeaderFields();
    private HttpMethod method;
    private CharSequence target;
    private String uri;
    private HttpVersion version = HttpVersion.HTTP_1_1;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    /**
     * @param method  the request's method.
     * @param target  its request-target.
     * @param headers its header fields (translated from HTTP/2's, without the pseudo-header fields but Host).
     */
    Http2Request(final HttpMethod method, final CharSequence target, final HttpHeaders headers)
    {
        this.method = requireNonNull(method, "method");
        this.target = requireNonNull(target, "target");
        fields.wrap(requireNonNull(headers, "headers"));
    }

    @Override
    public HttpMethod method()
    {
        return method;
    }

    @Override
    @Deprecated
    public HttpMethod getMethod()
    {
        return method;
    }

    @Override
    public HttpRequest setMethod(final HttpMethod method)
    {
        this.method = requireNonNull(method, "method");
        return this;
    }

    @Override
    public String uri()
    {
        if (uri == null)
        {
            uri = target.toString();
        }
        return uri;
    }

    @Override
    @Deprecated
    public String getUri()
    {
        return uri();
    }

    @Override
    public HttpRequest setUri(final String uri)
    {
        this.uri = requireNonNull(uri, "uri");
        this.target = uri;
        return this;
    }

    @Override
    public HttpVersion version()
    {
        return version;
    }

    @Override
    public HttpVersion protocolVersion()
    {
        return version;
    }

    @Override
    @Deprecated
    public HttpVersion getProtocolVersion()
    {
        return version;
    }

    @Override
    public HttpRequest setProtocolVersion(final HttpVersion version)
    {
        this.version = requireNonNull(version, "version");
        return this;
    }

    /**
     * @return the header fields, to change them: the {@link #headerFields()} view reads them again afterwards.
     */
    @Override
    public HttpHeaders headers()
    {
        return fields.headers();
    }

    @Override
    public DecoderResult decoderResult()
    {
        return decoderResult;
    }

    @Override
    @Deprecated
    public DecoderResult getDecoderResult()
    {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(final DecoderResult result)
    {
        this.decoderResult = requireNonNull(result, "result");
    }

    @Override
    public TextFlyweight target(final TextFlyweight view)
    {
        return view.wrap(target);
    }

    @Override
    public int pathLength()
    {
        return RequestHead.pathLength(target);
    }

    @Override
    public HeaderFields headerFields()
    {
        return fields;
    }

    @Override
    public void recycle()
    {
        // Not pooled: one per stream.
    }

    @Override
    public String toString()
    {
        return method + " " + target + " (HTTP/2 stream)";
    }
}
