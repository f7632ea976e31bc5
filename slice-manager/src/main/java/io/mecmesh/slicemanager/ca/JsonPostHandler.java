package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * What the identity endpoints share: one {@code POST} path, a body limit of 64 KiB, the bearer token, JSON
 * answers, and RFC 9457 problem details ({@code application/problem+json}) whose status follows the
 * {@link CertificateAuthorityException.Category} of the refusal. Subclasses handle the JSON request object.
 */
abstract class JsonPostHandler implements HttpHandler
{
    /** The largest request body accepted; more answers 413. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final String BEARER = "Bearer ";

    /** Shared, thread safe once configured. */
    final ObjectMapper json = new ObjectMapper();

    private final String path;

    /**
     * @param path the one path this handler answers; others get 404.
     */
    JsonPostHandler(final String path)
    {
        this.path = requireNonNull(path, "path");
    }

    @Override
    public final void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange)
        {
            final String requested = exchange.getRequestURI().getPath();
            if (!path.equals(requested))
            {
                problem(exchange, 404, "no identity operation at " + requested + "; use POST " + path);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()))
            {
                exchange.getResponseHeaders().set("Allow", "POST");
                problem(exchange, 405, exchange.getRequestMethod() + " " + requested + ": only POST");
                return;
            }
            final byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES)
            {
                problem(exchange, 413, "the request body exceeds " + MAX_BODY_BYTES + " bytes");
                return;
            }
            onPost(exchange, body);
        }
    }

    /**
     * Handles a {@code POST} to the path with a body within the limit.
     *
     * @param exchange the exchange; closed by the caller.
     * @param body     the request body.
     * @throws IOException if the answer cannot be sent.
     */
    abstract void onPost(HttpExchange exchange, byte[] body) throws IOException;

    /**
     * @param exchange the exchange.
     * @return the token of an {@code Authorization: Bearer} header, null when there is none.
     */
    static String bearerToken(final HttpExchange exchange)
    {
        final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? authorization.substring(BEARER.length()).trim() : null;
    }

    /**
     * Parses the body as a JSON object, answering 400 when it is not one.
     *
     * @param exchange the exchange.
     * @param body     the body.
     * @param expected what the object holds, for the problem's detail.
     * @return the object, or null when a 400 was sent.
     * @throws IOException if the answer cannot be sent.
     */
    final JsonNode jsonObject(final HttpExchange exchange, final byte[] body, final String expected)
        throws IOException
    {
        final JsonNode request;
        try
        {
            request = json.readTree(body);
        }
        catch (final JsonProcessingException ex)
        {
            problem(exchange, 400, "body: not JSON: " + ex.getOriginalMessage());
            return null;
        }
        if (request == null || !request.isObject())
        {
            problem(exchange, 400, "body: expected a JSON object with " + expected);
            return null;
        }
        return request;
    }

    /**
     * @param request a JSON object.
     * @param field   a field name.
     * @return the field's text, null when it is missing or not a string.
     */
    static String text(final JsonNode request, final String field)
    {
        final JsonNode value = request.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /**
     * @param category why the request was refused.
     * @return its HTTP status.
     */
    static int status(final Category category)
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

    /**
     * Sends an identity: {@code {"chain":PEM,"bundle":PEM,"notAfter":ISO}}.
     *
     * @param exchange the exchange.
     * @param signed   the identity.
     * @throws IOException if it cannot be sent.
     */
    final void sendSigned(final HttpExchange exchange, final SigningService.Signed signed) throws IOException
    {
        final ObjectNode answer = json.createObjectNode();
        answer.put("chain", signed.chainPem());
        answer.put("bundle", signed.bundlePem());
        answer.put("notAfter", signed.notAfter().toString());
        if (!signed.configVerificationKeysPem().isEmpty())
        {
            answer.put("configVerificationKeys", signed.configVerificationKeysPem());
        }
        send(exchange, 200, "application/json", json.writeValueAsBytes(answer));
    }

    /**
     * Sends a JSON answer with status 200.
     *
     * @param exchange the exchange.
     * @param body     the JSON document.
     * @throws IOException if it cannot be sent.
     */
    final void sendJson(final HttpExchange exchange, final byte[] body) throws IOException
    {
        send(exchange, 200, "application/json", body);
    }

    /**
     * Sends a problem document.
     *
     * @param exchange the exchange.
     * @param status   the status.
     * @param detail   what was wrong, naming the field or rule.
     * @throws IOException if it cannot be sent.
     */
    final void problem(final HttpExchange exchange, final int status, final String detail) throws IOException
    {
        final ObjectNode problem = json.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        if (status == 401)
        {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"mecmesh\"");
        }
        send(exchange, status, "application/problem+json", json.writeValueAsBytes(problem));
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
            case 404:
                return "Not Found";
            case 405:
                return "Method Not Allowed";
            case 413:
                return "Content Too Large";
            case 422:
                return "Unprocessable Content";
            default:
                return "Service Unavailable";
        }
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
