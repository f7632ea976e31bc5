package io.mecmesh.appliance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --server a,b,c} (issue 18 step 2): a write that finds a member down or answered 503 goes to the next member
 * with the same {@code Idempotency-Key}; when none takes it, the error is a member's own answer.
 */
class ControlPlaneClientFailoverTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_QUORUM = "{\"type\": \"https://mecmesh.io/problems/no-quorum\", \"status\": 503,"
        + " \"detail\": \"no quorum: member 1 has seen no leader since 2026-12-08T01:00:00Z; nothing was applied\"}";

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<String> keys = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop()
    {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void shouldRetryAWriteOnTheNextMemberWithTheSameIdempotencyKey() throws IOException
    {
        final ControlPlaneClient client = new ControlPlaneClient(List.of(closedPort(), answering(503, NO_QUORUM),
            answering(200, "{\"version\": 3}")), Optional.empty());

        assertThat(client.post("apply", JSON.createObjectNode()).path("version").asLong()).isEqualTo(3);
        assertThat(keys).hasSize(2).containsOnly(client.idempotencyKey());
    }

    @Test
    void shouldReportAMembersNoQuorumAnswerWhenNoMemberTakesTheWrite() throws IOException
    {
        final ControlPlaneClient client = new ControlPlaneClient(List.of(answering(503, NO_QUORUM), closedPort()),
            Optional.empty());

        assertThatThrownBy(() -> client.post("apply", JSON.createObjectNode()))
            .isInstanceOfSatisfying(CommandFailedException.class, ex ->
                assertThat(ex.exitCode()).isEqualTo(ExitCode.UNAVAILABLE))
            .hasMessageStartingWith("no quorum: member 1")
            .hasMessageContaining("tried " + ControlPlaneClient.MAX_TRIES + " times over 2 servers")
            .hasMessageContaining(client.idempotencyKey());
        assertThat(keys).hasSize(ControlPlaneClient.MAX_TRIES / 2).containsOnly(client.idempotencyKey());
    }

    @Test
    void shouldNotRetryWithOneServerNorSendAKeyOnReads() throws IOException
    {
        final ControlPlaneClient one = new ControlPlaneClient(List.of(answering(503, NO_QUORUM)), Optional.empty());
        assertThatThrownBy(() -> one.post("apply", JSON.createObjectNode()))
            .hasMessage("no quorum: member 1 has seen no leader since 2026-12-08T01:00:00Z; nothing was applied");
        assertThat(keys).hasSize(1);

        final ControlPlaneClient reader = new ControlPlaneClient(List.of(answering(200, "{\"items\": []}")),
            Optional.empty());
        reader.get("services");
        assertThat(keys).hasSize(2).last().isEqualTo("");
    }

    private URI answering(final int status, final String body) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/", exchange ->
        {
            final String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            keys.add(key == null ? "" : key);
            exchange.getRequestBody().readAllBytes();
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        });
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private static URI closedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }
    }
}
