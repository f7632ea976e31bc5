package io.mecmesh.dataplane.listener;

import io.netty.handler.codec.http2.Http2Error;
import org.agrona.collections.IntHashSet;

/**
 * What one HTTP/2 client did with the streams it opened, from the frame headers it sent: which streams it still
 * has open (it has not ended them with END_STREAM nor reset them), the highest stream id it used, and the ids it
 * skipped. Enough to answer, before Netty's codec does, the frames a client may not send (RFC 9113 §5.1, §5.1.1):
 * HEADERS or DATA on a stream it ended is a connection error STREAM_CLOSED (Netty resets the stream, or sends
 * nothing for a half-closed one); HEADERS opening a stream with an id lower than one it used is a connection error
 * PROTOCOL_ERROR (Netty resets the stream). A stream that the server reset while the client still had it open
 * stays open here, so that the client's DATA frames already in flight are ignored by the codec as the RFC asks.
 * <p>
 * Bounded: at most {@link #MAX_OPEN} open streams are remembered (beyond, the lowest ids are forgotten and count as
 * ended: a late frame on one closes the connection, which RFC 9113 §5.4.1 allows for any stream error), and at most
 * {@link #MAX_SKIPPED_RANGES} ranges of skipped ids (beyond, the oldest count as used: STREAM_CLOSED rather than
 * PROTOCOL_ERROR). Confined to its connection's event loop.
 */
final class ClientStreams
{
    static final int MAX_OPEN = 1024;
    static final int MAX_SKIPPED_RANGES = 8;

    private final IntHashSet open = new IntHashSet();
    private final int[] skippedFrom = new int[MAX_SKIPPED_RANGES];
    private final int[] skippedTo = new int[MAX_SKIPPED_RANGES];
    private int skippedRanges;
    private int highestId;

    /**
     * @param streamId  the frame's stream.
     * @param endStream whether it carries END_STREAM.
     * @return {@code null} when the client may send it, else the connection error it is.
     */
    Http2Error onHeaders(final int streamId, final boolean endStream)
    {
        if (!isClientStream(streamId))
        {
            return null;
        }
        if (streamId > highestId)
        {
            if (streamId > highestId + 2)
            {
                addSkipped(highestId + 2, streamId - 2);
            }
            highestId = streamId;
            if (!endStream)
            {
                addOpen(streamId);
            }
            return null;
        }
        return onFrameOfExistingId(streamId, endStream);
    }

    /**
     * @param streamId  the frame's stream.
     * @param endStream whether it carries END_STREAM.
     * @return {@code null} when the client may send it, else the connection error it is.
     */
    Http2Error onData(final int streamId, final boolean endStream)
    {
        if (!isClientStream(streamId) || streamId > highestId)
        {
            return null;
        }
        return onFrameOfExistingId(streamId, endStream);
    }

    /**
     * @param streamId the stream the client reset.
     */
    void onReset(final int streamId)
    {
        open.remove(streamId);
    }

    private Http2Error onFrameOfExistingId(final int streamId, final boolean endStream)
    {
        if (open.contains(streamId))
        {
            if (endStream)
            {
                open.remove(streamId);
            }
            return null;
        }
        return isSkipped(streamId) ? Http2Error.PROTOCOL_ERROR : Http2Error.STREAM_CLOSED;
    }

    private static boolean isClientStream(final int streamId)
    {
        return (streamId & 1) == 1;
    }

    private void addOpen(final int streamId)
    {
        if (open.size() >= MAX_OPEN)
        {
            int lowest = Integer.MAX_VALUE;
            final IntHashSet.IntIterator ids = open.iterator();
            while (ids.hasNext())
            {
                lowest = Math.min(lowest, ids.nextValue());
            }
            open.remove(lowest);
        }
        open.add(streamId);
    }

    private void addSkipped(final int from, final int to)
    {
        if (skippedRanges == MAX_SKIPPED_RANGES)
        {
            System.arraycopy(skippedFrom, 1, skippedFrom, 0, MAX_SKIPPED_RANGES - 1);
            System.arraycopy(skippedTo, 1, skippedTo, 0, MAX_SKIPPED_RANGES - 1);
            skippedRanges--;
        }
        skippedFrom[skippedRanges] = from;
        skippedTo[skippedRanges] = to;
        skippedRanges++;
    }

    private boolean isSkipped(final int streamId)
    {
        for (int i = 0; i < skippedRanges; i++)
        {
            if (streamId >= skippedFrom[i] && streamId <= skippedTo[i])
            {
                return true;
            }
        }
        return false;
    }
}
