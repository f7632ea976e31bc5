package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;

/**
 * Where the stages after the TLS handshake find the peer's identity: the SPIFFE id of its validated X.509-SVID,
 * extracted once per connection.
 */
public final class PeerIdentity
{
    /** The peer's SPIFFE id on a mesh connection; absent on plain-text and external connections. */
    public static final AttributeKey<SpiffeId> SPIFFE_ID = AttributeKey.valueOf(PeerIdentity.class, "spiffeId");

    /**
     * The request header that tells the workload who called it: the verified SPIFFE id of the mesh peer. Set only
     * from the TLS handshake; a value a client sends is removed.
     */
    public static final String PEER_ID_HEADER = "x-mecmesh-peer-id";

    /**
     * @param channel a connection, or an HTTP/2 stream (whose connection is its parent).
     * @return the peer's SPIFFE id, {@code null} when the connection has none; creates no attribute.
     */
    public static SpiffeId of(final Channel channel)
    {
        final Channel connection = channel instanceof Http2StreamChannel ? channel.parent() : channel;
        return connection.hasAttr(SPIFFE_ID) ? connection.attr(SPIFFE_ID).get() : null;
    }

    private PeerIdentity()
    {
    }
}
