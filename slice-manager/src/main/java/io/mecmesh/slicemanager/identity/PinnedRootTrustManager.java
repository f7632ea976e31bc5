package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.ca.EnrolmentTokens;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Trusts the control plane on a node's first connection, before the node has a trust bundle: the server's chain
 * must contain a self-signed CA certificate whose SHA-256 is the one the enrolment token pins
 * ({@link EnrolmentTokens.Token#rootFingerprint}), and the chain must validate under it as the expected SPIFFE id
 * (the control plane's). Host names are not checked (SPIFFE ids are). Refuses any client.
 */
final class PinnedRootTrustManager extends X509ExtendedTrustManager
{
    private final String fingerprint;
    private final X509SvidValidator.Expectation expectation;
    private final Clock clock;

    PinnedRootTrustManager(final String fingerprint, final X509SvidValidator.Expectation expectation,
        final Clock clock)
    {
        this.fingerprint = requireNonNull(fingerprint, "fingerprint");
        this.expectation = requireNonNull(expectation, "expectation");
        this.clock = requireNonNull(clock, "clock");
    }

    private void check(final X509Certificate[] chain) throws CertificateException
    {
        X509Certificate root = null;
        final List<X509Certificate> path = new ArrayList<>();
        for (final X509Certificate certificate : chain == null ? new X509Certificate[0] : chain)
        {
            if (root == null && fingerprint.equals(EnrolmentTokens.fingerprint(certificate))
                && selfSigned(certificate))
            {
                root = certificate;
            }
            else
            {
                path.add(certificate);
            }
        }
        if (root == null)
        {
            throw new CertificateException("the control plane did not present the CA the enrolment token pins"
                + " (sha256 " + fingerprint + ")");
        }
        final X509SvidValidator.Result result = new X509SvidValidator(List.of(root))
            .validate(path, clock.instant(), expectation);
        if (!result.isValid())
        {
            throw new CertificateException("control plane certificate refused: " + result.reason() + ": "
                + result.message());
        }
    }

    private static boolean selfSigned(final X509Certificate certificate)
    {
        try
        {
            certificate.verify(certificate.getPublicKey());
            return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
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
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        check(chain);
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType) throws CertificateException
    {
        throw new CertificateException("a node's enrolment context accepts no clients");
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
        throws CertificateException
    {
        throw new CertificateException("a node's enrolment context accepts no clients");
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
        throws CertificateException
    {
        throw new CertificateException("a node's enrolment context accepts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers()
    {
        return new X509Certificate[0];
    }
}
