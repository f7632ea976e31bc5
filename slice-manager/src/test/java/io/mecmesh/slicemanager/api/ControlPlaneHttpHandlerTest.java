package io.mecmesh.slicemanager.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.distribution.RejectReason;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import io.mecmesh.slicemanager.model.DesiredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API on its real server (Vert.x, {@link ApiHttpServer}) on loopback, over a real conductor journaling to a temporary directory.
 */
class ControlPlaneHttpHandlerTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private ConductorBackend backend;
    private ApiHttpServer server;
    private HttpClient client;
    private String base;

    @BeforeEach
    void start() throws IOException
    {
        backend = new ConductorBackend(directory);
        server = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-control-api", "127.0.0.1", 0), ApiGate.OPEN,
            Map.of("/v1/", new ControlPlaneHttpHandler(backend)));
        base = "http://127.0.0.1:" + server.address().getPort() + "/v1/";
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop()
    {
        server.close();
        backend.close();
    }

    private record Reply(int status, String contentType, JsonNode body)
    {
    }

    private Reply send(final String method, final String path, final String body) throws Exception
    {
        final HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')))
            .build();
        final HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
            JSON.readTree(response.body()));
    }

    @Test
    void shouldApplyADocumentAsOneJournalEntryAndNotJournalANoOpApply() throws Exception
    {
        final Reply first = send("POST", "apply", DesiredStateDocumentTest.MINIMAL);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.contentType()).isEqualTo("application/json");
        assertThat(first.body().get("version").asLong()).isEqualTo(1);
        assertThat(first.body().get("dryRun").asBoolean()).isFalse();
        assertThat(first.body().get("changes")).extracting(change -> change.get("op").asText() + " "
            + change.get("kind").asText() + "/" + change.get("name").asText())
            .containsExactly("create slice/embb", "create service/video", "create node/edge-a");
        assertThat(first.body().get("changes").get(0).get("before").isNull()).isTrue();
        assertThat(first.body().get("changes").get(0).get("after").get("snssai").asText()).isEqualTo("1-000001");

        final Reply again = send("POST", "apply", DesiredStateDocumentTest.MINIMAL);

        assertThat(again.body().get("version").asLong()).isEqualTo(1);
        assertThat(again.body().get("changes")).allSatisfy(change ->
            assertThat(change.get("op").asText()).isEqualTo("unchanged"));
        assertThat(backend.submitted).isEqualTo(1);
        final Reply journal = send("GET", "journal", null);
        assertThat(journal.body().get("entries")).hasSize(1);
        assertThat(journal.body().get("entries").get(0).get("command").get("type").asText()).isEqualTo("batch");
        assertThat(journal.body().get("entries").get(0).get("command").get("commands")).hasSize(3);
    }

    @Test
    void shouldChangeNothingOnADryRun() throws Exception
    {
        final Reply reply = send("POST", "apply?dryRun=true", DesiredStateDocumentTest.MINIMAL);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("dryRun").asBoolean()).isTrue();
        assertThat(reply.body().get("version").asLong()).isZero();
        assertThat(reply.body().get("changes")).hasSize(3);
        assertThat(backend.submitted).isZero();
        assertThat(backend.state().sequence()).isZero();
    }

    @Test
    void shouldAnswerAnInvalidDocumentWith422NamingTheField() throws Exception
    {
        final Reply reply = send("POST", "apply", DesiredStateDocumentTest.MINIMAL.replace("'port':8080",
            "'port':0"));

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.contentType()).isEqualTo("application/problem+json");
        assertThat(reply.body().get("type").asText()).isEqualTo("about:blank");
        assertThat(reply.body().get("title").asText()).isEqualTo("Unprocessable Content");
        assertThat(reply.body().get("status").asInt()).isEqualTo(422);
        assertThat(reply.body().get("detail").asText())
            .isEqualTo("services[0].endpoints[0].port: expected 1 to 65535, got 0");
        assertThat(reply.body().get("field").asText()).isEqualTo("services[0].endpoints[0].port");
        assertThat(backend.submitted).isZero();
    }

    @Test
    void shouldAnswerMalformedJsonWith400() throws Exception
    {
        final Reply reply = send("POST", "apply", "{'slices': [");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("detail").asText()).startsWith("malformed JSON: ");
    }

    @Test
    void shouldRefuseADocumentWithADuplicateKeyWith400NamingTheKeyAndApplyNothing() throws Exception
    {
        final Reply reply = send("POST", "apply",
            "{'slices':[{'snssai':'1-000001','name':'embb','name':'urllc','fiveQi':9}]}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).isEqualTo("application/problem+json");
        assertThat(reply.body().get("detail").asText()).contains("Duplicate field 'name'");
        assertThat(backend.submitted).isZero();
    }

    @Test
    void shouldRefuseADocumentOverTheDocumentLimitWith413SayingTheLimit() throws Exception
    {
        final String padding = " ".repeat(DesiredStateDocument.MAX_DOCUMENT_BYTES);
        final Reply reply = send("POST", "apply", DesiredStateDocumentTest.MINIMAL + padding);

        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.contentType()).isEqualTo("application/problem+json");
        assertThat(reply.body().get("detail").asText())
            .contains(DesiredStateDocument.MAX_DOCUMENT_BYTES + " bytes, the limit of a desired-state document");
        assertThat(backend.submitted).isZero();
    }

    @Test
    void shouldRefuseTheWholeApplyWhenOneMemberConflictsAndNameItsDocumentPath() throws Exception
    {
        send("POST", "apply", DesiredStateDocumentTest.MINIMAL);
        final String thief = "{'services':[{'name':'other','slice':'1-000001','endpoints':[{'address':'10.0.0.9',"
            + "'port':80,'site':'site-a','zone':'zone-1'}],'routes':[{'host':'other.example'}]},"
            + "{'name':'thief','slice':'1-000001','endpoints':[{'address':'10.0.0.9','port':81,'site':'site-a',"
            + "'zone':'zone-1'}],'routes':[{'host':'video.example'}]}]}";

        final Reply reply = send("POST", "apply", thief);

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.body().get("field").asText()).isEqualTo("services[1].routes[0]");
        assertThat(reply.body().get("detail").asText()).startsWith("services[1].routes[0]: host \"video.example\"");
        assertThat(backend.state().services()).containsOnlyKeys("video");
        assertThat(backend.state().sequence()).isEqualTo(1);
    }

    @Test
    void shouldDeleteWhatTheDocumentLeavesOutOnlyWithPrune() throws Exception
    {
        send("POST", "apply", DesiredStateDocumentTest.MINIMAL);
        final String onlySlice = "{'slices':[{'snssai':'1-000001','name':'embb','fiveQi':9}]}";

        assertThat(send("POST", "apply", onlySlice).body().get("version").asLong()).isEqualTo(1);
        final Reply pruned = send("POST", "apply?prune=true", onlySlice);

        assertThat(pruned.status()).isEqualTo(200);
        assertThat(pruned.body().get("version").asLong()).isEqualTo(2);
        assertThat(pruned.body().get("changes")).extracting(change -> change.get("op").asText() + " "
            + change.get("name").asText()).containsExactly("unchanged embb", "delete edge-a", "delete video");
        assertThat(backend.state().services()).isEmpty();
        assertThat(backend.state().nodes()).isEmpty();
    }

    @Test
    void shouldServeTheStateAndEachObjectAnd404ForUnknownOnes() throws Exception
    {
        send("POST", "apply", DesiredStateDocumentTest.MINIMAL);

        final Reply state = send("GET", "state", null);
        assertThat(state.body().get("version").asLong()).isEqualTo(1);
        assertThat(state.body().get("slices")).hasSize(1);
        assertThat(send("GET", "services", null).body().get("items").get(0).get("name").asText()).isEqualTo("video");
        assertThat(send("GET", "slices/1-000001", null).body().get("name").asText()).isEqualTo("embb");
        assertThat(send("GET", "slices/embb", null).body().get("snssai").asText()).isEqualTo("1-000001");
        assertThat(send("GET", "nodes/edge-a", null).body().get("site").asText()).isEqualTo("site-a");
        final Reply missing = send("GET", "services/nope", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("detail").asText()).isEqualTo("no service \"nope\"");
        assertThat(send("GET", "widgets", null).status()).isEqualTo(404);
    }

    @Test
    void shouldPutAndDeleteSingleObjectsAndRefuseDeletingWhatIsUsed() throws Exception
    {
        final Reply put = send("PUT", "slices/2-000002", "{'name':'urllc','fiveQi':82}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body().get("version").asLong()).isEqualTo(1);
        assertThat(backend.state().slices().values()).extracting(slice -> slice.name()).containsExactly("urllc");
        send("POST", "apply", DesiredStateDocumentTest.MINIMAL);

        final Reply inUse = send("DELETE", "slices/1-000001", null);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.body().get("detail").asText()).startsWith("snssai: slice 1-000001 is used by services video");

        assertThat(send("DELETE", "nodes/edge-a", null).body().get("version").asLong()).isEqualTo(3);
        assertThat(send("DELETE", "services/video", null).body().get("version").asLong()).isEqualTo(4);
        assertThat(send("DELETE", "slices/embb", null).body().get("version").asLong()).isEqualTo(5);
        assertThat(send("DELETE", "slices/embb", null).status()).isEqualTo(404);
        assertThat(send("PUT", "services/video", "{'name':'other','slice':'2-000002'}").status()).isEqualTo(422);
    }

    @Test
    void shouldPutGetListAndDeleteApplicationInstancesAndRefuseBadOnesUnchanged() throws Exception
    {
        send("POST", "apply", DesiredStateDocumentTest.MINIMAL);
        final String app = "{'name':'video-analytics','node':'edge-a','slice':'1-000001',"
            + "'spiffeId':'spiffe://mesh.example/app/va','trafficRules':[{'trafficRuleId':'r1','filterType':'FLOW',"
            + "'priority':0,'trafficFilter':[{'dstAddress':['10.0.0.1/32']}],'action':'DROP','state':'INACTIVE'}]}";

        final Reply put = send("PUT", "apps/app-1", app);

        assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
        assertThat(backend.state().apps().get("app-1").trafficRules()).hasSize(1);
        final Reply one = send("GET", "apps/app-1", null);
        assertThat(one.body().get("id").asText()).isEqualTo("app-1");
        assertThat(one.body().at("/trafficRules/0/action").asText()).isEqualTo("DROP");
        assertThat(send("GET", "apps", null).body().get("items")).hasSize(1);
        final DesiredState before = backend.state();
        final Reply badEnum = send("PUT", "apps/app-1", app.replace("'DROP'", "'EXPLODE'"));
        assertThat(badEnum.status()).isEqualTo(422);
        assertThat(badEnum.body().get("detail").asText()).contains("action");
        assertThat(send("PUT", "apps/app-2", app.replace("'edge-a'", "'nowhere'")).status()).isIn(409, 422);
        assertThat(send("PUT", "apps/app-1", "{'id':'app-9'}").status()).isEqualTo(422);
        assertThat(backend.state()).isEqualTo(before);
        assertThat(send("DELETE", "apps/app-1", null).status()).isEqualTo(200);
        assertThat(backend.state().apps()).isEmpty();
        assertThat(send("GET", "apps/app-1", null).status()).isEqualTo(404);
        assertThat(send("DELETE", "apps/app-1", null).status()).isEqualTo(404);
    }

    @Test
    void shouldAnswerAWrongMethodWith405() throws Exception
    {
        final Reply reply = send("DELETE", "state", null);

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.body().get("status").asInt()).isEqualTo(405);
    }

    @Test
    void shouldReportEachNodesVersionsLastContactAndRejection() throws Exception
    {
        send("POST", "apply", DesiredStateDocumentTest.MINIMAL);
        backend.nowNs = 10_000_000_000L;
        backend.statuses.put("edge-a", new NodeStatus("edge-a", 1, 1, -1, RejectReason.NONE, "", 7_000_000_000L));
        backend.statuses.put("edge-b", new NodeStatus("edge-b", 1, 0, 1, RejectReason.HASH_MISMATCH,
            "sha-256 differs", -1));

        final Reply reply = send("GET", "status", null);

        assertThat(reply.body().get("version").asLong()).isEqualTo(1);
        final JsonNode a = reply.body().get("nodes").get(0);
        assertThat(a.get("id").asText()).isEqualTo("edge-a");
        assertThat(a.get("upToDate").asBoolean()).isTrue();
        assertThat(a.get("lastContactMsAgo").asLong()).isEqualTo(3000);
        assertThat(a.get("rejected").isNull()).isTrue();
        final JsonNode b = reply.body().get("nodes").get(1);
        assertThat(b.get("upToDate").asBoolean()).isFalse();
        assertThat(b.get("lastContactMsAgo").isNull()).isTrue();
        assertThat(b.get("rejected").get("reason").asText()).isEqualTo("HASH_MISMATCH");
        assertThat(b.get("rejected").get("detail").asText()).isEqualTo("sha-256 differs");
    }

    @Test
    void shouldTailTheJournalAfterASequenceAndCompactIt() throws Exception
    {
        send("PUT", "slices/1-000001", "{'name':'embb','fiveQi':9}");
        send("PUT", "slices/2-000002", "{'name':'urllc','fiveQi':82}");
        send("DELETE", "slices/embb", null);

        final JsonNode entries = send("GET", "journal?after=1&limit=1", null).body().get("entries");

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("sequence").asLong()).isEqualTo(2);
        assertThat(entries.get(0).get("command").get("type").asText()).isEqualTo("put-slice");
        assertThat(send("GET", "journal?limit=0", null).status()).isEqualTo(400);
        final Reply compact = send("POST", "journal/compact", null);
        assertThat(compact.status()).isEqualTo(200);
        assertThat(compact.body().get("compacted").asBoolean()).isTrue();
        assertThat(compact.body().get("snapshot").asText()).doesNotContain("/").isNotEmpty();
    }
}
