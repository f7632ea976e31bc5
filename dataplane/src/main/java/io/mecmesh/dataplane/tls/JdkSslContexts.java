package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.X509SvidValidator;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * JDK {@link SSLContext}s (for the JDK HTTP server and {@code java.net.http.HttpClient}, outside the data plane's
 * Netty contexts) with the same key and trust managers as {@link TlsContexts}: the certificate comes from a
 * {@link TlsMaterialSource} at every handshake, and peers are validated by {@link X509SvidValidator} against the
 * SPIFFE rules, never by host name. TLS 1.3 only.
 */
public final class JdkSslContexts
{
    /** The only protocol these contexts negotiate. */
    public static final String PROTOCOL = "TLSv1.3";

    private JdkSslContexts()
    {
    }

    /**
     * A context that presents {@code keys} (if any) and accepts a peer that {@code trust} validates with
     * {@code expectation}.
     *
     * @param keys        this side's certificate and key, read at each handshake; empty for a client without one.
     * @param trust       the validator to use for each handshake (so a reloaded trust bundle applies at once).
     * @param expectation what the peer's SPIFFE id must be.
     * @param rejections  where refused peers are counted by rule.
     * @param clock       the time certificates are validated at.
     * @return the context.
     */
    public static SSLContext of(final Optional<TlsMaterialSource> keys, final Supplier<X509SvidValidator> trust,
        final X509SvidValidator.Expectation expectation, final PeerRejections rejections, final Clock clock)
    {
        requireNonNull(keys, "keys");
        try
        {
            final SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keys.map(source -> new KeyManager[] {new SwappableKeyManager(source)}).orElse(null),
                new TrustManager[] {new SpiffeTrustManager(trust, expectation, rejections, clock)}, null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK cannot make a " + PROTOCOL + " context", ex);
        }
    }

    /**
     * The key manager {@link #of} installs, for servers that take key and trust managers rather than a context
     * (Vert.x: {@code KeyCertOptions.wrap}).
     *
     * @param keys this side's certificate and key, read at each handshake.
     * @return the key manager.
     */
    public static X509ExtendedKeyManager keyManager(final TlsMaterialSource keys)
    {
        return new SwappableKeyManager(requireNonNull(keys, "keys"));
    }

    /**
     * The trust manager {@link #of} installs (see {@link #keyManager}).
     *
     * @param trust       the validator to use for each handshake.
     * @param expectation what the peer's SPIFFE id must be.
     * @param rejections  where refused peers are counted by rule.
     * @param clock       the time certificates are validated at.
     * @return the trust manager.
     */
    public static X509ExtendedTrustManager trustManager(final Supplier<X509SvidValidator> trust,
        final X509SvidValidator.Expectation expectation, final PeerRejections rejections, final Clock clock)
    {
        return new SpiffeTrustManager(trust, expectation, rejections, clock);
    }

    /**
     * @param context  a context from {@link #of}.
     * @param wantPeer whether a server asks for (but does not require) the client's certificate.
     * @return its parameters restricted to TLS 1.3, without host name identification (peers are SPIFFE ids).
     */
    public static SSLParameters parameters(final SSLContext context, final boolean wantPeer)
    {
        final SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        parameters.setEndpointIdentificationAlgorithm(null);
        if (wantPeer)
        {
            parameters.setWantClientAuth(true);
        }
        return parameters;
    }
}
