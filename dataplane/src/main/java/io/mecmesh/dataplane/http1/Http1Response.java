package io.mecmesh.dataplane.http1;

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
public final class Http1Response extends PooledHead<Http1Response> implements HttpResponse
{
    private static final Recycler<Http1Response> POOL = new Recycler<>()
    {
        @Override
        protected Http1Response newObject(final Handle<Http1Response> handle)
        {
            return new Http1Response(handle);
        }
    };

    private HttpResponseStatus status;

    private Http1Response(final Recycler.Handle<Http1Response> handle)
    {
        super(handle);
    }

    /**
     * @return a response head from this thread's pool, empty.
     */
    public static Http1Response newInstance()
    {
        return POOL.get().taken();
    }

    void init(final HttpResponseStatus status, final HttpVersion version)
    {
        initHead(version);
        this.status = status;
    }

    @Override
    Http1Response self()
    {
        return this;
    }

    @Override
    void clearHead()
    {
        status = null;
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
        assertLive();
        return status;
    }

    @Override
    public HttpResponse setStatus(final HttpResponseStatus status)
    {
        this.status = requireNonNull(status, "status");
        return this;
    }

    @Override
    public String toString()
    {
        return "Http1Response(" + (isRecycled() ? "recycled" : protocolVersion() + " " + status + ", " + fields().size()
            + " headers") + ')';
    }
}
