package io.mecmesh.dataplane.cluster;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.TlsConfig;

import static java.util.Objects.requireNonNull;

/**
 * Mutual TLS towards a cluster's endpoints (the peer appliances).
 *
 * @param tls          this node's certificate, key and trust bundle.
 * @param expectedPeer the SPIFFE id the peer must present: an exact id, or a trust domain
 *                     ({@code spiffe://example.org}) for any workload in it.
 * @param sni          the server name sent in the handshake (the destination service); empty for none.
 */
public record ClusterTls(TlsConfig tls, SpiffeId expectedPeer, String sni)
{
    public ClusterTls
    {
        requireNonNull(tls, "tls");
        requireNonNull(expectedPeer, "expectedPeer");
        requireNonNull(sni, "sni");
    }

    /**
     * @return the validator's expectation of the peer.
     */
    public X509SvidValidator.Expectation expectation()
    {
        return expectedPeer.isTrustDomainId()
            ? X509SvidValidator.Expectation.trustDomain(expectedPeer.trustDomain())
            : X509SvidValidator.Expectation.spiffeId(expectedPeer);
    }
}
