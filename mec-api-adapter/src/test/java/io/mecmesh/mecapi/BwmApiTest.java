package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.DesiredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MEC 015 bandwidth management against a real server (127.0.0.1, TLS, client certificates) and a real conductor
 * (journal on disk). Every response body is validated against the ETSI MEC 015 v2.1.1 schemas; every refused change
 * is checked to leave the state as it was.
 */
class BwmApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "/bwm/v1/bw_allocations";
    private static final String DOWNLINK_1M = """
        {"appInsId":"app-1","requestType":0,"fixedAllocation":"1000000","allocationDirection":"00"}""";

    @TempDir
    Path directory;

    private MecApiFixture fixture;
    private HttpClient app;
    private HttpClient other;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "/mec");
        fixture.provisionTwoApps();
        app = fixture.client("app/video-analytics");
        other = fixture.client("app/other");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private HttpResponse<String> post(final String body)
    {
        return fixture.send(app, "POST", BASE, body, null);
    }

    private static String idOf(final HttpResponse<String> created)
    {
        final String location = created.headers().firstValue("Location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static JsonNode json(final String body) throws Exception
    {
        return JSON.readTree(body);
    }

    private static void assertBwInfo(final HttpResponse<String> response, final int status)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(EtsiSchemas.validate(EtsiSchemas.BWM, "BwInfo", response.body())).isEmpty();
    }

    @Test
    void shouldCreateAnAllocationWithItsLocationAndAnswerItThere() throws Exception
    {
        final HttpResponse<String> created = post(DOWNLINK_1M);

        assertBwInfo(created, 201);
        assertThat(created.headers().firstValue("Location")).hasValueSatisfying(location ->
            assertThat(location).startsWith("https://127.0.0.1:" + fixture.server.port() + "/mec" + BASE + "/"));
        final HttpResponse<String> read = fixture.get(app, BASE + "/" + idOf(created));
        assertBwInfo(read, 200);
        assertThat(json(read.body())).isEqualTo(json(DOWNLINK_1M));
        assertThat(read.headers().firstValue("ETag")).isPresent();
        final BwAllocation stored = fixture.backend.state().bwAllocations().get(idOf(created));
        assertThat(stored.fixedAllocationBps()).isEqualTo(1_000_000);
        assertThat(stored.direction()).isEqualTo(BwAllocation.Direction.DOWNLINK);
    }

    @Test
    void shouldListTheCallersAllocationsByFilterAndAnswer404WhenAFilterMatchesNothing()
    {
        post(DOWNLINK_1M);
        fixture.send(other, "POST", BASE, DOWNLINK_1M.replace("app-1", "app-2"), null);

        final HttpResponse<String> all = fixture.get(app, BASE);
        final HttpResponse<String> byId = fixture.get(app, BASE + "?app_instance_id=app-1");
        final HttpResponse<String> byName = fixture.get(app, BASE + "?app_name=video-analytics");

        for (final HttpResponse<String> response : java.util.List.of(all, byId, byName))
        {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(EtsiSchemas.validateArray(EtsiSchemas.BWM, "BwInfo", response.body())).isEmpty();
            assertThat(response.body()).contains("\"appInsId\":\"app-1\"").doesNotContain("app-2");
        }
        MecApiFixture.assertProblem(fixture.get(app, BASE + "?app_instance_id=app-2"), 404);
        MecApiFixture.assertProblem(fixture.get(app, BASE + "?app_name=nothing"), 404);
        MecApiFixture.assertProblem(fixture.get(app, BASE + "?session_id=s-1"), 404);
        MecApiFixture.assertProblem(fixture.get(app, BASE + "?ue_ipv4_address=10.0.0.1"), 400);
    }

    @Test
    void shouldRefuseBadInputWith400AndLeaveTheStateUnchanged()
    {
        final DesiredState before = fixture.backend.state();

        final String[] bodies = {
            DOWNLINK_1M.replace("app-1", "no-such-app"),
            DOWNLINK_1M.replace("\"00\"", "\"11\""),
            DOWNLINK_1M.replace("\"requestType\":0", "\"requestType\":1"),
            DOWNLINK_1M.replace("\"1000000\"", "\"1Mbps\""),
            DOWNLINK_1M.replace("\"1000000\"", "1000000"),
            DOWNLINK_1M.replace("\"1000000\"", "\"0\""),
            DOWNLINK_1M.replace("\"requestType\":0", "\"requestType\":\"0\""),
            DOWNLINK_1M.replace("\"1000000\"", "\"200000001\""),
            "{\"appInsId\":\"app-1\",\"requestType\":0,\"allocationDirection\":\"00\"}",
            "[]",
        };
        for (final String body : bodies)
        {
            MecApiFixture.assertProblem(post(body), 400);
        }

        assertThat(fixture.backend.state()).isEqualTo(before);
        assertThat(post(DOWNLINK_1M.replace("\"1000000\"", "\"200000001\"")).body())
            .contains("over the downlink MBR of slice 1-0000a1");
        assertThat(post(DOWNLINK_1M.replace("\"requestType\":0", "\"requestType\":1")).body())
            .contains("sessionFilter: required");
    }

    @Test
    void shouldStoreASessionSpecificAllocationWithItsFilter() throws Exception
    {
        final String session = """
            {"appInsId":"app-1","requestType":1,"fixedAllocation":"500000","allocationDirection":"10",
             "sessionFilter":[{"sourceIp":"10.45.0.7","sourcePort":["40000"],"dstAddress":"192.0.2.1",
              "dstPort":["443"],"protocol":"6"}]}""";

        final HttpResponse<String> created = post(session);

        assertBwInfo(created, 201);
        assertThat(json(created.body())).isEqualTo(json(session));
        final HttpResponse<String> bySession = fixture.get(app, BASE + "?session_id=" + idOf(created));
        assertThat(bySession.statusCode()).isEqualTo(200);
        assertThat(json(bySession.body()).size()).isEqualTo(1);
        MecApiFixture.assertProblem(post(session.replace("\"6\"", "\"tcp\"")), 400);
        MecApiFixture.assertProblem(post(session.replace("\"443\"", "\"70000\"")), 400);
    }

    @Test
    void shouldRefuseASessionFilterThatNamesMoreThanOneTcpSessionAndLeaveTheStateUnchanged()
    {
        final String session = """
            {"appInsId":"app-1","requestType":1,"fixedAllocation":"500000","allocationDirection":"00",
             "sessionFilter":[{"sourceIp":"10.45.0.7","sourcePort":["40000"],"dstAddress":"192.0.2.1",
              "dstPort":["443"],"protocol":"6"}]}""";
        final var before = fixture.backend.state();

        assertThat(post(session.replace("\"6\"", "\"17\"")).body())
            .contains("sessionFilter[0].protocol: only \\\"6\\\" (TCP)");
        assertThat(post(session.replace("10.45.0.7", "10.45.0.0/16")).body())
            .contains("sessionFilter[0].sourceIp: expected a single address");
        assertThat(post(session.replace("[\"40000\"]", "[\"40000\",\"40001\"]")).body())
            .contains("sessionFilter[0].sourcePort: expected one port");
        assertThat(post(session.replace("\"dstPort\":[\"443\"],", "")).body())
            .contains("sessionFilter[0].dstPort: expected one port");
        assertThat(post(session.replace("}]}", "},{\"sourceIp\":\"10.45.0.8\"}]}")).body())
            .contains("sessionFilter: expected one entry naming a single session");
        MecApiFixture.assertProblem(post(session.replace("\"192.0.2.1\",", "\"192.0.2.0/24\",")), 400);
        assertThat(fixture.backend.state()).isEqualTo(before);
        assertThat(post(session.replace("10.45.0.7", "10.45.0.7/32")).statusCode()).isEqualTo(201);
    }

    @Test
    void shouldReplaceAndPatchAnAllocationUnderIfMatch() throws Exception
    {
        final String id = idOf(post(DOWNLINK_1M));
        final String path = BASE + "/" + id;
        final String etag = fixture.get(app, path).headers().firstValue("ETag").orElseThrow();

        final HttpResponse<String> replaced = fixture.send(app, "PUT", path,
            DOWNLINK_1M.replace("\"00\"", "\"10\""), etag);
        MecApiFixture.assertProblem(fixture.send(app, "PUT", path, DOWNLINK_1M, etag), 412);
        final HttpResponse<String> patched = fixture.send(app, "PATCH", path,
            "{\"appInsId\":\"app-1\",\"requestType\":0,\"fixedAllocation\":\"4000000\"}", null);

        assertBwInfo(replaced, 200);
        assertThat(json(replaced.body()).get("allocationDirection").asText()).isEqualTo("10");
        assertBwInfo(patched, 200);
        assertThat(json(patched.body()).get("fixedAllocation").asText()).isEqualTo("4000000");
        assertThat(json(patched.body()).get("allocationDirection").asText()).isEqualTo("10");
        assertThat(fixture.backend.state().bwAllocations().get(id).fixedAllocationBps()).isEqualTo(4_000_000);
        MecApiFixture.assertProblem(fixture.send(app, "PATCH", path,
            "{\"appInsId\":\"app-2\",\"requestType\":0,\"fixedAllocation\":\"1\"}", null), 400);
        MecApiFixture.assertProblem(fixture.send(app, "PUT", path, DOWNLINK_1M.replace("app-1", "app-2"), null), 400);
        MecApiFixture.assertProblem(fixture.send(app, "PATCH", BASE + "/nope",
            "{\"appInsId\":\"app-1\",\"requestType\":0}", null), 404);
        assertThat(fixture.backend.state().bwAllocations().get(id).fixedAllocationBps()).isEqualTo(4_000_000);
    }

    @Test
    void shouldDeleteAnAllocation()
    {
        final String path = BASE + "/" + idOf(post(DOWNLINK_1M));

        assertThat(fixture.send(app, "DELETE", path, null, null).statusCode()).isEqualTo(204);

        MecApiFixture.assertProblem(fixture.get(app, path), 404);
        MecApiFixture.assertProblem(fixture.send(app, "DELETE", path, null, null), 404);
        assertThat(fixture.backend.state().bwAllocations()).isEmpty();
    }

    @Test
    void shouldForbidAnotherApplicationsAllocations()
    {
        final String path = BASE + "/" + idOf(post(DOWNLINK_1M));

        MecApiFixture.assertProblem(fixture.get(other, path), 403);
        MecApiFixture.assertProblem(fixture.send(other, "PATCH", path,
            "{\"appInsId\":\"app-1\",\"requestType\":0,\"fixedAllocation\":\"1\"}", null), 403);
        MecApiFixture.assertProblem(fixture.send(other, "DELETE", path, null, null), 403);
        MecApiFixture.assertProblem(fixture.send(other, "POST", BASE, DOWNLINK_1M, null), 403);
        assertThat(fixture.backend.state().bwAllocations()).hasSize(1);
    }

    @Test
    void shouldKeepAllocationsAcrossAControlPlaneRestart()
    {
        final String path = BASE + "/" + idOf(post(DOWNLINK_1M));
        fixture.close();

        fixture = new MecApiFixture(directory, "/mec");
        final HttpResponse<String> read = fixture.get(fixture.client("app/video-analytics"), path);

        assertBwInfo(read, 200);
        assertThat(read.body()).contains("\"fixedAllocation\":\"1000000\"");
    }
}
