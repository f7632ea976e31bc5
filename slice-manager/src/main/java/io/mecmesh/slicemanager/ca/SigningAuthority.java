package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.SpiffeId;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A CA certificate with its private key: the root, or a site intermediate.
 *
 * @param certificate the signing certificate ({@code cA=true}, {@code keyCertSign}).
 * @param privateKey  its private key; never leaves the control plane (or the site holding the intermediate).
 * @param scope       the SPIFFE IDs it issues for: leaf IDs must be this ID or below it ({@link SpiffeId#isUnder}).
 * @param chain       this certificate followed by its issuers up to, not including, the root; empty for the root.
 */
public record SigningAuthority(X509Certificate certificate, PrivateKey privateKey, SpiffeId scope,
    List<X509Certificate> chain)
{
    public SigningAuthority
    {
        requireNonNull(certificate, "certificate");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(scope, "scope");
        chain = List.copyOf(requireNonNull(chain, "chain"));
        if (certificate.getBasicConstraints() == -1)
        {
            throw new IllegalArgumentException("certificate: not a CA certificate (cA is not true)");
        }
        final boolean[] keyUsage = certificate.getKeyUsage();
        if (null == keyUsage || keyUsage.length < 6 || !keyUsage[5])
        {
            throw new IllegalArgumentException("certificate: key usage lacks keyCertSign");
        }
        if (!chain.isEmpty() && !chain.get(0).equals(certificate))
        {
            throw new IllegalArgumentException("chain: must start with the certificate itself, or be empty for a root");
        }
        if (!certificate.getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm()))
        {
            throw new IllegalArgumentException("privateKey: a " + privateKey.getAlgorithm() + " key for a " +
                certificate.getPublicKey().getAlgorithm() + " certificate");
        }
    }

    /**
     * Whether this is the root (self-signed, nothing above it).
     *
     * @return true for the root.
     */
    public boolean isRoot()
    {
        return chain.isEmpty();
    }

    @Override
    public String toString()
    {
        return "SigningAuthority[" + certificate.getSubjectX500Principal() + ", scope=" + scope + ", notAfter=" +
            certificate.getNotAfter().toInstant() + "]";
    }
}
