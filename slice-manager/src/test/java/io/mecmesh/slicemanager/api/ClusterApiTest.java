package io.mecmesh.slicemanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.cluster.ClusterView;
import io.mecmesh.slicemanager.cluster.MemberAddress;
import io.mecmesh.slicemanager.cluster.NoQuorumException;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import io.mecmesh.slicemanager.model.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's cluster parts (issue 18 step 2) on its real server over a real conductor, with the cluster's view and
 * quorum given by the test: {@code Idempotency-Key} reaches the backend, a member without quorum answers writes 503
 * "no quorum" and reads marked stale, {@code /v1/cluster} shows the members, and a linearizable read asks for a
 * barrier first.
 */
class ClusterApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<MemberAddress> MEMBERS = List.of(
        new MemberAddress(0, "127.0.0.1", 20000, "127.0.0.1:9902"),
        new MemberAddress(1, "127.0.0.1", 20010, "127.0.0.1:9912"),
        new MemberAddress(2, "127.0.0.1", 20020, "127.0.0.1:9922"));

    @TempDir
    Path directory;

    private ConductorBackend conductor;
    private ApiHttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<UUID> requestIds = new CopyOnWriteArrayList<>();
    private volatile boolean quorum = true;
    private volatile int barriers;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
        if (conductor != null)
        {
            conductor.close();
        }
    }

    private void start()
    {
        conductor = new ConductorBackend(directory);
        final ControlPlaneBackend member = new ForwardingControlPlaneBackend(conductor)
        {
            @Override
            public long submit(final UUID requestId, final Command command)
            {
                requestIds.add(requestId);
                if (!quorum)
                {
                    throw new NoQuorumException(2, "127.0.0.1:9922", 1_765_155_600_000L);
                }
                return delegate().submit(command);
            }

            @Override
            public Optional<ClusterView> cluster(final boolean logPositions)
            {
                return Optional.of(new ClusterView(2, MEMBERS, quorum ? 0 : -1, 4, 1024, state().sequence(),
                    quorum ? "FOLLOWER" : "CANDIDATE", quorum ? -1 : 1_765_155_600_000L, Map.of()));
            }

            @Override
            public long readBarrier()
            {
                barriers++;
                return state().sequence();
            }
        };
        server = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-control-api", "127.0.0.1", 0), ApiGate.OPEN,
            Map.of("/v1/", new ControlPlaneHttpHandler(member)));
    }

    private HttpResponse<String> send(final String method, final String path, final String body,
        final String... headers) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/v1/" + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        if (headers.length > 0)
        {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldPassTheIdempotencyKeyAsTheRequestIdAndMarkReadsWithTheStateVersionAndLeader() throws Exception
    {
        start();
        final UUID key = UUID.randomUUID();
        final HttpResponse<String> applied = send("POST", "apply", DesiredStateDocumentTest.MINIMAL,
            "Idempotency-Key", key.toString());
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(requestIds).containsExactly(key);

        send("DELETE", "services/video", null, "Idempotency-Key", "not-a-uuid");
        assertThat(requestIds).hasSize(2).last()
            .isEqualTo(UUID.nameUUIDFromBytes("not-a-uuid".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        final HttpResponse<String> read = send("GET", "services", null);
        assertThat(read.headers().firstValue("Mecmesh-State-Sequence")).contains("1");
        assertThat(read.headers().firstValue("Mecmesh-Leader")).contains("0");
        assertThat(read.headers().firstValue("Mecmesh-Stale")).isEmpty();
        assertThat(JSON.readTree(read.body()).has("stale")).isFalse();
    }

    @Test
    void shouldRefuseWritesWithNoQuorumAndServeReadsMarkedStaleWhenAlone() throws Exception
    {
        start();
        assertThat(send("POST", "apply", DesiredStateDocumentTest.MINIMAL).statusCode()).isEqualTo(200);
        quorum = false;

        final HttpResponse<String> refused = send("DELETE", "services/video", null);
        assertThat(refused.statusCode()).isEqualTo(503);
        final JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.path("type").asText()).isEqualTo(ControlPlaneHttpHandler.NO_QUORUM_TYPE);
        assertThat(problem.path("title").asText()).isEqualTo("control plane has no quorum");
        assertThat(problem.path("detail").asText()).isEqualTo("no quorum: member 2 (127.0.0.1:9922) has seen no"
            + " leader since 2025-12-08T01:00:00Z; nothing was applied");
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");

        final HttpResponse<String> read = send("GET", "services", null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Mecmesh-Stale")).contains("since=2025-12-08T01:00:00Z");
        assertThat(read.headers().firstValue("Mecmesh-Leader")).contains("none");
        final JsonNode body = JSON.readTree(read.body());
        assertThat(body.path("items")).hasSize(1);
        assertThat(body.path("stale").path("sequence").asLong()).isEqualTo(1);
        final HttpResponse<String> one = send("GET", "services/video", null);
        assertThat(JSON.readTree(one.body()).has("stale")).as("one object's document stays as it is").isFalse();
        assertThat(one.headers().firstValue("Mecmesh-Stale")).isPresent();
    }

    @Test
    void shouldShowTheMembersAndAskForABarrierOnALinearizableRead() throws Exception
    {
        start();
        final JsonNode cluster = JSON.readTree(send("GET", "cluster", null).body());
        assertThat(cluster.path("enabled").asBoolean()).isTrue();
        assertThat(cluster.path("memberId").asInt()).isEqualTo(2);
        assertThat(cluster.path("leaderMemberId").asInt()).isZero();
        assertThat(cluster.path("leadershipTermId").asLong()).isEqualTo(4);
        assertThat(cluster.path("members")).hasSize(3);
        assertThat(cluster.path("members").get(0).path("role").asText()).isEqualTo("leader");
        assertThat(cluster.path("members").get(1).path("role").asText()).isEqualTo("follower");
        assertThat(cluster.path("members").get(2).path("role").asText()).isEqualTo("follower");
        assertThat(cluster.path("members").get(2).path("api").asText()).isEqualTo("127.0.0.1:9922");
        assertThat(cluster.path("members").get(1).path("lag").isNull()).isTrue();

        assertThat(barriers).isZero();
        assertThat(send("GET", "state?consistency=linearizable", null).statusCode()).isEqualTo(200);
        assertThat(barriers).isEqualTo(1);
        send("GET", "state", null);
        assertThat(barriers).isEqualTo(1);
    }

    @Test
    void shouldSayTheClusterIsOffOnASingleProcessControlPlane() throws Exception
    {
        conductor = new ConductorBackend(directory);
        server = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-control-api", "127.0.0.1", 0), ApiGate.OPEN,
            Map.of("/v1/", new ControlPlaneHttpHandler(conductor)));
        final HttpResponse<String> response = send("GET", "cluster", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("enabled").asBoolean(true)).isFalse();
        assertThat(response.headers().firstValue("Mecmesh-Leader")).isEmpty();
    }
}
