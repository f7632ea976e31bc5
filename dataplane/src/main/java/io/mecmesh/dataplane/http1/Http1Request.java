package io.mecmesh.dataplane.http1;

import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Recycler;

import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * A request head decoded by {@link Http1ServerCodec}: method and version from constants, the request-target and
 * the header fields as offsets into the head's bytes ({@link FlyweightHeaders}). Pooled with Netty's
 * {@link Recycler}: the decoder takes one per head, and {@link #recycle()} gives it back at one well-defined point
 * (the listener stage, once the last part of the response to it is written; see {@code Http1ListenerHandler}).
 *
 * <p>Lifetime: valid from decoding until recycled. {@link #generation()} changes on every recycle, so that a
 * holder can check (in tests, with assertions on) that the head it holds is still the one it was given; the
 * accessors assert that the head was not recycled.
 *
 * <p>{@link #uri()} allocates a {@code String} on first use (cached); the hot path reads the request-target as
 * bytes ({@link #targetLength()}, {@link #targetByteAt(int)}, {@link #pathLength()}). Confined to its event loop.
 */
public final class Http1Request extends PooledHead<Http1Request> implements HttpRequest, RequestHead
{
    private static final Recycler<Http1Request> POOL = new Recycler<>()
    {
        @Override
        protected Http1Request newObject(final Handle<Http1Request> handle)
        {
            return new Http1Request(handle);
        }
    };

    private HttpMethod method;
    private int targetOffset;
    private int targetLength;
    private String uri;

    private Http1Request(final Recycler.Handle<Http1Request> handle)
    {
        super(handle);
    }

    /**
     * @return a request head from this thread's pool, empty.
     */
    public static Http1Request newInstance()
    {
        return POOL.get().taken();
    }

    void init(final HttpMethod method, final HttpVersion version, final int targetOffset, final int targetLength)
    {
        initHead(version);
        this.method = method;
        this.targetOffset = targetOffset;
        this.targetLength = targetLength;
        this.uri = null;
    }

    @Override
    Http1Request self()
    {
        return this;
    }

    @Override
    void clearHead()
    {
        uri = null;
        method = null;
    }

    /**
     * @return the length of the request-target (or of the target set by {@link #setUri}).
     */
    public int targetLength()
    {
        assertLive();
        return uri != null ? uri.length() : targetLength;
    }

    /**
     * @param index a position in the request-target.
     * @return its byte there (0 to 255).
     */
    public int targetByteAt(final int index)
    {
        return uri != null ? uri.charAt(index) : fields().bytes()[targetOffset + index] & 0xff;
    }

    /**
     * Views the request-target (path and query) without copying it.
     *
     * @param view the view to wrap around it.
     * @return {@code view}.
     */
    @Override
    public TextFlyweight target(final TextFlyweight view)
    {
        assertLive();
        return uri != null ? view.wrap(uri) : view.wrap(fields().bytes(), targetOffset, targetLength);
    }

    /**
     * @return the length of the path part of the request-target (up to {@code ?}, excluded).
     */
    @Override
    public int pathLength()
    {
        final int length = targetLength();
        for (int i = 0; i < length; i++)
        {
            if (targetByteAt(i) == '?')
            {
                return i;
            }
        }
        return length;
    }

    @Override
    public HttpVersion version()
    {
        return protocolVersion();
    }

    @Override
    public HeaderFields headerFields()
    {
        return headers();
    }

    @Override
    @Deprecated
    public HttpMethod getMethod()
    {
        return method();
    }

    @Override
    public HttpMethod method()
    {
        assertLive();
        return method;
    }

    @Override
    public HttpRequest setMethod(final HttpMethod method)
    {
        this.method = requireNonNull(method, "method");
        return this;
    }

    @Override
    @Deprecated
    public String getUri()
    {
        return uri();
    }

    @Override
    public String uri()
    {
        assertLive();
        if (uri == null)
        {
            uri = new String(fields().bytes(), targetOffset, targetLength, StandardCharsets.ISO_8859_1);
        }
        return uri;
    }

    @Override
    public HttpRequest setUri(final String uri)
    {
        this.uri = requireNonNull(uri, "uri");
        return this;
    }

    /**
     * @return whether the request-target is still the decoded bytes (not replaced by {@link #setUri}).
     */
    boolean targetIsBytes()
    {
        return uri == null;
    }

    int targetOffset()
    {
        return targetOffset;
    }

    @Override
    public String toString()
    {
        if (isRecycled())
        {
            return "Http1Request(recycled)";
        }
        return "Http1Request(" + method + ' ' + (method == null ? "" : uri()) + ' ' + protocolVersion() + ", "
            + fields().size()
            + " headers)";
    }
}
