package io.mecmesh.dataplane.http1;

/**
 * The requests of one connection whose responses are still to come, oldest first, as one bit each: whether it was
 * a {@code HEAD} (whose response has no body whatever its framing headers say). A growable ring of booleans: grows
 * only when more requests are outstanding than ever before on the connection. Confined to its event loop.
 */
final class HeadRequestQueue
{
    private boolean[] ring = new boolean[8];
    private int head;
    private int size;

    void add(final boolean headRequest)
    {
        if (size == ring.length)
        {
            final boolean[] grown = new boolean[ring.length * 2];
            for (int i = 0; i < size; i++)
            {
                grown[i] = ring[(head + i) % ring.length];
            }
            ring = grown;
            head = 0;
        }
        ring[(head + size) % ring.length] = headRequest;
        size++;
    }

    /**
     * @return whether the oldest outstanding request was a HEAD (false when none is outstanding); it is no longer
     * outstanding.
     */
    boolean poll()
    {
        if (size == 0)
        {
            return false;
        }
        final boolean headRequest = ring[head];
        head = (head + 1) % ring.length;
        size--;
        return headRequest;
    }
}
