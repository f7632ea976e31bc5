package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.model.DesiredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MEC 011 v3 service liveness against a real server and conductor, with an injected clock: a service registered with
 * a {@code livenessInterval} whose heartbeats lapse is SUSPENDED and out of the mesh (journaled), and its next
 * heartbeat brings it back. Liveness bodies validated against the v3.1.1 schema, ServiceInfo against v2.1.1.
 */
class ServiceLivenessApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "app-1";
    private static final String OWN = "/mec_service_mgmt/v1/applications/" + APP_ID + "/services";
    private static final String SERVICE = """
        {"serName":"beating","version":"1","state":"ACTIVE","serializer":"JSON","livenessInterval":%d,
         "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
          "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}}}""";
    private static final String HEARTBEAT = "{\"state\":\"ACTIVE\"}";

    @TempDir
    Path directory;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T15:00:00Z"));
    private MecApiFixture fixture;
    private HttpClient app;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "", Optional.of(now::get));
        fixture.provisionTwoApps();
        app = fixture.client("app/video-analytics");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldSuspendAServiceWhoseHeartbeatsLapseAndBringItBackWhenItBeats() throws Exception
    {
        final HttpResponse<String> created = send(app, "POST", OWN, SERVICE.formatted(5));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "ServiceInfo", created.body())).isEmpty();
        final JsonNode info = JSON.readTree(created.body());
        final String id = info.get("serInstanceId").asText();
        final String liveness = info.at("/_links/liveness/href").asText();
        assertThat(liveness).isEqualTo(OWN + "/" + id + "/liveness");
        assertThat(info.get("livenessInterval").asInt()).isEqualTo(5);

        now.set(now.get().plusSeconds(9));
        assertThat(fixture.server.sweepLiveness()).isZero();
        assertThat(fixture.backend.state().services()).containsKey("mec-" + id);

        now.set(now.get().plusSeconds(2));
        assertThat(fixture.server.sweepLiveness()).isEqualTo(1);
        final DesiredState suspended = fixture.backend.state();
        assertThat(suspended.services()).doesNotContainKey("mec-" + id);
        assertThat(suspended.nodes().get("edge-1").services()).isEmpty();
        assertThat(suspended.apps().get(APP_ID).service(id).state()).isEqualTo("SUSPENDED");
        final HttpResponse<String> status = fixture.get(app, liveness);
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT_V3, "ServiceLivenessInfo", status.body())).isEmpty();
        assertThat(JSON.readTree(status.body()).get("state").asText()).isEqualTo("SUSPENDED");
        assertThat(JSON.readTree(status.body()).get("interval").asInt()).isEqualTo(5);
        assertThat(fixture.server.sweepLiveness()).as("a suspended service is not suspended again").isZero();

        final HttpResponse<String> beat = send(app, "PATCH", liveness, HEARTBEAT);

        assertThat(beat.statusCode()).as(beat.body()).isEqualTo(204);
        final DesiredState resumed = fixture.backend.state();
        assertThat(resumed.services()).containsKey("mec-" + id);
        assertThat(resumed.nodes().get("edge-1").services()).containsExactly("mec-" + id);
        assertThat(resumed.apps().get(APP_ID).service(id).state()).isEqualTo("ACTIVE");
        final HttpResponse<String> active = fixture.get(app, liveness);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT_V3, "ServiceLivenessInfo", active.body())).isEmpty();
        assertThat(JSON.readTree(active.body()).get("state").asText()).isEqualTo("ACTIVE");
        assertThat(JSON.readTree(active.body()).at("/timeStamp/seconds").asLong())
            .isEqualTo(now.get().getEpochSecond());
        assertThat(fixture.server.liveness().suspensions()).isEqualTo(1);
        assertThat(fixture.server.liveness().resumptions()).isEqualTo(1);

        assertThat(send(app, "DELETE", OWN + "/" + id, "").statusCode()).isEqualTo(204);
        fixture.server.sweepLiveness();
        assertThat(fixture.server.liveness().remembered()).as("a deleted service's beats are forgotten").isZero();
    }

    @Test
    void shouldKeepABeatingServiceInTheMeshAndIgnoreServicesWithoutAnInterval() throws Exception
    {
        final String id = JSON.readTree(send(app, "POST", OWN, SERVICE.formatted(5)).body())
            .get("serInstanceId").asText();
        final HttpResponse<String> quiet = send(app, "POST", OWN, SERVICE.formatted(0).replace("beating", "quiet"));
        final JsonNode quietInfo = JSON.readTree(quiet.body());
        assertThat(quietInfo.has("livenessInterval")).isFalse();
        assertThat(quietInfo.at("/_links/liveness").isMissingNode()).isTrue();

        for (int i = 0; i < 5; i++)
        {
            now.set(now.get().plusSeconds(5));
            assertThat(send(app, "PATCH", OWN + "/" + id + "/liveness", HEARTBEAT).statusCode()).isEqualTo(204);
            assertThat(fixture.server.sweepLiveness()).isZero();
        }

        assertThat(fixture.backend.state().services()).containsKeys("mec-" + id,
            "mec-" + quietInfo.get("serInstanceId").asText());
        MecApiFixture.assertProblem(fixture.get(app, OWN + "/" + quietInfo.get("serInstanceId").asText()
            + "/liveness"), 404);
    }

    @Test
    void shouldRefuseBadHeartbeatsAnotherApplicationsAndAPutWhileSuspendedAndKeepTheState() throws Exception
    {
        final HttpResponse<String> created = send(app, "POST", OWN, SERVICE.formatted(1));
        final String id = JSON.readTree(created.body()).get("serInstanceId").asText();
        final String liveness = OWN + "/" + id + "/liveness";
        now.set(now.get().plusSeconds(3));
        assertThat(fixture.server.sweepLiveness()).isEqualTo(1);
        final DesiredState before = fixture.backend.state();
        final String etag = fixture.get(app, OWN + "/" + id).headers().firstValue("etag").orElseThrow();

        MecApiFixture.assertProblem(send(app, "PATCH", liveness, "{\"state\":\"INACTIVE\"}"), 400);
        MecApiFixture.assertProblem(send(app, "PATCH", liveness, "{\"state\":"), 400);
        MecApiFixture.assertProblem(send(app, "PATCH", OWN + "/nope/liveness", HEARTBEAT), 404);
        MecApiFixture.assertProblem(send(fixture.client("app/other"), "PATCH", liveness, HEARTBEAT), 403);
        MecApiFixture.assertProblem(send(app, "POST", OWN, SERVICE.formatted(1).replace("\"ACTIVE\"",
            "\"SUSPENDED\"")), 400);
        MecApiFixture.assertProblem(send(app, "POST", OWN, SERVICE.formatted(-1)), 400);
        final HttpResponse<String> put = MecApiFixture.send(app, HttpRequest.newBuilder(fixture.uri(OWN + "/" + id))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").header("If-Match", etag)
            .PUT(HttpRequest.BodyPublishers.ofString(SERVICE.formatted(1))).build());
        MecApiFixture.assertProblem(put, 409);

        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    private HttpResponse<String> send(final HttpClient client, final String method, final String path,
        final String body)
    {
        return MecApiFixture.send(client, HttpRequest.newBuilder(fixture.uri(path)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
    }
}
