package io.mecmesh.slicemanager.identity;

import static java.util.Objects.requireNonNull;

/**
 * What a node sends to be signed.
 *
 * @param nodeId the node's id, as registered with the CA.
 * @param site   the node's site.
 * @param csrPem its PKCS#10 request (PEM, {@code BEGIN CERTIFICATE REQUEST}), signed with the key it keeps.
 */
public record SigningRequest(String nodeId, String site, String csrPem)
{
    public SigningRequest
    {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(site, "site");
        requireNonNull(csrPem, "csrPem");
    }
}
