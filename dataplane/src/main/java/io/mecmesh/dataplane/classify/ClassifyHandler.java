package io.mecmesh.dataplane.classify;

import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyHeaderFields;
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
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The classify stage: puts each request into a slice with the current {@link Classifier} (read once per request)
 * and records it in the channel's {@link #REQUEST_CLASS} for the stages after this one, counting it in its slice's
 * {@link SliceStats} (slice 0 when no rule matches).
 *
 * <p>The connection-level criteria (the listener, the source address, the caller's SPIFFE id from the mTLS
 * handshake) are resolved once per connection and configuration version and kept on the connection (the parent
 * connection of an HTTP/2 stream), so that a request only tests header criteria; classifying a request allocates
 * nothing.
 *
 * <p>Forwards every message unchanged (ownership passes on). One instance per channel (HTTP/1.1 connection or
 * HTTP/2 stream), confined to its event loop; a stream shares its connection's event loop, so the per-connection
 * resolution is confined to it too.
 */
public final class ClassifyHandler extends ChannelInboundHandlerAdapter
{
    /** The slice of the request in flight on a channel. */
    public static final AttributeKey<RequestClass> REQUEST_CLASS =
        AttributeKey.valueOf(ClassifyHandler.class, "requestClass");
    private static final AttributeKey<ConnectionClass> CONNECTION_CLASS =
        AttributeKey.valueOf(ClassifyHandler.class, "connectionClass");

    private final String listener;
    private final Supplier<Classifier> classifiers;
    /** Adapts heads that are not the codec's (HTTP/2 streams). */
    private final NettyHeaderFields fields = new NettyHeaderFields();
    private final RequestClass requestClass;

    /**
     * @param listener    the name of the listener the connections arrive on.
     * @param classifiers the current classifier snapshot.
     * @param registry    per-slice statistics (for the unclassified slice before the first request).
     */
    public ClassifyHandler(final String listener, final Supplier<Classifier> classifiers,
        final SliceStatsRegistry registry)
    {
        this.listener = requireNonNull(listener, "listener");
        this.classifiers = requireNonNull(classifiers, "classifiers");
        this.requestClass = new RequestClass(requireNonNull(registry, "registry").unclassified());
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        ctx.channel().attr(REQUEST_CLASS).set(requestClass);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest request)
        {
            final Classifier classifier = classifiers.get();
            final int[] candidates = connectionClass(ctx.channel(), classifier);
            final int rule = classifier.classify(candidates, HeaderFields.of(request.headers(), fields));
            final SliceStats stats = classifier.stats(rule);
            requestClass.set(classifier.sliceId(rule), stats);
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
            resolved = new ConnectionClass(classifier, classifier.candidates(listener,
                addressOf(connection.remoteAddress()), peer == null ? null : peer.toString()));
            connection.attr(CONNECTION_CLASS).set(resolved);
        }
        return resolved.candidates;
    }

    private static byte[] addressOf(final SocketAddress remote)
    {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getAddress() : null;
    }

    /** What a connection may match under one classifier. */
    private record ConnectionClass(Classifier classifier, int[] candidates)
    {
    }
}
