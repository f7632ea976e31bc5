package io.mecmesh.mecapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.journal.JournalException;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * What every MEC API handler does the same way: run with errors turned into ProblemDetails, find the application
 * instance of the path and check that the caller is that application (403 otherwise), read a JSON body, compare
 * ETags, and submit a command to the slice manager.
 */
final class Exchanges
{
    /** A handler's work; throws {@link MecApiException} for a refusal. */
    interface Work
    {
        void run(RoutingContext context);
    }

    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Exchanges()
    {
    }

    /**
     * Runs a handler's work and answers a refusal, a state refusal (400/404/409) or a journal failure (503) as a
     * ProblemDetails.
     */
    static void run(final RoutingContext context, final Work work)
    {
        try
        {
            work.run(context);
        }
        catch (final MecApiException ex)
        {
            Problems.send(context, ex.status(), ex.getMessage());
        }
        catch (final CommandRejectedException ex)
        {
            final int status = switch (ex.category())
            {
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                default -> 400;
            };
            Problems.send(context, status, ex.field() + ": " + ex.reason());
        }
        catch (final JournalException ex)
        {
            Problems.send(context, 503, "the change could not be journaled; nothing was changed: " + ex.getMessage());
        }
    }

    /** Refuses any query parameter not in {@code allowed} (400, naming it). */
    static void requireQuery(final RoutingContext context, final Set<String> allowed)
    {
        for (final String name : context.queryParams().names())
        {
            if (!allowed.contains(name))
            {
                throw new MecApiException(400, "unknown query parameter \"" + name + "\"" + (allowed.isEmpty()
                    ? " (this resource takes none)" : " (expected: " + String.join(", ", new java.util.TreeSet<>(allowed))
                    + ")"));
            }
        }
    }

    /**
     * The application instance named by the path parameter {@code appInstanceId}, if the caller is that application.
     *
     * @throws MecApiException 404 if there is no such instance, 403 if the caller is another application.
     */
    static AppInstance ownApp(final RoutingContext context, final ControlPlaneBackend backend)
    {
        final String id = context.pathParam("appInstanceId");
        final AppInstance app = backend.state().apps().get(id);
        if (app == null)
        {
            throw new MecApiException(404, "no application instance \"" + id + "\"");
        }
        final SpiffeId caller = context.get(MecApiServer.CALLER);
        if (!app.spiffeId().equals(caller.toString()))
        {
            throw new MecApiException(403, "application instance \"" + id + "\" belongs to another application: "
                + caller + " may only use its own resources");
        }
        return app;
    }

    /** The request body as a JSON tree: 415 if not JSON, 400 if malformed. */
    static JsonNode body(final RoutingContext context)
    {
        final String type = context.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json"))
        {
            throw new MecApiException(415, "expected Content-Type: application/json, got " + (type == null ? "none"
                : type));
        }
        final RequestBody body = context.body();
        if (body == null || body.length() <= 0)
        {
            throw new MecApiException(400, "body: required");
        }
        try
        {
            return JSON.readTree(body.buffer().getBytes());
        }
        catch (final JsonProcessingException ex)
        {
            throw new MecApiException(400, "body: not valid JSON: " + ex.getOriginalMessage());
        }
        catch (final java.io.IOException ex)
        {
            throw new MecApiException(400, "body: cannot be read: " + ex.getMessage());
        }
    }

    /** A strong ETag of a representation: its SHA-256, shortened. */
    static String etag(final JsonNode representation)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(representation.toString().getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }

    /**
     * Checks {@code If-Match} (absent: any; {@code *}; or a list of ETags, one of which must be the current one).
     *
     * @throws MecApiException 412 if it does not match.
     */
    static void requireIfMatch(final RoutingContext context, final String currentEtag)
    {
        final String ifMatch = context.request().getHeader("If-Match");
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*"))
        {
            return;
        }
        for (final String tag : ifMatch.split(","))
        {
            final String trimmed = tag.trim();
            if (trimmed.equals(currentEtag) || trimmed.equals("W/" + currentEtag))
            {
                return;
            }
        }
        throw new MecApiException(412, "If-Match " + ifMatch + " does not match the current ETag " + currentEtag
            + ": the resource changed since it was read");
    }

    static void json(final RoutingContext context, final int status, final JsonNode body)
    {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(Buffer.buffer(body.toString()));
    }

    static void jsonWithEtag(final RoutingContext context, final ObjectNode body)
    {
        context.response().putHeader("ETag", etag(body));
        json(context, 200, body);
    }
}
