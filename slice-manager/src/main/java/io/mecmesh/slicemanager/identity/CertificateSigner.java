package io.mecmesh.slicemanager.identity;

/**
 * Gets a node's certificate request signed: over HTTP by the control plane's CA ({@link HttpCertificateSigner}), or
 * in process. The node's private key never goes through it, only the request.
 */
@FunctionalInterface
public interface CertificateSigner
{
    /**
     * Asks for the node's SVID.
     *
     * @param request the node and its PKCS#10 request.
     * @return the chain and the trust bundle.
     * @throws IdentityClientException {@code CA_UNAVAILABLE} when the CA cannot be reached or cannot sign now,
     *                                 {@code REFUSED} when it refuses the request; the client retries either way.
     */
    SignedIdentity sign(SigningRequest request);
}
