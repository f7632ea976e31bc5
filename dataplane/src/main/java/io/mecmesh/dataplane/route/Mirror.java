package io.mecmesh.dataplane.route;

import static java.util.Objects.requireNonNull;

/**
 * A share of a forwarding route's requests copied to another cluster, fire and forget: the copy's response is
 * discarded and its failure never touches the client's exchange. The copy carries the header
 * {@code x-mecmesh-mirror: 1} (the {@code Host} is kept, so that the shadow backend routes it as the original). A
 * request with a body is copied only when the whole body was kept for a replay (retries on, body within the retry
 * policy's {@code maxBufferedBodyBytes}, complete before the response starts); one without a body always.
 *
 * @param cluster the cluster the copies go to.
 * @param percent the share of requests copied, 0 to 100; which requests is deterministic (evenly spread: exactly
 *                {@code percent} of every 100 consecutive requests of the route).
 */
public record Mirror(String cluster, int percent)
{
    /** Request header that marks a mirrored copy. */
    public static final String HEADER = "x-mecmesh-mirror";

    public Mirror
    {
        requireNonNull(cluster, "cluster");
        if (cluster.isBlank())
        {
            throw new IllegalArgumentException("cluster: must not be empty");
        }
        if (percent < 0 || percent > 100)
        {
            throw new IllegalArgumentException("percent: expected 0 to 100, got " + percent);
        }
    }
}
