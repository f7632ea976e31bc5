package io.mecmesh.slicemanager.identity;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What the CA answers.
 *
 * @param chain  the node's SVID first, then the issuer's chain up to, not including, the root.
 * @param bundle the trust bundle: the roots peers are validated against (old and new during a rotation).
 * @param configVerificationKeys the control plane's configuration-verification keys that came with the bundle
 *               (empty when the CA hands out none).
 */
public record SignedIdentity(List<X509Certificate> chain, List<X509Certificate> bundle,
    List<PublicKey> configVerificationKeys)
{
    /**
     * An answer without configuration-verification keys.
     *
     * @param chain  the node's SVID first, then the issuer's chain.
     * @param bundle the trust bundle.
     */
    public SignedIdentity(final List<X509Certificate> chain, final List<X509Certificate> bundle)
    {
        this(chain, bundle, List.of());
    }

    public SignedIdentity
    {
        configVerificationKeys = List.copyOf(requireNonNull(configVerificationKeys, "configVerificationKeys"));
        chain = List.copyOf(requireNonNull(chain, "chain"));
        bundle = List.copyOf(requireNonNull(bundle, "bundle"));
        if (chain.isEmpty())
        {
            throw new IllegalArgumentException("chain: no certificate");
        }
        if (bundle.isEmpty())
        {
            throw new IllegalArgumentException("bundle: no certificate");
        }
    }
}
