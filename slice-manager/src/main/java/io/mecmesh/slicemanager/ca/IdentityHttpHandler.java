package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.databind.JsonNode;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.http.ApiExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

import static java.util.Objects.requireNonNull;

/**
 * The node identity endpoint of the control plane, mounted at path prefix {@code /v1/identity/} of its API server:
 * <pre>
 * POST /v1/identity/sign
 * Authorization: Bearer &lt;enrolment token&gt;      (first SVID; none when renewing over mutual TLS)
 * {"nodeId":"edge-a","site":"site-a","csr":"-----BEGIN CERTIFICATE REQUEST-----..."}
 *
 * 200 {"chain":"PEM","bundle":"PEM","notAfter":"2026-01-01T00:00:00Z"}
 * </pre>
 * Errors are RFC 9457 problem details ({@code application/problem+json}): 400 unreadable request, 401 missing or
 * wrong token, 403 node not allowed this identity, 404/405 other paths or methods, 413 body over 64 KiB, 422 CSR
 * refused by the SVID profile, 503 the CA cannot sign now. The decisions are {@link SigningService}'s. A caller
 * that presented a node SVID ({@link ApiAccess.Caller}) renews that identity without a token; a caller without a
 * certificate enrols once with a node token (or the deprecated shared join token).
 */
public final class IdentityHttpHandler extends JsonPostHandler
{
    /** The context path the handler expects to be mounted at. */
    public static final String CONTEXT = "/v1/identity/";
    /** The exchange attribute with the SPIFFE id of the caller's verified client certificate (set by the gate). */
    public static final String CALLER_ID_ATTRIBUTE = "io.mecmesh.api.callerId";

    private static final Logger LOG = LoggerFactory.getLogger(IdentityHttpHandler.class);

    private final SigningService service;
    private final AtomicLongArray refused = new AtomicLongArray(CertificateAuthorityException.Category.values().length);

    /**
     * @param service the signing decisions.
     */
    public IdentityHttpHandler(final SigningService service)
    {
        super(CONTEXT + "sign");
        this.service = requireNonNull(service, "service");
    }

    /**
     * @return the signing requests refused since start, by reason (the category's name in lower case); every reason
     *     is present.
     */
    public Map<String, Long> refusals()
    {
        final Map<String, Long> byReason = new LinkedHashMap<>();
        for (final CertificateAuthorityException.Category category : CertificateAuthorityException.Category.values())
        {
            byReason.put(category.name().toLowerCase(Locale.ROOT), refused.get(category.ordinal()));
        }
        return byReason;
    }

    @Override
    void onPost(final ApiExchange exchange, final byte[] body)
    {
        final Optional<SpiffeId> caller = callerId(exchange);
        final String token = bearerToken(exchange);
        if (caller.isEmpty())
        {
            if (token == null)
            {
                refused.incrementAndGet(CertificateAuthorityException.Category.UNAUTHENTICATED.ordinal());
                problem(exchange, 401, "an enrolment token (mecmesh node token create) or the node's current SVID"
                    + " (mutual TLS) is required");
                return;
            }
        }
        final JsonNode request = jsonObject(exchange, body, "nodeId, site and csr");
        if (request == null)
        {
            return;
        }
        final String nodeId = text(request, "nodeId");
        try
        {
            final SigningService.Signed signed = caller.isPresent()
                ? service.signForCaller(nodeId, text(request, "site"), text(request, "csr"), caller.get())
                : service.sign(nodeId, text(request, "site"), text(request, "csr"), token);
            sendSigned(exchange, signed);
            LOG.info("issued the SVID of node {} until {} ({})", nodeId, signed.notAfter(),
                caller.isPresent() ? "renewal by " + caller.get() : "enrolment with a token");
        }
        catch (final CertificateAuthorityException ex)
        {
            final int status = status(ex.category());
            refused.incrementAndGet(ex.category().ordinal());
            LOG.warn("refused the signing request of node {} from {}: {} {}", nodeId, exchange.remoteAddress(),
                status, ex.getMessage());
            problem(exchange, status, ex.getMessage());
        }
    }

    /**
     * @param exchange the exchange.
     * @return the SPIFFE id of the caller's verified client certificate, which the server's access check put in
     *         the {@link #CALLER_ID_ATTRIBUTE} attribute; empty without one.
     */
    static Optional<SpiffeId> callerId(final ApiExchange exchange)
    {
        return exchange.attribute(CALLER_ID_ATTRIBUTE) instanceof SpiffeId id ? Optional.of(id) : Optional.empty();
    }
}
