package io.mecmesh.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.Recycler;

/**
 * The last body part (no trailer fields), decoded by {@link Http1ServerCodec} or {@link Http1ClientCodec}: a pooled wrapper over a retained slice of
 * the read buffer (never a copy). Pooled as {@link PooledContent} describes. {@code copy},
 * {@code duplicate}, {@code retainedDuplicate} and {@code replace} return Netty's own (unpooled) holders.
 * Confined to its event loop.
 */
public final class Http1LastContent extends PooledContent<Http1LastContent> implements LastHttpContent
{
    private static final Recycler<Http1LastContent> POOL = new Recycler<>()
    {
        @Override
        protected Http1LastContent newObject(final Handle<Http1LastContent> handle)
        {
            return new Http1LastContent(handle);
        }
    };

    private Http1LastContent(final Recycler.Handle<Http1LastContent> handle)
    {
        super(handle);
    }

    /**
     * @param content the part's bytes, owned by the holder from here on.
     * @return a holder from this thread's pool.
     */
    public static Http1LastContent newInstance(final ByteBuf content)
    {
        return POOL.get().hold(content);
    }

    @Override
    Http1LastContent self()
    {
        return this;
    }

    @Override
    public HttpHeaders trailingHeaders()
    {
        return EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public LastHttpContent copy()
    {
        return replace(content().copy());
    }

    @Override
    public LastHttpContent duplicate()
    {
        return replace(content().duplicate());
    }

    @Override
    public LastHttpContent retainedDuplicate()
    {
        return replace(content().retainedDuplicate());
    }

    @Override
    public LastHttpContent replace(final ByteBuf replacement)
    {
        return new DefaultLastHttpContent(replacement);
    }
}
