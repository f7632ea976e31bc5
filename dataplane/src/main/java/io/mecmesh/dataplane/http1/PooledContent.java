package io.mecmesh.dataplane.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.Recycler;

import static java.util.Objects.requireNonNull;

/**
 * What the two pooled body-part holders ({@link Http1Content}, {@link Http1LastContent}) share: a wrapper over a
 * retained slice of the read buffer (never a copy) that goes back to its pool when its content's reference count
 * reaches 0 through {@link #release()}, or when an encoder takes the content ({@link #takeContent()}). The
 * reference count is the content's. Confined to its event loop.
 *
 * @param <T> the holder's own type, which reference-count methods return.
 */
public abstract class PooledContent<T extends PooledContent<T>> implements HttpContent
{
    private final Recycler.Handle<T> handle;
    private ByteBuf content;

    PooledContent(final Recycler.Handle<T> handle)
    {
        this.handle = handle;
    }

    /**
     * @return this holder, as its own type.
     */
    abstract T self();

    final T hold(final ByteBuf bytes)
    {
        content = requireNonNull(bytes, "bytes");
        return self();
    }

    /**
     * Takes the content out (the caller owns it from here on) and gives the holder back to its pool.
     *
     * @return the content.
     */
    public final ByteBuf takeContent()
    {
        final ByteBuf taken = content;
        recycle();
        return taken;
    }

    private void recycle()
    {
        content = null;
        handle.recycle(self());
    }

    @Override
    public final ByteBuf content()
    {
        return content;
    }

    @Override
    public final int refCnt()
    {
        return content.refCnt();
    }

    @Override
    public final T retain()
    {
        content.retain();
        return self();
    }

    @Override
    public final T retain(final int increment)
    {
        content.retain(increment);
        return self();
    }

    @Override
    public final T touch()
    {
        content.touch();
        return self();
    }

    @Override
    public final T touch(final Object hint)
    {
        content.touch(hint);
        return self();
    }

    @Override
    public final boolean release()
    {
        final boolean freed = content.release();
        if (freed)
        {
            recycle();
        }
        return freed;
    }

    @Override
    public final boolean release(final int decrement)
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
    public final DecoderResult getDecoderResult()
    {
        return decoderResult();
    }

    @Override
    public final DecoderResult decoderResult()
    {
        return DecoderResult.SUCCESS;
    }

    @Override
    public final void setDecoderResult(final DecoderResult result)
    {
        throw new UnsupportedOperationException("a decoded body part always succeeded");
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + '(' + content + ')';
    }
}
