package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.http.ApiExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Creates one-time node enrolment tokens ({@code mecmesh node token create NODE}), mounted at {@link #PATH}; the
 * server's access check lets only admins through:
 * <pre>
 * POST /v1/identity/tokens
 * {"nodeId":"edge-a","ttlSeconds":3600}
 *
 * 200 {"token":"mmt1....","nodeId":"edge-a","site":"site-a","expiresAt":"..."}
 * </pre>
 * Errors are problem details: 400 bad JSON, 403 node not declared, 422 ttl not positive.
 */
public final class EnrolmentTokenHttpHandler extends JsonPostHandler
{
    /** The path (and context) the handler answers. */
    public static final String PATH = "/v1/identity/tokens";
    /** Token lifetime when the request does not say. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** The longest token lifetime accepted. */
    public static final Duration MAX_TTL = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentTokenHttpHandler.class);

    private final SigningService service;

    /**
     * @param service the signing service that keeps the tokens.
     */
    public EnrolmentTokenHttpHandler(final SigningService service)
    {
        super(PATH);
        this.service = requireNonNull(service, "service");
    }

    @Override
    void onPost(final ApiExchange exchange, final byte[] body)
    {
        final JsonNode request = jsonObject(exchange, body, "nodeId and ttlSeconds");
        if (request == null)
        {
            return;
        }
        final String nodeId = text(request, "nodeId");
        final JsonNode ttlSeconds = request.get("ttlSeconds");
        if (ttlSeconds != null && (!ttlSeconds.canConvertToLong() || ttlSeconds.asLong() <= 0
            || ttlSeconds.asLong() > MAX_TTL.toSeconds()))
        {
            problem(exchange, 422, "ttlSeconds: expected 1 to " + MAX_TTL.toSeconds() + ", got " + ttlSeconds);
            return;
        }
        final Duration ttl = ttlSeconds == null ? DEFAULT_TTL : Duration.ofSeconds(ttlSeconds.asLong());
        try
        {
            final EnrolmentTokens.Token token = service.createToken(nodeId, ttl);
            final ObjectNode answer = json.createObjectNode();
            answer.put("token", token.toString());
            answer.put("nodeId", nodeId);
            answer.put("rootFingerprint", token.rootFingerprint());
            answer.put("ttlSeconds", ttl.toSeconds());
            sendJson(exchange, answer);
            LOG.info("created a one-time enrolment token for node {}, valid {}", nodeId, ttl);
        }
        catch (final CertificateAuthorityException ex)
        {
            problem(exchange, status(ex.category()), ex.getMessage());
        }
    }
}
