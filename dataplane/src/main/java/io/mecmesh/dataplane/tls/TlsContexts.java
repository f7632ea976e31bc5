package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.TlsServerChainValidator;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the TLS contexts of the data plane: BoringSSL through netty-tcnative when it loads, else the JDK provider
 * (chosen once, logged); ALPN h2 and http/1.1 on listeners, http/1.1 towards clusters; for the mesh, TLS 1.3 only,
 * mutual authentication validated to the SPIFFE X.509-SVID rules, and the X25519MLKEM768 hybrid post-quantum key
 * exchange preferred with X25519 as fallback; for external listeners, the listener's {@link TlsPolicy} (by default
 * TLS 1.2+ with ECDHE and AEAD suites only).
 * <p>
 * A configuration with a {@link TlsMaterialSource} gets a context whose key and trust managers read the source at
 * every handshake (certificate hot swap); one with files only reads them once, here.
 */
public final class TlsContexts
{
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    private static final String[] MESH_PROTOCOLS = {"TLSv1.3"};
    private static final String[] EXTERNAL_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** Hybrid post-quantum first; classic X25519 and P-256 for peers without it. */
    static final String[] KEY_EXCHANGE_GROUPS = {"X25519MLKEM768", "X25519", "P-256"};
    private static final SslProvider PROVIDER = selectProvider();

    private TlsContexts()
    {
    }

    private static SslProvider selectProvider()
    {
        final SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        LOG.info("TLS provider: {}{}", provider == SslProvider.OPENSSL ? OpenSsl.versionString() : "JDK",
            provider == SslProvider.OPENSSL ? "" : " (BoringSSL did not load: " + OpenSsl.unavailabilityCause() + ")");
        return provider;
    }

    /**
     * @return the provider in use: {@code OPENSSL} (BoringSSL) or {@code JDK}.
     */
    public static SslProvider provider()
    {
        return PROVIDER;
    }

    /**
     * @return the TLS library in use, for logs and the demo: {@code BoringSSL} or {@code JDK}.
     */
    public static String providerName()
    {
        return PROVIDER == SslProvider.OPENSSL ? OpenSsl.versionString() : "JDK";
    }

    /**
     * A server context for a listener.
     *
     * @param config     the listener's TLS configuration.
     * @param rejections where refused peers are counted.
     * @param clock      the time certificates are validated at.
     * @return the context.
     * @throws DataPlaneException ({@code CONFIG}) naming the file that cannot be read.
     */
    public static SslContext server(final TlsConfig config, final PeerRejections rejections, final Clock clock)
    {
        return server(config, TlsPolicy.DEFAULT, rejections, clock);
    }

