package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import io.netty.handler.codec.DecoderException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Right after the {@link SslHandler}: when the handshake completes, puts the peer's SPIFFE id (its certificate was
 * validated in the handshake) in the channel's {@link PeerIdentity#SPIFFE_ID} attribute and removes itself. A
 * failed handshake is counted and closes the connection (the reason a peer's certificate was refused is counted by
 * the trust manager). Forwards every message unchanged. One instance per connection, confined
 * to its event loop.
 * <p>
 * The id is read once per connection, full or resumed handshake alike (a resumed TLS 1.3 session carries the peer
 * certificate validated in the full handshake that issued its ticket), through a {@link LeafIdCache} shared by all
 * connections: a peer that comes back with the same certificate costs a lookup, not a certificate decoding.
 */
public final class TlsIdentityHandler extends ChannelInboundHandlerAdapter
{
    private static final int SAN_URI = 6;
    /** Shared by every listener and event loop: the id is a function of the certificate's encoding alone. */
    private static final LeafIdCache LEAF_IDS = new LeafIdCache();

    private final DataPlaneCounters counters;

    public TlsIdentityHandler(final DataPlaneCounters counters)
    {
        this.counters = requireNonNull(counters, "counters");
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt)
    {
        if (evt instanceof SslHandshakeCompletionEvent handshake)
        {
            if (!handshake.isSuccess())
            {
                counters.increment(DataPlaneCounter.TLS_HANDSHAKE_FAILURES);
                if (isMissingClientCertificate(handshake.cause()))
                {
                    counters.increment(DataPlaneCounter.TLS_NO_CLIENT_CERTIFICATE);
                }
                ctx.close();
                return;
            }
            counters.increment(DataPlaneCounter.TLS_HANDSHAKES);
            final SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            try
            {
                final Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate leaf)
                {
                    final SpiffeId id = cachedSpiffeId(leaf, LEAF_IDS);
                    if (id != null)
                    {
                        ctx.channel().attr(PeerIdentity.SPIFFE_ID).set(id);
                    }
                }
            }
            catch (final SSLPeerUnverifiedException ex)
            {
                // External listener without client certificates: no identity.
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * A failed handshake is counted (with the refused peer's reason, by the trust manager) and closes the
     * connection; its exception ends here rather than being logged with a stack trace per attempt, so that a client
     * cannot flood the log.
     */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof DecoderException || cause instanceof SSLException)
        {
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private static boolean isMissingClientCertificate(final Throwable cause)
    {
        for (Throwable t = cause; t != null; t = t.getCause())
        {
            final String message = String.valueOf(t.getMessage());
            if (message.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || message.contains("CERTIFICATE_REQUIRED")
                || message.contains("Empty client certificate chain"))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The SPIFFE id of a peer's leaf certificate, from the cache when this encoding was seen before.
     *
     * @param leaf  the peer's leaf certificate.
     * @param cache the ids already read.
     * @return its SPIFFE id, or {@code null} when it has none.
     */
    static SpiffeId cachedSpiffeId(final X509Certificate leaf, final LeafIdCache cache)
    {
        final byte[] der;
        try
        {
            der = leaf.getEncoded();
        }
        catch (final CertificateEncodingException ex)
        {
            return spiffeId(leaf);
        }
        final SpiffeId cached = cache.get(der);
        if (cached != null)
        {
            return cached;
        }
        final SpiffeId id = spiffeId(leaf);
        if (id != null)
        {
            cache.put(der, id);
        }
        return id;
    }

    /**
     * @return the cache shared by all connections, for tests.
     */
    static LeafIdCache leafIds()
    {
        return LEAF_IDS;
    }

    static SpiffeId spiffeId(final X509Certificate leaf)
    {
        try
        {
            final Collection<List<?>> names = leaf.getSubjectAlternativeNames();
            if (names == null)
            {
                return null;
            }
            for (final List<?> name : names)
            {
                if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0)))
                {
                    return SpiffeId.parse(String.valueOf(name.get(1)));
                }
            }
        }
        catch (final CertificateParsingException | IllegalArgumentException ex)
        {
            return null;
        }
        return null;
    }
}
