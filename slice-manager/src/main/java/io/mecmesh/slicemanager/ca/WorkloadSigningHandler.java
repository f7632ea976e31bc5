package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import io.mecmesh.slicemanager.http.ApiExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The workload identity endpoint of an edge, mounted on its loopback admin server at {@link #PATH}: the site's
 * workloads get SVIDs from the {@link SiteAuthority}, with or without the control plane.
 * <pre>
 * POST /v1/identity/workload
 * Authorization: Bearer &lt;join token&gt;
 * {"spiffeId":"spiffe://mesh.example/site/edge-1/app/amf","csr":"-----BEGIN CERTIFICATE REQUEST-----..."}
 *
 * 200 {"chain":"PEM","bundle":"PEM","notAfter":"2026-01-01T00:00:00Z"}
 * </pre>
 * Errors are RFC 9457 problem details: 400 unreadable request or SPIFFE ID, 401 missing or wrong token (compared in
 * constant time), 403 an ID outside the site or a node ID ({@code .../site/SITE/node/...}), 404/405 other paths or
 * methods, 413 body over 64 KiB, 422 CSR refused by the SVID profile, 503 the site intermediate has expired or no
 * root of the trust bundle signed it, or the SVID cannot be recorded in {@code issued.log}.
 */
public final class WorkloadSigningHandler extends JsonPostHandler
{
    /** The path the handler answers. */
    public static final String PATH = "/v1/identity/workload";

    private static final Logger LOG = LoggerFactory.getLogger(WorkloadSigningHandler.class);

    private final SiteAuthority authority;
    private final JoinToken joinToken;

    /**
     * @param authority the site's issuer.
     * @param joinToken the shared secret workloads present (non-empty).
     */
    public WorkloadSigningHandler(final SiteAuthority authority, final String joinToken)
    {
        super(PATH);
        this.authority = requireNonNull(authority, "authority");
        this.joinToken = new JoinToken(joinToken);
    }

    @Override
    void onPost(final ApiExchange exchange, final byte[] body)
    {
        try
        {
            joinToken.authenticate(bearerToken(exchange));
        }
        catch (final CertificateAuthorityException ex)
        {
            LOG.warn("refused a workload signing request from {}: {}", exchange.remoteAddress(), ex.getMessage());
            problem(exchange, 401, ex.getMessage());
            return;
        }
        final JsonNode request = jsonObject(exchange, body, "spiffeId and csr");
        if (request == null)
        {
            return;
        }
        final String requestedId = text(request, "spiffeId");
        try
        {
            final SpiffeId id = spiffeId(requestedId);
            final byte[] csrDer = SigningService.csrDer(SigningService.requireField(text(request, "csr"), "csr"));
            final List<X509Certificate> chain = authority.issue(csrDer, id);
            final SigningService.Signed signed = new SigningService.Signed(Pem.encodeCertificates(chain),
                Pem.encodeCertificates(authority.bundle()), chain.get(0).getNotAfter().toInstant());
            sendSigned(exchange, signed);
            LOG.info("issued the SVID of workload {} until {}", id, signed.notAfter());
        }
        catch (final CertificateAuthorityException ex)
        {
            final int status = ex.category() == Category.CRYPTO ? 503 : status(ex.category());
            LOG.warn("refused the signing request of workload {}: {} {}", requestedId, status, ex.getMessage());
            problem(exchange, status, ex.getMessage());
        }
    }

    private static SpiffeId spiffeId(final String text)
    {
        try
        {
            return SpiffeId.parse(SigningService.requireField(text, "spiffeId"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CertificateAuthorityException(Category.MALFORMED_REQUEST, "spiffeId: " + ex.getMessage(), ex);
        }
    }
}
