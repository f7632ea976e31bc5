package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The node identity endpoint of the control plane, mounted at context {@code /v1/identity/} of its JDK HTTP server:
 * <pre>
 * POST /v1/identity/sign
 * Authorization: Bearer &lt;join token&gt;
 * {"nodeId":"edge-a","site":"site-a","csr":"-----BEGIN CERTIFICATE REQUEST-----..."}
 *
 * 200 {"chain":"PEM","bundle":"PEM","notAfter":"2026-01-01T00:00:00Z"}
 * </pre>
 * Errors are RFC 9457 problem details ({@code application/problem+json}): 400 unreadable request, 401 missing or
 * wrong token, 403 node not allowed this identity, 404/405 other paths or methods, 413 body over 64 KiB, 422 CSR
 * refused by the SVID profile, 503 the CA cannot sign now. The decisions are {@link SigningService}'s.
 */
public final class IdentityHttpHandler implements HttpHandler
{
    /** The context path the handler expects to be mounted at. */
    public static final String CONTEXT = "/v1/identity/";

    private static final Logger LOG = LoggerFactory.getLogger(IdentityHttpHandler.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String BEARER = "Bearer ";

    private final SigningService service;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param service the signing decisions.
     */
    public IdentityHttpHandler(final SigningService service)
    {
        this.service = requireNonNull(service, "service");
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String path = exchange.getRequestURI().getPath();
            if (!(CONTEXT + "sign").equals(path))
            {
                problem(exchange, 404, "Not Found", "no identity operation at " + path + "; use POST " + CONTEXT
                    + "sign");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", "POST");
                problem(exchange, 405, "Method Not Allowed", exchange.getRequestMethod() + " " + path
                    + ": only POST");
                return;
            }
            final byte[] body = readBody(exchange.getRequestBody());
            if (body == null)
            {
                problem(exchange, 413, "Content Too Large", "the request body exceeds " + MAX_BODY_BYTES + " bytes");
                return;
            }
            sign(exchange, body);
        }
    }

    private void sign(final HttpExchange exchange, final byte[] body) throws IOException
    {
        final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        final String token = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? authorization.substring(BEARER.length()).trim() : null;
        try
        {
            service.authenticate(token);
        }
        catch (final CertificateAuthorityException ex)
        {
            LOG.warn("refused a signing request from {}: {}", exchange.getRemoteAddress(), ex.getMessage());
            problem(exchange, 401, title(401), ex.getMessage());
            return;
        }
        final JsonNode request;
        try
        {
            request = json.readTree(body);
        }
        catch (final JsonProcessingException ex)
        {
            problem(exchange, 400, "Bad Request", "body: not JSON: " + ex.getOriginalMessage());
            return;
        }
        if (request == null || !request.isObject())
        {
            problem(exchange, 400, "Bad Request", "body: expected a JSON object with nodeId, site and csr");
            return;
        }
        final String nodeId = text(request, "nodeId");
        try
        {
            final SigningService.Signed signed = service.sign(nodeId, text(request, "site"),
                text(request, "csr"), token);
            final ObjectNode answer = json.createObjectNode();
            answer.put("chain", signed.chainPem());
            answer.put("bundle", signed.bundlePem());
            answer.put("notAfter", signed.notAfter().toString());
            send(exchange, 200, "application/json", json.writeValueAsBytes(answer));
            LOG.info("issued the SVID of node {} until {}", nodeId, signed.notAfter());
        }
        catch (final CertificateAuthorityException ex)
        {
            final int status = status(ex.category());
            LOG.warn("refused the signing request of node {}: {} {}", nodeId, status, ex.getMessage());
            problem(exchange, status, title(status), ex.getMessage());
        }
    }

    private static String text(final JsonNode request, final String field)
    {
        final JsonNode value = request.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static int status(final Category category)
    {
        switch (category)
        {
            case MALFORMED_REQUEST:
                return 400;
            case UNAUTHENTICATED:
                return 401;
            case FORBIDDEN:
                return 403;
            case REQUEST_REFUSED:
                return 422;
            default:
                return 503;
        }
    }

    private static String title(final int status)
    {
        switch (status)
        {
            case 400:
                return "Bad Request";
            case 401:
                return "Unauthorized";
            case 403:
                return "Forbidden";
            case 422:
                return "Unprocessable Content";
            default:
                return "Service Unavailable";
        }
    }

    private static byte[] readBody(final InputStream in) throws IOException
    {
        final byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private void problem(final HttpExchange exchange, final int status, final String title, final String detail)
        throws IOException
    {
        final ObjectNode problem = json.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        if (status == 401)
        {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"mecmesh\"");
        }
        send(exchange, status, "application/problem+json", json.writeValueAsBytes(problem));
    }

    private static void send(final HttpExchange exchange, final int status, final String contentType,
        final byte[] body) throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", contentType.toLowerCase(Locale.ROOT));
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }
}
