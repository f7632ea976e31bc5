package io.mecmesh.dataplane.stage.classify;

import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Snapshot;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import static java.util.Objects.requireNonNull;

/**
 * The classify stage: begins the channel's {@link Exchange} at each request head with the current {@link Snapshot}
 * (the request's only read of it: the later stages take the routes and the policy table from the exchange), puts
 * the request into a slice with that snapshot's {@link Classifier} and records it in the exchange, counting it in
 * its slice's {@link SliceStats}. When no rule matches, the request gets the configured default slice (slice 0,
 * unclassified, when there is none) and the exchange moves it into its route's slice if the route belongs to one
 * (precedence: explicit rule, route's slice, default slice, unclassified; see {@code ClassificationConfig}).
 *
 * <p>The connection-level criteria (the listener, the source address and port, the destination (local) address
 * and port, the caller's SPIFFE id from the mTLS handshake) are resolved once per connection and configuration
 * version and kept on the connection (the parent connection of an HTTP/2 stream), so that a request only tests header
 * criteria; classifying a request allocates nothing.
 *
 * <p>Forwards every message unchanged (ownership passes on). One instance per channel (HTTP/1.1 connection or
 * HTTP/2 stream), confined to its event loop; a stream shares its connection's event loop, so the per-connection
 * resolution is confined to it too.
 */
public final class ClassifyHandler extends ChannelInboundHandlerAdapter
{
    private static final AttributeKey<ConnectionClass> CONNECTION_CLASS =
        AttributeKey.valueOf(ClassifyHandler.class, "connectionClass");

    private final String listener;
    private final Snapshots snapshots;
    /** Adapts heads that are not the codec's (HTTP/2 streams). */
    private final NettyRequestHead nettyHead = new NettyRequestHead();
    private final Exchange exchange;

    /**
     * @param listener  the name of the listener the connections arrive on.
     * @param snapshots the current snapshot.
     * @param exchange  the channel's exchange, shared with the later stages.
     */
    public ClassifyHandler(final String listener, final Snapshots snapshots, final Exchange exchange)
    {
        this.listener = requireNonNull(listener, "listener");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.exchange = requireNonNull(exchange, "exchange");
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest request)
        {
            final Snapshot snapshot = snapshots.current();
            exchange.begin(snapshot);
            final Classifier classifier = snapshot.classifier();
            final int[] candidates = connectionClass(ctx.channel(), classifier);
            final int rule = classifier.classify(candidates, RequestHead.of(request, nettyHead).headerFields());
            final SliceStats stats = classifier.stats(rule);
            // No rule: the default slice (or unclassified), which the route's slice replaces in the route stage.
            exchange.slice(classifier.sliceId(rule), stats, rule != Classifier.NO_RULE);
            exchange.ruleRecord(classifier.policyRouteId(rule));
            stats.onRequest();
        }
        ctx.fireChannelRead(msg);
    }

    /** The connection's candidate rules under this classifier, resolved on first use. */
    private int[] connectionClass(final Channel channel, final Classifier classifier)
    {
        // The parent of an accepted connection is its server socket: only a stream's parent is its connection.
        final Channel connection = channel instanceof Http2StreamChannel ? channel.parent() : channel;
        ConnectionClass resolved = connection.attr(CONNECTION_CLASS).get();
        if (resolved == null || resolved.classifier != classifier)
        {
            final SpiffeId peer = connection.attr(PeerIdentity.SPIFFE_ID).get();
            final SocketAddress remote = connection.remoteAddress();
            final SocketAddress local = connection.localAddress();
            resolved = new ConnectionClass(classifier, classifier.candidates(listener, addressOf(remote),
                portOf(remote), addressOf(local), portOf(local), peer == null ? null : peer.toString()));
            connection.attr(CONNECTION_CLASS).set(resolved);
        }
        return resolved.candidates;
    }

    private static byte[] addressOf(final SocketAddress remote)
    {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getAddress() : null;
    }

    private static int portOf(final SocketAddress address)
    {
        return address instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** What a connection may match under one classifier. */
    private record ConnectionClass(Classifier classifier, int[] candidates)
    {
    }
}
