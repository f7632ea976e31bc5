package io.mecmesh.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;

import java.util.ArrayList;
import java.util.List;

/**
 * The request body parts sent so far, kept so that a retry (or a GOAWAY resend, or a mirror copy) can send the
 * request again: retained duplicates of the parts forwarded, up to the route's replay limit. Over the limit the
 * request is no longer replayable and the parts are released at once. A bodiless request is always replayable.
 *
 * <p>Ownership: holds one reference to each part kept; {@link #release()} gives them back (when the response starts,
 * the exchange ends or the connection closes). One per downstream connection, reused per request, confined to its
 * event loop.
 */
final class ReplayBuffer
{
    private static final List<HttpContent> NONE = List.of();

    /** Allocated with the first body part kept (an HTTP/2 stream without a body never pays for it). */
    private List<HttpContent> parts = NONE;
    private int bytes;
    private int maxBytes;
    private boolean bodyless;
    private boolean replayable;

    /**
     * Starts a new request.
     *
     * @param bodyless whether the request has no body.
     * @param maxBytes the route's limit of body bytes kept, 0 to keep none.
     */
    void reset(final boolean bodyless, final int maxBytes)
    {
        this.bodyless = bodyless;
        this.maxBytes = maxBytes;
        this.bytes = 0;
        this.replayable = bodyless || maxBytes > 0;
    }

    /**
     * @return true while everything of the request sent so far can be sent again.
     */
    boolean replayable()
    {
        return replayable;
    }

    /**
     * Keeps a retained duplicate of a body part about to be forwarded (the caller still owns {@code content}).
     *
     * @param content the part.
     */
    void keep(final HttpContent content)
    {
        if (bodyless || !replayable)
        {
            return;
        }
        bytes += content.content().readableBytes();
        if (bytes > maxBytes)
        {
            replayable = false;
            release();
            return;
        }
        if (parts == NONE)
        {
            parts = new ArrayList<>(4);
        }
        parts.add(content.retainedDuplicate());
    }

    /**
     * Writes a retained duplicate of every part kept to a new attempt's connection (not flushed).
     *
     * @param upstream the attempt's connection.
     * @return true when a part was written.
     */
    boolean writeTo(final Channel upstream)
    {
        for (int i = 0; i < parts.size(); i++)
        {
            upstream.write(parts.get(i).retainedDuplicate(), upstream.voidPromise());
        }
        return !parts.isEmpty();
    }

    /**
     * @return the parts kept, still owned here (a mirror copy duplicates them).
     */
    List<HttpContent> parts()
    {
        return parts;
    }

    /**
     * Releases every part kept; the request may still be replayable (nothing more will be sent).
     */
    void release()
    {
        if (parts.isEmpty())
        {
            return;
        }
        for (int i = 0; i < parts.size(); i++)
        {
            parts.get(i).release();
        }
        parts.clear();
    }
}
