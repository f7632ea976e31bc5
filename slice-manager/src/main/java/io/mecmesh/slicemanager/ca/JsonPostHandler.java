package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException.Category;
import io.mecmesh.slicemanager.http.ApiExchange;
import io.mecmesh.slicemanager.http.ApiHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What the identity endpoints share: one {@code POST} path, a body limit of 64 KiB, the bearer token, JSON
 * answers, and RFC 9457 problem details ({@code application/problem+json}) whose status follows the
 * {@link CertificateAuthorityException.Category} of the refusal. Subclasses handle the JSON request object. The
 * server ({@code io.mecmesh.slicemanager.http.ApiHttpServer}) reads at most {@link #maxBodyBytes()} + 1 bytes of
 * the body; the handler answers every exchange it is given.
 */
abstract class JsonPostHandler implements ApiHandler
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
    public final void handle(final ApiExchange exchange)
    {
        final String requested = exchange.rawPath();
        if (!path.equals(requested))
        {
            problem(exchange, 404, "no identity operation at " + requested + "; use POST " + path);
            return;
        }
        if (!"POST".equals(exchange.method()))
        {
            problem(exchange, 405, exchange.method() + " " + requested + ": only POST", Map.of("Allow", "POST"));
            return;
        }
        final byte[] body = exchange.body();
        if (body.length > MAX_BODY_BYTES)
        {
            problem(exchange, 413, "the request body exceeds " + MAX_BODY_BYTES + " bytes");
            return;
        }
        onPost(exchange, body);
    }

    @Override
    public final int maxBodyBytes()
    {
        return MAX_BODY_BYTES;
    }

    /**
     * Handles a {@code POST} to the path with a body within the limit.
     *
     * @param exchange the exchange, to be answered.
     * @param body     the request body.
     */
    abstract void onPost(ApiExchange exchange, byte[] body);

    /**
     * @param exchange the exchange.
     * @return the token of an {@code Authorization: Bearer} header, null when there is none.
     */
    static String bearerToken(final ApiExchange exchange)
    {
        final String authorization = exchange.header("Authorization");
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
     */
    final JsonNode jsonObject(final ApiExchange exchange, final byte[] body, final String expected)
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
        catch (final IOException ex)
        {
            throw new UncheckedIOException("reading a body in memory", ex);
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
     */
    final void sendSigned(final ApiExchange exchange, final SigningService.Signed signed)
    {
        final ObjectNode answer = json.createObjectNode();
        answer.put("chain", signed.chainPem());
        answer.put("bundle", signed.bundlePem());
        answer.put("notAfter", signed.notAfter().toString());
        if (!signed.configVerificationKeysPem().isEmpty())
        {
            answer.put("configVerificationKeys", signed.configVerificationKeysPem());
        }
        send(exchange, 200, "application/json", bytes(answer), Map.of());
    }

    /**
     * Sends a JSON answer with status 200.
     *
     * @param exchange the exchange.
     * @param body     the JSON document.
     */
    final void sendJson(final ApiExchange exchange, final JsonNode body)
    {
        send(exchange, 200, "application/json", bytes(body), Map.of());
    }

    /**
     * Sends a problem document.
     *
     * @param exchange the exchange.
     * @param status   the status.
     * @param detail   what was wrong, naming the field or rule.
     */
    final void problem(final ApiExchange exchange, final int status, final String detail)
    {
        problem(exchange, status, detail, status == 401 ? Map.of("WWW-Authenticate", "Bearer realm=\"mecmesh\"")
            : Map.of());
    }

    private void problem(final ApiExchange exchange, final int status, final String detail,
        final Map<String, String> headers)
    {
        final ObjectNode problem = json.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        send(exchange, status, "application/problem+json", bytes(problem), headers);
    }

    private byte[] bytes(final JsonNode node)
    {
        try
        {
            return json.writeValueAsBytes(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a JSON tree cannot be written", ex);
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

    private static void send(final ApiExchange exchange, final int status, final String contentType,
        final byte[] body, final Map<String, String> headers)
    {
        final Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Cache-Control", "no-store");
        exchange.respond(status, contentType.toLowerCase(Locale.ROOT), body, all);
    }
}
