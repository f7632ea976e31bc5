package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Errors as ETSI ProblemDetails ({@code application/problem+json}, RFC 7807 fields {@code type, title, status,
 * detail, instance}), the only error form the MEC APIs answer.
 */
final class Problems
{
    static final String CONTENT_TYPE = "application/problem+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems()
    {
    }

    /**
     * Ends the exchange with a problem.
     *
     * @param context the exchange.
     * @param status  the HTTP status.
     * @param detail  what is wrong, naming the field or parameter.
     */
    static void send(final RoutingContext context, final int status, final String detail)
    {
        final ObjectNode body = JSON.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", title(status));
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", context.request().path());
        context.response()
            .setStatusCode(status)
            .putHeader("Content-Type", CONTENT_TYPE)
            .end(Buffer.buffer(body.toString()));
    }

    static String title(final int status)
    {
        return switch (status)
        {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 412 -> "Precondition Failed";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