    /**
     * A server context for a listener.
     *
     * @param config     the listener's TLS configuration.
     * @param policy     for an external listener, the versions and TLS 1.2 suites offered (a mesh listener is
     *                   TLS 1.3 only).
     * @param rejections where refused peers are counted.
     * @param clock      the time certificates are validated at.
     * @return the context.
     * @throws DataPlaneException ({@code CONFIG}) naming the file that cannot be read or the cipher suite that
     *                            the TLS library does not support.
     */
    public static SslContext server(final TlsConfig config, final TlsPolicy policy, final PeerRejections rejections,
        final Clock clock)
    {
        final SslContextBuilder builder;
        final SpiffeTrustManager trustManager;
        if (config.source().isPresent())
        {
            final TlsMaterialSource source = config.source().get();
            builder = SslContextBuilder.forServer(new SwappableKeyManager(source));
            trustManager = new SpiffeTrustManager(source::validator, X509SvidValidator.Expectation.anyId(),
                rejections, clock);
        }
        else
        {
            final TlsMaterial material = readFiles(config);
            builder = SslContextBuilder.forServer(material.privateKey(), material.chain());
            trustManager = new SpiffeTrustManager(new X509SvidValidator(material.trustBundle()),
                X509SvidValidator.Expectation.anyId(), rejections, clock);
        }
        builder.sslProvider(PROVIDER)
            .applicationProtocolConfig(alpn(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        if (config.mode() == TlsConfig.Mode.MESH)
        {
            builder.protocols(MESH_PROTOCOLS)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(trustManager);
        }
        else
        {
            builder.protocols(policy.protocols())
                .ciphers(externalCipherSuites(policy))
                .clientAuth(ClientAuth.NONE);
        }
        return build(builder, "listener TLS with " + config.certificateChain());
    }

    /**
     * A client context towards a cluster of mesh peers.
     *
     * @param config      the cluster's TLS configuration.
     * @param expectation what the peer's SPIFFE id must be.
     * @param rejections  where refused peers are counted.
     * @param clock       the time certificates are validated at.
     * @return the context.
     * @throws DataPlaneException ({@code CONFIG}) naming the file that cannot be read.
     */
    public static SslContext client(
        final TlsConfig config,
        final X509SvidValidator.Expectation expectation,
        final PeerRejections rejections,
        final Clock clock)
    {
        return client(config, expectation, rejections, clock, false);
    }

    /**
     * A client context towards a cluster of mesh peers.
     *
     * @param config      the cluster's TLS configuration.
     * @param expectation what the peer's SPIFFE id must be.
     * @param rejections  where refused peers are counted.
     * @param clock       the time certificates are validated at.
     * @param http2       whether to offer {@code h2} (only) in ALPN, for an HTTP/2 cluster.
     * @return the context.
     * @throws DataPlaneException ({@code CONFIG}) naming the file that cannot be read.
     */
    public static SslContext client(
        final TlsConfig config,
        final X509SvidValidator.Expectation expectation,
        final PeerRejections rejections,
        final Clock clock,
        final boolean http2)
    {
        final SslContextBuilder builder = SslContextBuilder.forClient();
        if (config.source().isPresent())
        {
            final TlsMaterialSource source = config.source().get();
            builder.keyManager(new SwappableKeyManager(source))
                .trustManager(new SpiffeTrustManager(source::validator, expectation, rejections, clock));
        }
        else
        {
            final TlsMaterial material = readFiles(config);
            builder.keyManager(material.privateKey(), material.chain())
                .trustManager(new SpiffeTrustManager(new X509SvidValidator(material.trustBundle()), expectation,
                    rejections, clock));
        }
        builder.sslProvider(PROVIDER)
            .protocols(config.mode() == TlsConfig.Mode.MESH ? MESH_PROTOCOLS : EXTERNAL_PROTOCOLS)
            .applicationProtocolConfig(alpn(http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
        return build(builder, "cluster TLS with " + config.certificateChain());
    }

    /**
     * A client context towards a TLS server outside the mesh (no client certificate): the server's chain is
     * validated by {@link TlsServerChainValidator} (RFC 5280 path to the bundle, serverAuth, RFC 6125 host name),
     * the validator {@code mecmesh cert verify --dns-name} uses, and refusals are counted by reason.
     *
     * @param trustBundle the CA certificates the server must chain to; not empty.
     * @param hostName    the name the server must present (and the SNI sent by the caller).
     * @param rejections  where refused servers are counted.
     * @param clock       the time certificates are validated at.
     * @param http2       whether to offer {@code h2} (only) in ALPN.
     * @return the context.
     */
    public static SslContext upstreamClient(
        final List<X509Certificate> trustBundle,
        final String hostName,
        final PeerRejections rejections,
        final Clock clock,
        final boolean http2)
    {
        final SslContextBuilder builder = SslContextBuilder.forClient()
            .trustManager(new SpiffeTrustManager(new TlsServerChainValidator(trustBundle), hostName, rejections,
                clock))
            .sslProvider(PROVIDER)
            .protocols(EXTERNAL_PROTOCOLS)
            .applicationProtocolConfig(alpn(http2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
        return build(builder, "upstream TLS to " + hostName);
    }

    private static SslContext build(final SslContextBuilder builder, final String what)
    {
        if (PROVIDER == SslProvider.OPENSSL)
        {
            try
            {
                return builder.option(OpenSslContextOption.GROUPS, KEY_EXCHANGE_GROUPS).build();
            }
            catch (final SSLException | RuntimeException ex)
            {
                LOG.warn("{}: the hybrid post-quantum group is not supported here ({}); using the defaults", what,
                    ex.getMessage());
            }
        }
        try
        {
            return builder.build();
        }
        catch (final SSLException ex)
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG, what + ": " + ex.getMessage(), ex);
        }
    }

    private static List<String> externalCipherSuites(final TlsPolicy policy)
    {
        final Set<String> supported = PROVIDER == SslProvider.OPENSSL ? OpenSsl.availableJavaCipherSuites()
            : jdkCipherSuites();
        for (final String suite : policy.cipherSuites())
        {
            if (!supported.contains(suite))
            {
                throw new DataPlaneException(DataPlaneException.Category.CONFIG, "tls.cipherSuites: " + suite
                    + " is not supported by " + providerName());
            }
        }
        final List<String> suites = new ArrayList<>(TlsPolicy.TLS_1_3_CIPHER_SUITES);
        suites.addAll(policy.cipherSuites());
        return suites;
    }

    private static Set<String> jdkCipherSuites()
    {
        try
        {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG, "no default TLS context: "
                + ex.getMessage(), ex);
        }
    }

    private static ApplicationProtocolConfig alpn(final String... protocols)
    {
        return new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            protocols);
    }

    private static TlsMaterial readFiles(final TlsConfig config)
    {
        return TlsMaterial.read(config.certificateChain(), config.privateKey(), config.trustBundle());
    }
}
