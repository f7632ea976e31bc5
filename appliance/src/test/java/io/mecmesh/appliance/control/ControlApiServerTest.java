package io.mecmesh.appliance.control;

import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.slicemanager.api.ApiAccess;
import io.mecmesh.slicemanager.http.ApiHandler;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The control-plane API's server on the plain loopback opt-in (the TLS API is driven through the launcher by the
 * conformance tests): {@link ApiAccess} runs before the handler and its denial is the API's problem document.
 */
class ControlApiServerTest
{
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger handled = new AtomicInteger();

    private final ApiHandler echo = exchange ->
    {
        handled.incrementAndGet();
        exchange.respond(200, "application/json", ("{\"caller\":\"" + ((ApiAccess.Caller)exchange.attribute(
            ApiAccess.CALLER_ATTRIBUTE)).name() + "\"}").getBytes(StandardCharsets.UTF_8), Map.of());
    };

    private static ControlPlaneConfig.Api loopback(final int port)
    {
        return new ControlPlaneConfig.Api("127.0.0.1", port, true, Map.of());
    }

    @Test
    void shouldAnswerADeniedRequestWithTheAccessProblemAndNeverReachTheHandler() throws Exception
    {
        try (ControlApiServer server = ControlApiServer.start(loopback(0), Optional.empty(), Duration.ofHours(1),
            Map.of("/v1/", echo)))
        {
            final URI state = URI.create("http://127.0.0.1:" + server.address().getPort() + "/v1/state");

            final HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(state)
                .header("Origin", "https://evil.example").GET().build(), HttpResponse.BodyHandlers.ofString());
            final HttpResponse<String> own = http.send(HttpRequest.newBuilder(state).GET().build(),
                HttpResponse.BodyHandlers.ofString());

            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(foreign.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(foreign.body()).contains("\"reason\":\"foreign_origin\"");
            assertThat(own.statusCode()).isEqualTo(200);
            assertThat(own.body()).isEqualTo("{\"caller\":\"insecure-loopback\"}");
            assertThat(handled).hasValue(1);
            assertThat(server.access().denials(ApiAccess.Denial.FOREIGN_ORIGIN)).isEqualTo(1);
            assertThat(server.scheme()).isEqualTo("http");
        }
    }

    @Test
    void shouldRefuseToStartOnATakenPortNamingTheAddress() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            assertThatThrownBy(() -> ControlApiServer.start(loopback(taken.getLocalPort()), Optional.empty(),
                Duration.ofHours(1), Map.of("/v1/", echo)))
                .isInstanceOfSatisfying(ApplianceException.class, ex -> assertThat(ex.category())
                    .isEqualTo(ApplianceException.Category.UNAVAILABLE))
                .hasMessageStartingWith("control-plane API cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ")
                .hasMessageContaining("in use");
        }
    }
}
