package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.ServiceEndpoint;
import io.mecmesh.slicemanager.model.ServiceRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MEC 011 service management against a real server (127.0.0.1, TLS, client certificates) and a real conductor:
 * bodies validated against the ETSI v2.1.1 schemas, refused changes leave the state as it was, and a registered
 * service is a mesh service on the application's node.
 */
class ServiceMgmtApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "app-1";
    private static final String BASE = "/mec_service_mgmt/v1";
    private static final String OWN = BASE + "/applications/" + APP_ID + "/services";
    private static final String SERVICE = """
        {"serName":"ExampleService","serCategory":{"href":"/example/catalogue1","id":"id12345","name":"RNI",
         "version":"version1"},"version":"ServiceVersion1","state":"ACTIVE",
         "transportInfo":{"id":"TransId12345","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
          "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}},
         "serializer":"JSON","scopeOfLocality":"MEC_HOST","consumedLocalOnly":false,"isLocal":true}""";

    @TempDir
    Path directory;

    private MecApiFixture fixture;
    private HttpClient app;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "");
        fixture.provisionTwoApps();
        app = fixture.client("app/video-analytics");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldRegisterAServiceWith201LocationAndMakeItAMeshServiceOnTheAppsNode() throws Exception
    {
        final HttpResponse<String> created = send(app, "POST", OWN, SERVICE, null);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "ServiceInfo", created.body())).isEmpty();
        final String id = JSON.readTree(created.body()).get("serInstanceId").asText();
        assertThat(created.headers().firstValue("location")).hasValueSatisfying(location ->
            assertThat(location).endsWith(OWN + "/" + id).startsWith("https://"));
        final DesiredState state = fixture.backend.state();
        assertThat(state.services().get("mec-" + id).endpoints()).extracting(ServiceEndpoint::port)
            .containsExactly(8080);
        assertThat(state.services().get("mec-" + id).routes()).containsExactly(new ServiceRoute("exampleservice", "/"));
        assertThat(state.nodes().get("edge-1").services()).containsExactly("mec-" + id);
        final HttpResponse<String> one = fixture.get(app, OWN + "/" + id);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.headers().firstValue("etag")).isEqualTo(created.headers().firstValue("etag"));
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.SERVICE_MGMT, "ServiceInfo",
            fixture.get(app, OWN).body())).isEmpty();
    }

    @Test
    void shouldFindServicesByTheStandardsFiltersAndRefuseUnknownOrConflictingOnes() throws Exception
    {
        final String id = JSON.readTree(send(app, "POST", OWN, SERVICE, null).body()).get("serInstanceId").asText();
        final HttpClient other = fixture.client("app/other");

        final HttpResponse<String> byName = fixture.get(other, BASE + "/services?ser_name=ExampleService");
        final HttpResponse<String> byCategory = fixture.get(other, BASE + "/services?ser_category_id=nope,id12345");
        final HttpResponse<String> none = fixture.get(other, BASE + "/services?ser_name=Other&is_local=true");
        final HttpResponse<String> notLocal = fixture.get(other, BASE + "/services?is_local=false");

        assertThat(byName.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.SERVICE_MGMT, "ServiceInfo", byName.body())).isEmpty();
        assertThat(JSON.readTree(byName.body())).hasSize(1);
        assertThat(JSON.readTree(byCategory.body()).get(0).get("serInstanceId").asText()).isEqualTo(id);
        assertThat(JSON.readTree(none.body())).isEmpty();
        assertThat(JSON.readTree(notLocal.body())).isEmpty();
        assertThat(fixture.get(other, BASE + "/services/" + id).statusCode()).isEqualTo(200);
        MecApiFixture.assertProblem(fixture.get(other, BASE + "/services?colour=blue"), 400);
        MecApiFixture.assertProblem(fixture.get(other, BASE + "/services?ser_name=a&ser_instance_id=b"), 400);
        MecApiFixture.assertProblem(fixture.get(other, BASE + "/services?is_local=maybe"), 400);
        MecApiFixture.assertProblem(fixture.get(other, BASE + "/services/nope"), 404);
    }

    @Test
    void shouldFilterTheApplicationsOwnServicesByTheStandardsFiltersAnd404AnUnknownOneWhateverTheBody()
        throws Exception
    {
        final String id = JSON.readTree(send(app, "POST", OWN, SERVICE, null).body()).get("serInstanceId").asText();

        final HttpResponse<String> byName = fixture.get(app, OWN + "?ser_name=ExampleService");
        final HttpResponse<String> byId = fixture.get(app, OWN + "?ser_instance_id=" + id);
        final HttpResponse<String> none = fixture.get(app, OWN + "?ser_name=Other");

        assertThat(byName.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.SERVICE_MGMT, "ServiceInfo", byName.body())).isEmpty();
        assertThat(JSON.readTree(byName.body())).hasSize(1);
        assertThat(JSON.readTree(byId.body()).get(0).get("serInstanceId").asText()).isEqualTo(id);
        assertThat(JSON.readTree(none.body())).isEmpty();
        MecApiFixture.assertProblem(fixture.get(app, OWN + "?instance_id=" + id), 400);
        final DesiredState before = fixture.backend.state();
        MecApiFixture.assertProblem(send(app, "PUT", OWN + "/unknown-service",
            SERVICE.replace("{\"serName\"", "{\"serInstanceId\":\"" + id + "\",\"serName\""), null), 404);
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldRefuseABadServiceInfoWith400AndKeepTheState()
    {
        final DesiredState before = fixture.backend.state();

        final HttpResponse<String> badEnum = send(app, "POST", OWN, SERVICE.replace("\"JSON\"", "\"YAML\""), null);
        final HttpResponse<String> malformed = send(app, "POST", OWN, "{\"serName\":", null);
        final HttpResponse<String> withId = send(app, "POST", OWN, SERVICE.replace("{\"serName\"",
            "{\"serInstanceId\":\"mine\",\"serName\""), null);
        final HttpResponse<String> noTransport = send(app, "POST", OWN, "{\"serName\":\"x\",\"version\":\"1\","
            + "\"state\":\"ACTIVE\",\"serializer\":\"JSON\"}", null);

        MecApiFixture.assertProblem(badEnum, 400);
        assertThat(badEnum.body()).contains("serializer");
        MecApiFixture.assertProblem(malformed, 400);
        MecApiFixture.assertProblem(withId, 400);
        MecApiFixture.assertProblem(noTransport, 400);
        assertThat(noTransport.body()).contains("transportInfo");
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldUpdateWithTheCurrentEtagOnlyAndForbidAnotherApplication() throws Exception
    {
        final HttpResponse<String> created = send(app, "POST", OWN, SERVICE, null);
        final String id = JSON.readTree(created.body()).get("serInstanceId").asText();
        final String etag = created.headers().firstValue("etag").orElseThrow();
        final HttpClient other = fixture.client("app/other");
        final String inactive = SERVICE.replace("\"ACTIVE\"", "\"INACTIVE\"");

        final HttpResponse<String> updated = send(app, "PUT", OWN + "/" + id, inactive, etag);
        final DesiredState afterUpdate = fixture.backend.state();
        final HttpResponse<String> stale = send(app, "PUT", OWN + "/" + id, SERVICE, etag);
        final HttpResponse<String> foreign = send(other, "PUT", OWN + "/" + id, SERVICE, null);
        final HttpResponse<String> foreignPost = send(other, "POST", OWN, SERVICE, null);
        final HttpResponse<String> foreignDelete = send(other, "DELETE", OWN + "/" + id, null, null);

        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.SERVICE_MGMT, "ServiceInfo", updated.body())).isEmpty();
        assertThat(JSON.readTree(updated.body()).get("state").asText()).isEqualTo("INACTIVE");
        MecApiFixture.assertProblem(stale, 412);
        MecApiFixture.assertProblem(foreign, 403);
        MecApiFixture.assertProblem(foreignPost, 403);
        MecApiFixture.assertProblem(foreignDelete, 403);
        assertThat(fixture.backend.state()).isEqualTo(afterUpdate);
    }

    @Test
    void shouldDeleteTheServiceAndTakeItOutOfTheMesh() throws Exception
    {
        final String id = JSON.readTree(send(app, "POST", OWN, SERVICE, null).body()).get("serInstanceId").asText();

        final HttpResponse<String> deleted = send(app, "DELETE", OWN + "/" + id, null, null);

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(fixture.backend.state().services()).doesNotContainKey("mec-" + id);
        assertThat(fixture.backend.state().nodes().get("edge-1").services()).isEmpty();
        assertThat(fixture.backend.state().apps().get(APP_ID).services()).isEmpty();
        MecApiFixture.assertProblem(fixture.get(app, OWN + "/" + id), 404);
        MecApiFixture.assertProblem(send(app, "DELETE", OWN + "/" + id, null, null), 404);
    }

    @Test
    void shouldForwardOnlyWithARegisteredServiceAndKeepTheServiceAnActiveForwardRuleNeeds() throws Exception
    {
        final String rule = """
            {"trafficRuleId":"r1","filterType":"FLOW","priority":0,"trafficFilter":[{"dstAddress":["192.0.2.10"]}],
             "action":"FORWARD_DECAPSULATED","state":"%s"}""";
        final AppInstance current = fixture.backend.state().apps().get(APP_ID);
        fixture.backend.submit(new Command.PutApp(new AppInstance(APP_ID, current.name(), current.node(),
            current.slice(), current.spiffeId(), List.of(), List.of(io.mecmesh.slicemanager.mec.MecRulesJson
            .trafficRule(JSON.readTree(rule.formatted("INACTIVE")), "")), List.of(), List.of(), false)));
        final String rulePath = "/mec_app_support/v2/applications/" + APP_ID + "/traffic_rules/r1";
        final DesiredState withoutService = fixture.backend.state();

        final HttpResponse<String> nowhere = send(app, "PUT", rulePath, rule.formatted("ACTIVE"), null);
        MecApiFixture.assertProblem(nowhere, 400);
        assertThat(nowhere.body()).contains("has registered no service");
        assertThat(fixture.backend.state()).isEqualTo(withoutService);

        final String id = JSON.readTree(send(app, "POST", OWN, SERVICE, null).body()).get("serInstanceId").asText();
        assertThat(send(app, "PUT", rulePath, rule.formatted("ACTIVE"), null).statusCode()).isEqualTo(200);
        final DesiredState forwarding = fixture.backend.state();
        MecApiFixture.assertProblem(send(app, "DELETE", OWN + "/" + id, null, null), 409);
        assertThat(fixture.backend.state()).isEqualTo(forwarding);
    }

    @Test
    void shouldListTheTransportsThePlatformOffers()
    {
        final HttpResponse<String> transports = fixture.get(fixture.client("app/other"), BASE + "/transports");

        assertThat(transports.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.SERVICE_MGMT, "TransportInfo", transports.body())).isEmpty();
        assertThat(transports.body()).contains("\"type\":\"REST_HTTP\"");
        MecApiFixture.assertProblem(fixture.get(app, BASE + "/transports?type=RPC"), 400);
    }

    private HttpResponse<String> send(final HttpClient client, final String method, final String path,
        final String body, final String etag)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(fixture.uri(path)).timeout(Duration.ofSeconds(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            request.header("Content-Type", "application/json");
        }
        if (etag != null)
        {
            request.header("If-Match", etag);
        }
        return MecApiFixture.send(client, request.build());
    }
}
