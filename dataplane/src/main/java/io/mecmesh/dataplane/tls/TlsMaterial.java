package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What a TLS context presents and trusts at one moment: this side's certificate chain and private key, and the CA
 * certificates peers are validated against. Immutable; {@link TlsMaterialSource} swaps whole instances.
 *
 * @param chain       this side's certificate (an X.509-SVID for the mesh) first, then its intermediates.
 * @param privateKey  the private key of the first certificate.
 * @param trustBundle the CA certificates peers are validated against.
 */
public record TlsMaterial(List<X509Certificate> chain, PrivateKey privateKey, List<X509Certificate> trustBundle)
{
    public TlsMaterial
    {
        chain = List.copyOf(requireNonNull(chain, "chain"));
        requireNonNull(privateKey, "privateKey");
        trustBundle = List.copyOf(requireNonNull(trustBundle, "trustBundle"));
        if (chain.isEmpty())
        {
            throw new IllegalArgumentException("chain: no certificate");
        }
        if (trustBundle.isEmpty())
        {
            throw new IllegalArgumentException("trustBundle: no certificate");
        }
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm()))
        {
            throw new IllegalArgumentException("privateKey: a " + privateKey.getAlgorithm() + " key for a " +
                chain.get(0).getPublicKey().getAlgorithm() + " certificate");
        }
    }

    /**
     * @return the leaf: the certificate this side presents.
     */
    public X509Certificate leaf()
    {
        return chain.get(0);
    }

    /**
     * Reads the PEM files a {@link TlsConfig} names.
     *
     * @param certificateChain the chain file.
     * @param privateKey       the PKCS#8 key file.
     * @param trustBundle      the trust bundle file.
     * @return the material.
     * @throws DataPlaneException ({@code CONFIG}) naming the file that cannot be read or holds no certificate.
     */
    public static TlsMaterial read(final Path certificateChain, final Path privateKey, final Path trustBundle)
    {
        try
        {
            final List<X509Certificate> chain = Pem.readCertificates(certificateChain);
            final PrivateKey key = Pem.readPrivateKey(privateKey);
            final List<X509Certificate> bundle = Pem.readCertificates(trustBundle);
            if (chain.isEmpty() || bundle.isEmpty())
            {
                throw new DataPlaneException(DataPlaneException.Category.CONFIG,
                    (chain.isEmpty() ? certificateChain : trustBundle) + ": no certificate in the file");
            }
            return new TlsMaterial(chain, key, bundle);
        }
        catch (final DataPlaneException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new DataPlaneException(DataPlaneException.Category.CONFIG, ex.getMessage(), ex);
        }
    }
}
