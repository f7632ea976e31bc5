package io.mecmesh.perf.loadgen;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Builds the client {@link SslContext} of a run (JDK provider): the server is verified against the CA bundle (or the
 * JDK trust store) including its name; with a certificate and key the client authenticates (mTLS); with HTTP/2 it
 * offers only {@code h2} by ALPN.
 */
final class TlsContexts
{
    private TlsContexts()
    {
    }

    /**
     * @param config the run.
     * @return the context, or empty when the run is cleartext.
     * @throws UncheckedIOException when a PEM file cannot be read or parsed.
     */
    static Optional<SslContext> forClient(final LoadGenConfig config)
    {
        if (!config.tls())
        {
            return Optional.empty();
        }
        try
        {
            final SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .endpointIdentificationAlgorithm("HTTPS");
            if (config.caBundle().isPresent())
            {
                builder.trustManager(config.caBundle().get().toFile());
            }
            if (config.certificate().isPresent())
            {
                builder.keyManager(config.certificate().get().toFile(), config.privateKey().orElseThrow().toFile());
            }
            if (config.http2())
            {
                builder.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                        ApplicationProtocolNames.HTTP_2));
            }
            return Optional.of(builder.build());
        }
        catch (final SSLException | IllegalArgumentException ex)
        {
            throw new UncheckedIOException(new SSLException("TLS setup: " + ex.getMessage(), ex));
        }
    }
}
