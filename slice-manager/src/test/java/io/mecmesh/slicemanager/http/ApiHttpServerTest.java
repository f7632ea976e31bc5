package io.mecmesh.slicemanager.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API server (Vert.x) on loopback with the JDK's HTTP client: prefixes, the gate, the body limit and the threads
 * handlers run on.
 */
class ApiHttpServerTest
{
    private static final int LIMIT = 1024;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger handled = new AtomicInteger();
    private final Set<String> handlerThreads = ConcurrentHashMap.newKeySet();
    private final List<Integer> bodyLengths = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ApiHttpServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    /** Answers {@code NAME LENGTH} (200), or 413 over the limit, recording what it saw. */
    private ApiHandler handler(final String name)
    {
        return new ApiHandler()
        {
            @Override
            public void handle(final ApiExchange exchange)
            {
                handled.incrementAndGet();
                handlerThreads.add(Thread.currentThread().getName());
                final byte[] body = exchange.body();
                bodyLengths.add(body.length);
                final int status = body.length > LIMIT ? 413 : 200;
                exchange.respond(status, "text/plain", (name + " " + body.length + " " + exchange.rawQuery())
                    .getBytes(StandardCharsets.UTF_8), Map.of("X-Caller", String.valueOf(exchange.attribute("who"))));
            }

            @Override
            public int maxBodyBytes()
            {
                return LIMIT;
            }
        };
    }

    private void start(final ApiGate gate)
    {
        server = ApiHttpServer.start(new ApiHttpServer.Settings("test-api", "127.0.0.1", 0, 2,
            java.util.Optional.empty()), gate, Map.of("/v1/", handler("root"), "/v1/identity/", handler("identity")));
    }

    private HttpResponse<String> send(final String method, final String path, final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldGiveARequestToTheHandlerOfTheLongestPrefixWithItsBodyAndQuery() throws Exception
    {
        start(ApiGate.OPEN);

        assertThat(send("POST", "/v1/identity/sign?x=1", "abc").body()).isEqualTo("identity 3 x=1");
        assertThat(send("GET", "/v1/state", null).body()).isEqualTo("root 0 null");
    }

    @Test
    void shouldStayOnHttp11WhenTheClientOffersAnH2cUpgrade() throws Exception
    {
        start(ApiGate.OPEN);

        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.address().getPort() + "/v1/state")).version(HttpClient.Version.HTTP_2).GET().build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(response.version()).as("no Host header to check on HTTP/2").isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswerAPathUnderNoPrefixWithA404Problem() throws Exception
    {
        start(ApiGate.OPEN);

        final HttpResponse<String> response = send("GET", "/other", null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"status\":404", "/other");
        assertThat(handled).hasValue(0);
    }

    @Test
    void shouldGiveTheHandlerAtMostOneByteOverItsLimitAndStillAnswerALargerBody() throws Exception
    {
        start(ApiGate.OPEN);

        final HttpResponse<String> large = send("POST", "/v1/apply", "x".repeat(LIMIT * 40));
        final HttpResponse<String> next = send("POST", "/v1/apply", "x".repeat(LIMIT));

        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(large.body()).isEqualTo("root " + (LIMIT + 1) + " null");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(bodyLengths).containsExactly(LIMIT + 1, LIMIT);
    }

    @Test
    void shouldNotRunTheHandlerWhenTheGateAnswersAndPassTheGatesAttributesOtherwise() throws Exception
    {
        start(exchange ->
        {
            if (exchange.header("X-Deny") != null)
            {
                exchange.respond(403, "application/problem+json", "{}".getBytes(StandardCharsets.UTF_8), Map.of());
                return false;
            }
            exchange.attribute("who", "admin");
            return true;
        });

        final HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.address().getPort() + "/v1/apply")).header("X-Deny", "1")
            .POST(HttpRequest.BodyPublishers.ofString("y".repeat(LIMIT * 10))).build(),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> allowed = send("GET", "/v1/state", null);

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("X-Caller")).hasValue("admin");
        assertThat(handled).as("only the allowed request reached the handler").hasValue(1);
    }

    @Test
    void shouldRunHandlersOnItsOwnBoundedNamedWorkers() throws Exception
    {
        start(ApiGate.OPEN);

        final List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            responses.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/v1/state")).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
        }
        for (final CompletableFuture<HttpResponse<String>> response : responses)
        {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }

        assertThat(handlerThreads).isNotEmpty().hasSizeLessThanOrEqualTo(2)
            .allSatisfy(name -> assertThat(name).startsWith("test-api-worker"));
    }
}
