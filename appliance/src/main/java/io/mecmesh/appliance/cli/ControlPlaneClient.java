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
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.net.ssl.SSLContext;

import static java.util.Objects.requireNonNull;

/**
 * A small client of the control plane's {@code /v1/} API over {@link HttpClient}: JSON in and out, RFC 9457 problems
 * turned into {@link CommandFailedException}s whose message is the problem's one-line detail. One request at a time;
 * not shared between threads.
 *
 * <p>With several servers (the members of a control-plane cluster, DESIGN-ha.md 2.2) a request that finds a member
 * unreachable, or is answered 503 (no quorum, not acknowledged), goes to the next member, at most
 * {@value #MAX_TRIES} tries with a pause of {@link #ROUND_PAUSE} after each round over the list. Every write of one
 * client (one CLI invocation) carries the same {@code Idempotency-Key}, so a retried write is applied once.
 */
final class ControlPlaneClient
{
    /** How long to wait for the connection and for each answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The most tries of one request over several servers. */
    static final int MAX_TRIES = 10;
    /** The pause after each round over the servers. */
    static final Duration ROUND_PAUSE = Duration.ofSeconds(1);

    private final List<URI> servers;
    private final HttpClient http;
    private final String idempotencyKey = UUID.randomUUID().toString();
    private int current;
    private String staleNotice;

    /**
     * @param server the API's base, e.g. {@code https://127.0.0.1:9902/}.
     * @param tls    the client's TLS context (its certificate, the CA bundle) for an {@code https} server.
     */
    ControlPlaneClient(final URI server, final Optional<SSLContext> tls)
    {
        this(List.of(requireNonNull(server, "server")), tls);
    }

    /**
     * @param servers the members' API bases, tried in order.
     * @param tls     the client's TLS context for {@code https} servers.
     */
    ControlPlaneClient(final List<URI> servers, final Optional<SSLContext> tls)
    {
        this.servers = List.copyOf(requireNonNull(servers, "servers"));
        if (this.servers.isEmpty())
        {
            throw new IllegalArgumentException("servers: empty");
        }
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

    /**
     * @return "(stale: ...)" when the last read came from a member without a quorum, else empty.
     */
    Optional<String> staleNotice()
    {
        return Optional.ofNullable(staleNotice);
    }

    /**
     * @return the key every write of this client carries (its retries included).
     */
    String idempotencyKey()
    {
        return idempotencyKey;
    }

    private JsonNode send(final String method, final String path, final JsonNode body)
    {
        final int tries = servers.size() == 1 ? 1 : MAX_TRIES;
        CommandFailedException last = null;
        boolean lastAnswered = false;
        for (int attempt = 0; attempt < tries; attempt++)
        {
            if (attempt > 0 && attempt % servers.size() == 0)
            {
                pause();
            }
            try
            {
                return sendOnce(servers.get(current), method, path, body);
            }
            catch (final RetryableException ex)
            {
                // Keep the most telling failure: a member's own answer (no quorum) over an unreachable one.
                if (last == null || ex.answered || !lastAnswered)
                {
                    last = ex.failure;
                    lastAnswered = ex.answered;
                }
                current = (current + 1) % servers.size();
            }
        }
        throw servers.size() == 1 ? last : new CommandFailedException(last.exitCode(), last.getMessage()
            + " (tried " + tries + " times over " + servers.size() + " servers, Idempotency-Key " + idempotencyKey
            + ")");
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(ROUND_PAUSE.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "interrupted while waiting to retry");
        }
    }

    private JsonNode sendOnce(final URI server, final String method, final String path, final JsonNode body)
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
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .method(method, publisher);
        if (!"GET".equals(method))
        {
            request.header("Idempotency-Key", idempotencyKey);
        }
        final HttpResponse<byte[]> response;
        try
        {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (final IOException ex)
        {
            throw new RetryableException(new CommandFailedException(ExitCode.UNAVAILABLE, "control plane at " + server
                + " is unreachable: " + describe(ex) + " (is 'mecmesh run' with role control or all running there?"
                + " set --server or $" + ServerOption.VARIABLE + ")"), false);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CommandFailedException(ExitCode.UNAVAILABLE, "interrupted while waiting for " + uri);
        }
        final JsonNode json = parse(server, response);
        if (response.statusCode() == 503)
        {
            throw new RetryableException(problem(response.statusCode(), json), true);
        }
        if (response.statusCode() >= 400)
        {
            throw problem(response.statusCode(), json);
        }
        final JsonNode stale = json.path("stale");
        staleNotice = stale.isObject() ? "(stale: " + server + " has no quorum since " + stale.path("since").asText()
            + "; state version " + stale.path("sequence").asLong() + ")" : response.headers()
            .firstValue("Mecmesh-Stale").map(value -> "(stale: " + server + " has no quorum, " + value + ")")
            .orElse(null);
        return json;
    }

    /** A failure the next server may not have: unreachable, or 503. */
    private static final class RetryableException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final CommandFailedException failure;
        private final boolean answered;

        RetryableException(final CommandFailedException failure, final boolean answered)
        {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
            this.answered = answered;
        }
    }

    private JsonNode parse(final URI server, final HttpResponse<byte[]> response)
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
