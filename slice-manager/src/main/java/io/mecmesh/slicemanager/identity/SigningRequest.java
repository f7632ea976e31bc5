package io.mecmesh.slicemanager.identity;

import io.mecmesh.dataplane.tls.TlsMaterial;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a node sends to be signed.
 *
 * @param nodeId the node's id, as registered with the CA.
 * @param site   the node's site.
 * @param csrPem  its PKCS#10 request (PEM, {@code BEGIN CERTIFICATE REQUEST}), signed with the key it keeps.
 * @param current the identity the node serves now, if it has a valid one: a renewal authenticates with it (mutual
 *                TLS) instead of a token.
 */
public record SigningRequest(String nodeId, String site, String csrPem, Optional<TlsMaterial> current)
{
    public SigningRequest
    {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(site, "site");
        requireNonNull(csrPem, "csrPem");
        requireNonNull(current, "current");
    }

    /**
     * A request without a current identity (a first enrolment).
     *
     * @param nodeId the node's id.
     * @param site   the node's site.
     * @param csrPem the PKCS#10 request, PEM.
     */
    public SigningRequest(final String nodeId, final String site, final String csrPem)
    {
        this(nodeId, site, csrPem, Optional.empty());
    }
}
