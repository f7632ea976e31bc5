package io.mecmesh.mecapi;

import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.TlsMaterialSource;

import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The MEC API's TLS: the control plane's SVID (read at each handshake, so a renewal applies at once) and the trust
 * bundle that applications' client certificates are validated against (X.509-SVID rules, any id of the trust
 * domain). A client without a certificate is refused in the handshake.
 *
 * @param keys        the server's certificate and key.
 * @param trust       the validator of the current trust bundle.
 * @param trustDomain the trust domain applications' ids must be in.
 */
public record MecApiTls(TlsMaterialSource keys, Supplier<X509SvidValidator> trust, String trustDomain)
{
    public MecApiTls
    {
        requireNonNull(keys, "keys");
        requireNonNull(trust, "trust");
        requireNonNull(trustDomain, "trustDomain");
    }
}
