package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.model.AppInstance;
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
 * MEC 011 v3.1.1 registrations against a real server (127.0.0.1, TLS, client certificates) and a real conductor
 * (journal on disk): bodies validated against the v3.1.1 {@code AppInfo} schema, every refusal checked to leave the
 * state as it was.
 */
class RegistrationsApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTRATIONS = "/mec_app_support/v2/registrations";
    private static final String APP_INFO = """
        {"appName":"video-analytics","appProvider":"ACME","appDId":"appd-1",
         "appCategory":{"href":"/c/1","id":"video","name":"Video","version":"1"},
         "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"isInsByMec":false}""";

    @TempDir
    Path directory;

    private MecApiFixture fixture;
    private HttpClient app;
    private HttpClient other;

    @BeforeEach
    void start()
    {
        fixture = new MecApiFixture(directory, "");
        fixture.provisionTwoApps();
        app = fixture.client("app/video-analytics");
        other = fixture.client("app/other");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldRegisterGetUpdateAndDeregisterTheCallersInstanceAndKeepItOverARestart() throws Exception
    {
        final HttpResponse<String> created = fixture.send(app, "POST", REGISTRATIONS, APP_INFO);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("location")).contains(fixture.uri(REGISTRATIONS + "/app-1")
            .toString());
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT_V3, "AppInfo", created.body())).isEmpty();
        assertThat(JSON.readTree(created.body()).get("appInstanceId").asText()).isEqualTo("app-1");
        assertThat(JSON.readTree(created.body()).get("appName").asText()).isEqualTo("video-analytics");

        fixture.close();
        fixture = new MecApiFixture(directory, "");
        app = fixture.client("app/video-analytics");
        final HttpResponse<String> read = fixture.get(app, REGISTRATIONS + "/app-1");
        assertThat(read.statusCode()).as("journaled: kept over a restart").isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT_V3, "AppInfo", read.body())).isEmpty();
        assertThat(JSON.readTree(read.body())).isEqualTo(JSON.readTree(created.body()));

        final String updated = APP_INFO.replace("ACME", "ACME Edge").replace("\"appDId\":\"appd-1\",",
            "\"appInstanceId\":\"app-1\",");
        final HttpResponse<String> put = fixture.send(app, "PUT", REGISTRATIONS + "/app-1", updated);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
        final JsonNode after = JSON.readTree(fixture.get(app, REGISTRATIONS + "/app-1").body());
        assertThat(after.get("appProvider").asText()).isEqualTo("ACME Edge");
        assertThat(after.has("appDId")).isFalse();

        assertThat(fixture.send(app, "DELETE", REGISTRATIONS + "/app-1", "").statusCode()).isEqualTo(204);
        MecApiFixture.assertProblem(fixture.get(app, REGISTRATIONS + "/app-1"), 404);
        assertThat(fixture.backend.state().apps().get("app-1").registration()).isEmpty();
        assertThat(fixture.backend.state().apps()).containsKey("app-1");
    }

    @Test
    void shouldServeTheV1AliasAndTakeTheInstanceNamedInTheBody()
    {
        final HttpResponse<String> created = fixture.send(app, "POST", "/mec_app_support/v1/registrations",
            APP_INFO.replace("{\"appName\"", "{\"appInstanceId\":\"app-1\",\"appName\""));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(fixture.get(app, "/mec_app_support/v1/registrations/app-1").statusCode()).isEqualTo(200);
        MecApiFixture.assertProblem(fixture.send(app, "POST", REGISTRATIONS, APP_INFO), 409);
    }

    @Test
    void shouldRefuseAnotherApplicationsRegistrationWith403AndLeaveItUnchanged()
    {
        assertThat(fixture.send(app, "POST", REGISTRATIONS, APP_INFO).statusCode()).isEqualTo(201);
        final DesiredState before = fixture.backend.state();

        MecApiFixture.assertProblem(fixture.get(other, REGISTRATIONS + "/app-1"), 403);
        MecApiFixture.assertProblem(fixture.send(other, "PUT", REGISTRATIONS + "/app-1",
            APP_INFO.replace("video-analytics", "other")), 403);
        MecApiFixture.assertProblem(fixture.send(other, "DELETE", REGISTRATIONS + "/app-1", ""), 403);
        MecApiFixture.assertProblem(fixture.send(other, "POST", REGISTRATIONS,
            APP_INFO.replace("{\"appName\"", "{\"appInstanceId\":\"app-1\",\"appName\"")), 403);

        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer404ForAnUnknownOrUnregisteredInstance()
    {
        MecApiFixture.assertProblem(fixture.get(app, REGISTRATIONS + "/no-such-app"), 404);
        MecApiFixture.assertProblem(fixture.send(app, "PUT", REGISTRATIONS + "/no-such-app", APP_INFO), 404);
        MecApiFixture.assertProblem(fixture.send(app, "DELETE", REGISTRATIONS + "/no-such-app", ""), 404);
        MecApiFixture.assertProblem(fixture.get(app, REGISTRATIONS + "/app-1"), 404);
        MecApiFixture.assertProblem(fixture.send(app, "PUT", REGISTRATIONS + "/app-1", APP_INFO), 404);
        MecApiFixture.assertProblem(fixture.send(app, "POST", REGISTRATIONS,
            APP_INFO.replace("{\"appName\"", "{\"appInstanceId\":\"no-such-app\",\"appName\"")), 404);
    }

    @Test
    void shouldRefuseInvalidAppInfoWith400NamingTheFieldAndLeaveTheStateUnchanged() throws Exception
    {
        final DesiredState before = fixture.backend.state();
        final String[] invalid = {
            "{\"appProvider\":\"ACME\",\"endpoint\":{\"uris\":[\"http://a\"]}}",
            "{\"appName\":\"video-analytics\"}",
            "{\"appName\":\"video-analytics\",\"isInsByMec\":false,\"endpoint\":{\"uris\":[\"http://a\"]},"
                + "\"appServiceRequired\":[{\"serName\":\"x\"}]}",
            "{\"appName\":\"video-analytics\",\"endpoint\":{\"uris\":[\"http://a\"]},\"appFeatureRequired\":[]}",
            "{\"appName\":\"video-analytics\",\"endpoint\":{\"uris\":[\"http://a\"]},\"appFeatureOptional\":[]}",
            "{\"appName\":\"someone-else\",\"endpoint\":{\"uris\":[\"http://a\"]}}",
            "{\"appName\":\"video-analytics\",\"endpoint\":{\"uris\":[\"http://a\"],\"fqdn\":[\"a\"]}}",
            "{\"appName\":\"video-analytics\",\"endpoint\":{\"addresses\":[{\"host\":\"a\",\"port\":\"80\"}]}}",
            "{\"appName\":\"video-analytics\",\"endpoint\":{\"uris\":[\"http://a\"]},\"unknown\":1}",
            "{\"appName\":\"video-analytics\",\"isInsByMec\":\"no\",\"endpoint\":{\"uris\":[\"http://a\"]}}",
            "[]",
            "{",
        };
        for (final String body : invalid)
        {
            final HttpResponse<String> response = fixture.send(app, "POST", REGISTRATIONS, body);
            MecApiFixture.assertProblem(response, 400);
        }
        assertThat(JSON.readTree(fixture.send(app, "POST", REGISTRATIONS, invalid[1]).body()).get("detail").asText())
            .startsWith("endpoint: required");
        assertThat(fixture.backend.state()).isEqualTo(before);

        final HttpResponse<String> byMec = fixture.send(app, "POST", REGISTRATIONS,
            "{\"appName\":\"video-analytics\",\"isInsByMec\":true}");
        assertThat(byMec.statusCode()).as("no endpoint needed when instantiated by the MEC management")
            .isEqualTo(201);
        final AppInstance registered = fixture.backend.state().apps().get("app-1");
        MecApiFixture.assertProblem(fixture.send(app, "PUT", REGISTRATIONS + "/app-1", invalid[0]), 400);
        MecApiFixture.assertProblem(fixture.send(app, "PUT", REGISTRATIONS + "/app-1",
            APP_INFO.replace("{\"appName\"", "{\"appInstanceId\":\"app-2\",\"appName\"")), 400);
        assertThat(fixture.backend.state().apps().get("app-1")).isEqualTo(registered);
    }
}
