package io.mecmesh.dataplane.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Recycler;

import static java.util.Objects.requireNonNull;

/**
 * A response head decoded by {@link Http1ClientCodec}: status and version from constants (a non-standard reason
 * phrase allocates), the header fields as offsets into the head's bytes ({@link FlyweightHeaders}). Pooled with
 * Netty's {@link Recycler}; the downstream encoder ({@link Http1ServerCodec}) recycles it right after encoding
 * it, so nothing may use a response head after writing it. One that is never written is garbage, not a leak.
 * Confined to its event loop.
 */
public final class Http1Response implements HttpResponse
{
    private static final Recycler<Http1Response> POOL = new Recycler<>()
    {
        @Override
        protected Http1Response newObject(final Handle<Http1Response> handle)
        {
            return new Http1Response(handle);
        }
    };

    private final Recycler.Handle<Http1Response> handle;
    private final FlyweightHeaders headers = new FlyweightHeaders(512);
    private HttpResponseStatus status;
    private HttpVersion version;
    private DecoderResult result = DecoderResult.SUCCESS;
    private int generation;
    private boolean recycled;

    private Http1Response(final Recycler.Handle<Http1Response> handle)
    {
        this.handle = handle;
    }

    /**
     * @return a response head from this thread's pool, empty.
     */
    public static Http1Response newInstance()
    {
        final Http1Response response = POOL.get();
        response.recycled = false;
        return response;
    }

    void init(final HttpResponseStatus status, final HttpVersion version)
    {
        this.status = status;
        this.version = version;
        this.result = DecoderResult.SUCCESS;
    }

    /**
     * Gives the head back to its pool; nothing may use it afterwards.
     */
    public void recycle()
    {
        assert !recycled : "response head recycled twice";
        recycled = true;
        generation++;
        headers.clear();
        status = null;
        result = DecoderResult.SUCCESS;
        handle.recycle(this);
    }

    /**
     * @return a number that changes each time the head is recycled.
     */
    public int generation()
    {
        return generation;
    }

    @Override
    @Deprecated
    public HttpResponseStatus getStatus()
    {
        return status();
    }

    @Override
    public HttpResponseStatus status()
    {
        assert !recycled : "response head used after recycle";
        return status;
    }

    @Override
    public HttpResponse setStatus(final HttpResponseStatus status)
    {
        this.status = requireNonNull(status, "status");
        return this;
    }

    @Override
    @Deprecated
    public HttpVersion getProtocolVersion()
    {
        return protocolVersion();
    }

    @Override
    public HttpVersion protocolVersion()
    {
        assert !recycled : "response head used after recycle";
        return version;
    }

    @Override
    public HttpResponse setProtocolVersion(final HttpVersion version)
    {
        this.version = requireNonNull(version, "version");
        return this;
    }

    @Override
    public FlyweightHeaders headers()
    {
        assert !recycled : "response head used after recycle";
        return headers;
    }

    @Override
    @Deprecated
    public DecoderResult getDecoderResult()
    {
        return decoderResult();
    }

    @Override
    public DecoderResult decoderResult()
    {
        return result;
    }

    @Override
    public void setDecoderResult(final DecoderResult result)
    {
        this.result = requireNonNull(result, "result");
    }

    @Override
    public String toString()
    {
        return "Http1Response(" + version + ' ' + status + ", " + headers.size() + " headers)";
    }
}
