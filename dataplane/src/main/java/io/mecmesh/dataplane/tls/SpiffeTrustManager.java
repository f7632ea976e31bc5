package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.TlsServerChainValidator;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Validates the peer's certificate chain in the TLS handshake with the same {@link X509SvidValidator} that
 * {@code mecmesh cert verify} uses, so the data plane and the CLI cannot disagree. A chain that breaks a rule fails
 * the handshake with the rule in the message, and the rejection is counted by reason. The validator (and so the trust
 * bundle) can be supplied per handshake, for contexts whose material is swapped at run time ({@link TlsMaterialSource}).
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager
{
    /** One validation: {@code null} when the chain is accepted, else the rule broken and why. */
    private interface ChainCheck
    {
        Refusal check(List<X509Certificate> chain, Instant at) throws CertificateException;
    }

    private record Refusal(X509SvidValidator.Reason reason, String message)
    {
    }

    private final ChainCheck validator;
    private final PeerRejections rejections;
    private final Clock clock;

    SpiffeTrustManager(
        final X509SvidValidator validator,
        final X509SvidValidator.Expectation expectation,
        final PeerRejections rejections,
        final Clock clock)
    {
        this(constant(requireNonNull(validator, "validator")), expectation, rejections, clock);
    }

    SpiffeTrustManager(
        final Supplier<X509SvidValidator> validator,
        final X509SvidValidator.Expectation expectation,
        final PeerRejections rejections,
        final Clock clock)
    {
        requireNonNull(validator, "validator");
        requireNonNull(expectation, "expectation");
        this.validator = (chain, at) ->
        {
            final X509SvidValidator current = validator.get();
            if (current == null)
            {
                // A source without material (TlsMaterialSource.withoutMaterial): no bundle to validate against.
                throw new CertificateException("this node has no valid identity (no trust bundle yet): peer not "
                    + "checked");
            }
            final X509SvidValidator.Result result = current.validate(chain, at, expectation);
            return result.isValid() ? null : new Refusal(result.reason(), result.message());
        };
        this.rejections = requireNonNull(rejections, "rejections");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * A trust manager for a TLS server outside the mesh (web PKI or a private CA): the chain is validated by
     * {@link TlsServerChainValidator} for the host name, without the X.509-SVID rules, as {@code mecmesh cert verify
     * --dns-name} does.
     */
    SpiffeTrustManager(
        final TlsServerChainValidator validator,
        final String hostName,
        final PeerRejections rejections,
        final Clock clock)
    {
        requireNonNull(validator, "validator");
        requireNonNull(hostName, "hostName");
        this.validator = (chain, at) ->
        {
            final TlsServerChainValidator.Result result = validator.validate(chain, at, hostName);
            return result.isValid() ? null : new Refusal(result.reason(), result.message());
        };
        this.rejections = requireNonNull(rejections, "rejections");
        this.clock = requireNonNull(clock, "clock");
    }

    private static Supplier<X509SvidValidator> constant(final X509SvidValidator validator)
    {
        return () -> validator;
    }

    private void check(final X509Certificate[] chain) throws CertificateException
    {
        final Refusal result = validator.check(chain == null ? List.of() : Arrays.asList(chain), clock.instant());
        if (result != null)
        {
            rejections.increment(result.reason());
            final String message = "peer certificate refused: " + result.reason() + ": " + result.message();
            if (OpenSsl.isAvailable())
            {
                // With BoringSSL the error code picks the alert the peer sees (certificate_expired, ...), instead of
                // internal_error for any exception.
                throw new OpenSslCertificateException(message, verifyError(result.reason()));
            }
            throw new CertificateException(message);
        }
    }

    private static int verifyError(final X509SvidValidator.Reason reason)
    {
        switch (reason)
        {
            case EXPIRED:
                return CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
            case NOT_YET_VALID:
                return CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
            case UNTRUSTED:
            case PATH_INVALID:
            case NAME_CONSTRAINTS_VIOLATED:
                return CertificateVerifier.X509_V_ERR_CERT_UNTRUSTED;
            case SIGNING_CERT_NOT_CA:
            case SIGNING_CERT_NO_KEY_CERT_SIGN:
                return CertificateVerifier.X509_V_ERR_INVALID_CA;
            default:
                return CertificateVerifier.X509_V_ERR_CERT_REJECTED;
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
