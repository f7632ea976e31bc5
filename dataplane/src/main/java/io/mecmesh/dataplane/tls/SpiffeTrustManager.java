package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.X509SvidValidator;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Validates the peer's certificate chain in the TLS handshake with the same {@link X509SvidValidator} that
 * {@code mecmesh cert verify} uses, so the data plane and the CLI cannot disagree. A chain that breaks a rule fails
 * the handshake with the rule in the message, and the rejection is counted by reason.
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager
{
    private final X509SvidValidator validator;
    private final X509SvidValidator.Expectation expectation;
    private final PeerRejections rejections;
    private final Clock clock;

    SpiffeTrustManager(
        final X509SvidValidator validator,
        final X509SvidValidator.Expectation expectation,
        final PeerRejections rejections,
        final Clock clock)
    {
        this.validator = requireNonNull(validator, "validator");
        this.expectation = requireNonNull(expectation, "expectation");
        this.rejections = requireNonNull(rejections, "rejections");
        this.clock = requireNonNull(clock, "clock");
    }

    private void check(final X509Certificate[] chain) throws CertificateException
    {
        final X509SvidValidator.Result result = validator.validate(
            chain == null ? List.of() : Arrays.asList(chain), clock.instant(), expectation);
        if (!result.isValid())
        {
            rejections.increment(result.reason());
            throw new CertificateException("peer certificate refused: " + result.reason() + ": " + result.message());
        }
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        check(chain);
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        check(chain);
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        check(chain);
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        check(chain);
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        check(chain);
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        check(chain);
    }

    /**
     * Names no CA in the certificate request, so that a peer always sends its certificate and a refusal is
     * validated here, counted by reason, rather than ending in an anonymous "no certificate" alert.
     */
    @Override
    public X509Certificate[] getAcceptedIssuers()
    {
        return new X509Certificate[0];
    }
}
