package io.mecmesh.dataplane.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Recycler;

import static java.util.Objects.requireNonNull;

/**
 * What the two pooled heads ({@link Http1Request}, {@link Http1Response}) share: the header fields as offsets into
 * the head's bytes ({@link FlyweightHeaders}), the version, the decoder's verdict, and the pooling with Netty's
 * {@link Recycler}.
 *
 * <p>Lifetime: valid from decoding until {@link #recycle()}. {@link #generation()} changes on every recycle, so
 * that a holder can check (in tests, with assertions on) that the head it holds is still the one it was given; the
 * accessors assert that the head was not recycled. Confined to its event loop.
 *
 * @param <T> the head's own type.
 */
public abstract class PooledHead<T extends PooledHead<T>> implements HttpMessage
{
    private final Recycler.Handle<T> handle;
    private final FlyweightHeaders headers = new FlyweightHeaders(512);
    private HttpVersion version;
    private DecoderResult result = DecoderResult.SUCCESS;
    private int generation;
    private boolean recycled;

    PooledHead(final Recycler.Handle<T> handle)
    {
        this.handle = handle;
    }

    /**
     * @return this head, as its own type.
     */
    abstract T self();

    /**
     * Forgets what the subclass holds, when the head goes back to its pool.
     */
    abstract void clearHead();

    /** A head just taken from the pool: live again. */
    final T taken()
    {
        recycled = false;
        return self();
    }

    final void initHead(final HttpVersion protocolVersion)
    {
        this.version = protocolVersion;
        this.result = DecoderResult.SUCCESS;
    }

    /** Asserts (with assertions on) that the head was not recycled. */
    final void assertLive()
    {
        assert !recycled : getClass().getSimpleName() + " used after recycle";
    }

    /**
     * Gives the head back to its pool. Nothing may use it afterwards: whoever still needs it copies it first.
     */
    public final void recycle()
    {
        assert !recycled : getClass().getSimpleName() + " recycled twice";
        recycled = true;
        generation++;
        headers.clear();
        result = DecoderResult.SUCCESS;
        clearHead();
        handle.recycle(self());
    }

    /**
     * @return a number that changes each time the head is recycled.
     */
    public final int generation()
    {
        return generation;
    }

    /**
     * @return whether the head was given back to its pool (and not yet taken again).
     */
    public final boolean isRecycled()
    {
        return recycled;
    }

    @Override
    @Deprecated
    public final HttpVersion getProtocolVersion()
    {
        return protocolVersion();
    }

    @Override
    public final HttpVersion protocolVersion()
    {
        assertLive();
        return version;
    }

    @Override
    public T setProtocolVersion(final HttpVersion protocolVersion)
    {
        this.version = requireNonNull(protocolVersion, "version");
        return self();
    }

    @Override
    public final FlyweightHeaders headers()
    {
        assertLive();
        return headers;
    }

    /** The headers without the liveness check, for the subclass's own reads of the head's bytes. */
    final FlyweightHeaders fields()
    {
        return headers;
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
        return result;
    }

    @Override
    public final void setDecoderResult(final DecoderResult decoderResult)
    {
        this.result = requireNonNull(decoderResult, "result");
    }
}
