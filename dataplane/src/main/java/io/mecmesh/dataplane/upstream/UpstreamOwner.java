package io.mecmesh.dataplane.upstream;

import io.netty.channel.Channel;

/**
 * The exchange that leases an upstream channel: its {@link UpstreamHandler} hands it everything the upstream
 * sends. Called on the channel's event loop only.
 */
interface UpstreamOwner
{
    /**
     * @param msg an HTTP object from the upstream, owned by the callee.
     */
    void onUpstreamRead(Object msg);

    /** The upstream's read burst is over. */
    void onUpstreamReadComplete();

    /**
     * @param writable whether the upstream channel is writable now.
     */
    void onUpstreamWritabilityChanged(boolean writable);

    /**
     * @param channel the leased channel, which closed.
     */
    void onUpstreamInactive(Channel channel);
}
