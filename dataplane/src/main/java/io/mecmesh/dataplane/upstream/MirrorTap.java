package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.route.Route;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Decides when a request its route mirrors ({@link Route#pickMirror()}) is copied to the mirror cluster by a
 * {@link MirrorExchange}: at once for a request without a body; once its whole body is in the {@link ReplayBuffer}
 * for one with a body (only when the route keeps bodies for retries); never otherwise. The copy never affects the
 * exchange. One per downstream connection, confined to its event loop.
 */
final class MirrorTap
{
    private final UpstreamPool pool;
    private final DataPlaneCounters counters;
    private Cluster cluster;
    private long timeoutMs;

    MirrorTap(final UpstreamPool pool, final DataPlaneCounters counters)
    {
        this.pool = pool;
        this.counters = counters;
    }

    /**
     * @param route     the request's route.
     * @param request   its head (before anything is sent upstream).
     * @param bodyless  whether it has no body.
     * @param buffered  whether its body is kept for replay (retries and a replay limit).
     * @param timeoutMs the request's timeout, 0 for none.
     */
    void onHead(final Route route, final HttpRequest request, final boolean bodyless, final boolean buffered,
        final long timeoutMs)
    {
        cluster = null;
        final Cluster mirror = route.pickMirror();
        if (mirror == null)
        {
            return;
        }
        if (bodyless)
        {
            MirrorExchange.start(pool, mirror, counters, request, null, timeoutMs);
        }
        else if (buffered)
        {
            cluster = mirror;
            this.timeoutMs = timeoutMs;
        }
    }

    /**
     * The request's last part arrived: copies it when its whole body is still in the replay buffer.
     */
    void onBodyComplete(final HttpRequest request, final ReplayBuffer replay)
    {
        if (cluster != null && replay.replayable() && !replay.parts().isEmpty())
        {
            MirrorExchange.start(pool, cluster, counters, request, replay.parts(), timeoutMs);
        }
        cluster = null;
    }
}
