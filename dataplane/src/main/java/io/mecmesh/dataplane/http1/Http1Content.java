package io.mecmesh.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.Recycler;

/**
 * A body part that is not the last, decoded by {@link Http1ServerCodec} or {@link Http1ClientCodec}: a pooled wrapper over a retained slice of
 * the read buffer (never a copy). Pooled as {@link PooledContent} describes. {@code copy},
 * {@code duplicate}, {@code retainedDuplicate} and {@code replace} return Netty's own (unpooled) holders.
 * Confined to its event loop.
 */
public final class Http1Content extends PooledContent<Http1Content> implements HttpContent
{
    private static final Recycler<Http1Content> POOL = new Recycler<>()
    {
        @Override
        protected Http1Content newObject(final Handle<Http1Content> handle)
        {
            return new Http1Content(handle);
        }
    };

    private Http1Content(final Recycler.Handle<Http1Content> handle)
    {
        super(handle);
    }

    /**
     * @param content the part's bytes, owned by the holder from here on.
     * @return a holder from this thread's pool.
     */
    public static Http1Content newInstance(final ByteBuf content)
    {
        return POOL.get().hold(content);
    }

    @Override
    Http1Content self()
    {
        return this;
    }

    @Override
    public HttpContent copy()
    {
        return replace(content().copy());
    }

    @Override
    public HttpContent duplicate()
    {
        return replace(content().duplicate());
    }

    @Override
    public HttpContent retainedDuplicate()
    {
        return replace(content().retainedDuplicate());
    }

    @Override
    public HttpContent replace(final ByteBuf replacement)
    {
        return new DefaultHttpContent(replacement);
    }
}
