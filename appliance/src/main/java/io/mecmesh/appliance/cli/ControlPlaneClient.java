package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.dataplane.tls.JdkSslContexts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import static java.util.Objects.requireNonNull;

/**
 * A small client of the control plane's {@code /v1/} API over {@link HttpClient}: JSON in and out, RFC 9457 problems
 * turned into {@link CommandFailedException}s whose message is the problem's one-line detail. One request at a time;
 * not shared between threads.
 */
final class ControlPlaneClient
{
    /** How long to wait for the connection and for each answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI server;
    private final HttpClient http;

    /**
     * @param server the API's base, e.g. {@code https://127.0.0.1:9902/}.
     * @param tls    the client's TLS context (its certificate, the CA bundle) for an {@code https} server.
     */
    ControlPlaneClient(final URI server, final Optional<SSLContext> tls)
    {
        this.server = requireNonNull(server, "server");
        final HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1);
        requireNonNull(tls, "tls").ifPresent(context -> builder.sslContext(context)
            .sslParameters(JdkSslContexts.parameters(context, false)));
        this.http = builder.build();
    }

    JsonNode get(final String path)
    {
        return send("GET", path, null);
    }

    JsonNode post(final String path, final JsonNode body)
    {
        return send("POST", path, body);
    }

    JsonNode put(final String path, final JsonNode body)
    {
        return send("PUT", path, body);
    }

    JsonNode delete(final String path)
    {
        return send("DELETE", path, null);
    }

    private JsonNode send(final String method, final String path, final JsonNode body)
    {
        final URI uri = server.resolve("v1/" + path);
        final HttpRequest.BodyPublisher publisher;
        try
        {
            publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot encode the request body", ex);
        }
        final HttpRequest request = HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build();
        final HttpResponse<byte[]> response;
        try
        {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "control plane at " + server
                + " is unreachable: " + describe(ex) + " (is 'mecmesh run' with role control or all running there?"
                + " set --server or $" + ServerOption.VARIABLE + ")");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "interrupted while waiting for " + uri);
        }
        final JsonNode json = parse(response);
        if (response.statusCode() >= 400)
        {
            throw problem(response.statusCode(), json);
        }
        return json;
    }

    private JsonNode parse(final HttpResponse<byte[]> response)
    {
        try
        {
            final JsonNode json = JSON.readTree(response.body());
            if (json == null || json.isMissingNode() || !json.isObject())
            {
                throw new CommandFailedException(ExitCode.UNAVAILABLE, server + " answered " + response.statusCode()
                    + " without a JSON object: is it a mecmesh control plane?");
            }
            return json;
        }
        catch (final IOException ex)
        {
            throw new CommandFailedException(ExitCode.UNAVAILABLE, server + " answered " + response.statusCode()
                + " with something that is not JSON: is it a mecmesh control plane?");
        }
    }

    private static CommandFailedException problem(final int status, final JsonNode problem)
    {
        final String detail = (status == 401 || status == 403 ? status + " " : "")
            + problem.path("detail").asText(problem.path("title").asText("HTTP " + status));
        final int exitCode;
        if (status == 400 || status == 413 || status == 422)
        {
            exitCode = ExitCode.INVALID_INPUT;
        }
        else if (status == 404 || status == 409)
        {
            exitCode = ExitCode.FAILURE;
        }
        else if (status == 503)
        {
            exitCode = ExitCode.UNAVAILABLE;
        }
        else if (status == 401 || status == 403)
        {
            exitCode = ExitCode.NO_PERMISSION;
        }
        else if (status == 415)
        {
            exitCode = ExitCode.INVALID_INPUT;
        }
        else
        {
            exitCode = ExitCode.SOFTWARE;
        }
        return new CommandFailedException(exitCode, detail.replaceAll("[\\r\\n]+", " "));
    }

    private static String describe(final IOException ex)
    {
        final String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName() : message;
    }
}
