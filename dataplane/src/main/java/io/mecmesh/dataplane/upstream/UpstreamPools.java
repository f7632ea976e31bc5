package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One {@link UpstreamPool} per event loop of a group, built at start; immutable after that.
 */
public final class UpstreamPools
{
    private final Map<EventExecutor, UpstreamPool> pools = new IdentityHashMap<>();

    public UpstreamPools(final EventLoopGroup group, final Transport transport, final DataPlaneCounters counters)
    {
        for (final EventExecutor executor : group)
        {
            pools.put(executor, new UpstreamPool((EventLoop)executor, transport, counters));
        }
    }

    /**
     * @param eventLoop an event loop of the group this was built for.
     * @return that event loop's pool.
     */
    public UpstreamPool forLoop(final EventLoop eventLoop)
    {
        final UpstreamPool pool = pools.get(eventLoop);
        if (pool == null)
        {
            throw new IllegalStateException("event loop " + eventLoop + " is not in this data plane's group");
        }
        return pool;
    }
}
