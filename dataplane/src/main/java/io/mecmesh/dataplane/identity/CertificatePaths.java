package io.mecmesh.dataplane.identity;

import io.mecmesh.dataplane.identity.X509SvidValidator.Reason;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * RFC 5280 path validation of a chain to a trust bundle, shared by the X.509-SVID validator and the TLS server
 * chain validator: the path runs from the leaf up to the first certificate of the chain that is in the bundle, must
 * be signed by a bundle certificate, and is validated by the JDK's {@link CertPathValidator} (PKIX, revocation off)
 * at a given instant, name constraints, basic constraints, key usage and path length included. Immutable and thread
 * safe.
 */
final class CertificatePaths
{
    /**
     * A rule the path breaks.
     *
     * @param reason  which.
     * @param message one line naming the certificate.
     */
    record Problem(Reason reason, String message)
    {
    }

    private final List<X509Certificate> trustBundle;
    private final Set<TrustAnchor> trustAnchors;

    /**
     * @param trustBundle the anchors; not empty.
     */
    CertificatePaths(final List<X509Certificate> trustBundle)
    {
        this.trustBundle = List.copyOf(trustBundle);
        final Set<TrustAnchor> anchors = new HashSet<>();
        for (final X509Certificate certificate : this.trustBundle)
        {
            anchors.add(new TrustAnchor(certificate, null));
        }
        this.trustAnchors = Set.copyOf(anchors);
    }

    /**
     * @param signers receives, when the path is valid, its signing certificates and the bundle certificate it is
     *                anchored to.
     */
    Problem validate(final List<X509Certificate> chain, final Instant at,
        final List<X509Certificate> signers)
    {
        // The path runs from the leaf up to, not including, the first certificate that is itself in the bundle.
        final List<X509Certificate> path = new ArrayList<>();
        path.add(chain.get(0));
        for (int i = 1; i < chain.size() && !trustBundle.contains(chain.get(i)); i++)
        {
            path.add(chain.get(i));
        }
        final Problem anchorProblem = checkAnchored(path.get(path.size() - 1), path.size() - 1, signers);
        if (null != anchorProblem)
        {
            return anchorProblem;
        }
        signers.addAll(path.subList(1, path.size()));
        try
        {
            final CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            final PKIXParameters parameters = new PKIXParameters(trustAnchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            return null;
        }
        catch (final CertPathValidatorException ex)
        {
            return pathResult(ex, path, at);
        }
        catch (final GeneralSecurityException ex)
        {
            return new Problem(Reason.PATH_INVALID, "path validation could not run: " + ex);
        }
    }

    private Problem checkAnchored(final X509Certificate top, final int index, final List<X509Certificate> anchor)
    {
        boolean issuerNameFound = false;
        for (final X509Certificate candidate : trustBundle)
        {
            if (candidate.getSubjectX500Principal().equals(top.getIssuerX500Principal()))
            {
                issuerNameFound = true;
                try
                {
                    top.verify(candidate.getPublicKey());
                    anchor.add(candidate);
                    return null;
                }
                catch (final GeneralSecurityException ex)
                {
                    // signed by another key than this bundle certificate's: try the next one
                }
            }
        }
        final String name = "certificate " + index + " (" + top.getSubjectX500Principal() + ")";
        return new Problem(Reason.UNTRUSTED, issuerNameFound ?
            name + ": not signed by the key of any trust bundle certificate named " + top.getIssuerX500Principal() :
            name + ": issuer " + top.getIssuerX500Principal() + " is not in the trust bundle");
    }

    /** The certificate's own end of validity: the one the validator named, else the first on the path past it. */
    private static Object notAfter(final List<X509Certificate> path, final int index, final Instant at)
    {
        if (index >= 0 && index < path.size())
        {
            return path.get(index).getNotAfter().toInstant();
        }
        for (final X509Certificate certificate : path)
        {
            if (certificate.getNotAfter().toInstant().isBefore(at))
            {
                return certificate.getNotAfter().toInstant();
            }
        }
        return "?";
    }

    private static Problem pathResult(final CertPathValidatorException ex, final List<X509Certificate> path,
        final Instant at)
    {
        final int index = ex.getIndex();
        final String where = index >= 0 && index < path.size() ?
            "certificate " + index + " (" + path.get(index).getSubjectX500Principal() + ")" : "the path";
        final CertPathValidatorException.Reason reason = ex.getReason();
        if (reason == CertPathValidatorException.BasicReason.EXPIRED)
        {
            return new Problem(Reason.EXPIRED, where + ": expired at " + notAfter(path, index, at)
                + " (validated at " + at + ")");
        }
        if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID)
        {
            return new Problem(Reason.NOT_YET_VALID, where + ": not yet valid at " + at + " (not before " +
                (index >= 0 && index < path.size() ? path.get(index).getNotBefore().toInstant() : "?") + ")");
        }
        if (reason == PKIXReason.INVALID_NAME)
        {
            return new Problem(Reason.NAME_CONSTRAINTS_VIOLATED, where + ": " + ex.getMessage());
        }
        if (reason == PKIXReason.NO_TRUST_ANCHOR || reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE)
        {
            return new Problem(Reason.UNTRUSTED, where + ": no path to the trust bundle: " + ex.getMessage());
        }
        return new Problem(Reason.PATH_INVALID, where + ": " + ex.getMessage());
    }

}
