package io.mecmesh.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.Recycler;

/**
 * The last body part (no trailer fields), decoded by {@link Http1ServerCodec} or {@link Http1ClientCodec}: a pooled wrapper over a retained slice of
 * the read buffer (never a copy). It goes back to its pool when its content's reference count reaches 0 through
 * {@link #release()}, or when an encoder takes the content ({@link #takeContent()}). {@code copy},
 * {@code duplicate}, {@code retainedDuplicate} and {@code replace} return Netty's own (unpooled) holders.
 * Confined to its event loop.
 */
public final class Http1LastContent implements LastHttpContent
{
    private static final Recycler<Http1LastContent> POOL = new Recycler<>()
    {
        @Override
        protected Http1LastContent newObject(final Handle<Http1LastContent> handle)
        {
            return new Http1LastContent(handle);
        }
    };

    private final Recycler.Handle<Http1LastContent> handle;
    private ByteBuf content;

    private Http1LastContent(final Recycler.Handle<Http1LastContent> handle)
    {
        this.handle = handle;
    }

    /**
     * @param content the part's bytes, owned by the holder from here on.
     * @return a holder from this thread's pool.
     */
    public static Http1LastContent newInstance(final ByteBuf content)
    {
        final Http1LastContent holder = POOL.get();
        holder.content = content;
        return holder;
    }

    /**
     * Takes the content out (the caller owns it from here on) and gives the holder back to its pool.
     *
     * @return the content.
     */
    public ByteBuf takeContent()
    {
        final ByteBuf taken = content;
        recycle();
        return taken;
    }

    private void recycle()
    {
        content = null;
        handle.recycle(this);
    }

    @Override
    public ByteBuf content()
    {
        return content;
    }

    @Override
    public HttpHeaders trailingHeaders()
    {
        return EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public LastHttpContent copy()
    {
        return replace(content.copy());
    }

    @Override
    public LastHttpContent duplicate()
    {
        return replace(content.duplicate());
    }

    @Override
    public LastHttpContent retainedDuplicate()
    {
        return replace(content.retainedDuplicate());
    }

    @Override
    public LastHttpContent replace(final ByteBuf replacement)
    {
        return new DefaultLastHttpContent(replacement);
    }

    @Override
    public int refCnt()
    {
        return content.refCnt();
    }

    @Override
    public LastHttpContent retain()
    {
        content.retain();
        return this;
    }

    @Override
    public LastHttpContent retain(final int increment)
    {
        content.retain(increment);
        return this;
    }

    @Override
    public LastHttpContent touch()
    {
        content.touch();
        return this;
    }

    @Override
    public LastHttpContent touch(final Object hint)
    {
        content.touch(hint);
        return this;
    }

    @Override
    public boolean release()
    {
        final boolean freed = content.release();
        if (freed)
        {
            recycle();
        }
        return freed;
    }

    @Override
    public boolean release(final int decrement)
    {
        final boolean freed = content.release(decrement);
        if (freed)
        {
            recycle();
        }
        return freed;
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
        return DecoderResult.SUCCESS;
    }

    @Override
    public void setDecoderResult(final DecoderResult result)
    {
        throw new UnsupportedOperationException("a decoded body part always succeeded");
    }

    @Override
    public String toString()
    {
        return "Http1LastContent(" + content + ')';
    }
}
