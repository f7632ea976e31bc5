package io.mecmesh.slicemanager.identity;

import java.security.cert.X509Certificate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What the CA answers.
 *
 * @param chain  the node's SVID first, then the issuer's chain up to, not including, the root.
 * @param bundle the trust bundle: the roots peers are validated against (old and new during a rotation).
 */
public record SignedIdentity(List<X509Certificate> chain, List<X509Certificate> bundle)
{
    public SignedIdentity
    {
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
