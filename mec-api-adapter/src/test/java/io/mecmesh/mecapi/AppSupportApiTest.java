package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
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
 * MEC 011 application support against a real server (127.0.0.1, TLS, client certificates) and a real conductor
 * (journal on disk). Every response body is validated against the ETSI v2.1.1 schemas; every refused change is
 * checked to leave the state as it was.
 */
class AppSupportApiTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "5abe4782-2c70-4e47-9a4e-0ee3a1a0fd1f";
    private static final String APP_PATH = "/mec_app_support/v2/applications/" + APP_ID;
    private static final String OTHER_ID = "other-app-1";

    private static final String RULE = """
        {"trafficRuleId":"TrafficRule1","filterType":"FLOW","priority":1,
         "trafficFilter":[{"srcAddress":["192.168.2.0/24"],"dstAddress":["192.127.4.100/32"],"dstPort":["80"]}],
         "action":"PASSTHROUGH","state":"ACTIVE"}""";
    private static final String DNS_RULE = """
        {"dnsRuleId":"DnsRule1","domainName":"www.example.com","ipAddressType":"IP_V4","ipAddress":"192.0.2.1",
         "ttl":30,"state":"ACTIVE"}""";

    @TempDir
    Path directory;

    private MecApiFixture fixture;
    private HttpClient app;

    @BeforeEach
    void start() throws Exception
    {
        fixture = new MecApiFixture(directory, "");
        final AppInstance instance = new AppInstance(APP_ID, "video-analytics", "edge-1", ModelFixtures.EMBB,
            "spiffe://mec.test/app/video-analytics", List.of(new MeshEndpoint("127.0.0.1", 8080)),
            List.of(MecRulesJson.trafficRule(JSON.readTree(RULE), "")),
            List.of(MecRulesJson.dnsRule(JSON.readTree(DNS_RULE), "")), List.of(), false);
        final AppInstance other = new AppInstance(OTHER_ID, "other", "edge-1", ModelFixtures.EMBB,
            "spiffe://mec.test/app/other", List.of(), List.of(), List.of(), List.of(), false);
        fixture.backend.submit(new Command.Batch(List.of(new Command.PutSlice(ModelFixtures.embb()),
            new Command.PutNode(new Node("edge-1", "site-a", "zone-a", List.of())), new Command.PutApp(instance),
            new Command.PutApp(other))));
        app = fixture.client("app/video-analytics");
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldListTheTrafficRulesOfTheCallersInstance()
    {
        final HttpResponse<String> response = fixture.get(app, APP_PATH + "/traffic_rules");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.APP_SUPPORT, "TrafficRule", response.body())).isEmpty();
        assertThat(response.body()).contains("\"trafficRuleId\":\"TrafficRule1\"");
    }

    @Test
    void shouldAnswerOneTrafficRuleWithItsEtagAndTheV1Alias()
    {
        final HttpResponse<String> v2 = fixture.get(app, APP_PATH + "/traffic_rules/TrafficRule1");
        final HttpResponse<String> v1 = fixture.get(app,
            "/mec_app_support/v1/applications/" + APP_ID + "/traffic_rules/TrafficRule1");

        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "TrafficRule", v2.body())).isEmpty();
        assertThat(v2.headers().firstValue("etag")).hasValueSatisfying(etag -> assertThat(etag).matches("\"[0-9a-f]{32}\""));
        assertThat(v1.body()).isEqualTo(v2.body());
        assertThat(v1.headers().firstValue("etag")).isEqualTo(v2.headers().firstValue("etag"));
    }

    @Test
    void shouldJournalAPutWithTheCurrentEtagAndAnswerTheNewRule() throws Exception
    {
        final String etag = fixture.get(app, APP_PATH + "/traffic_rules/TrafficRule1").headers().firstValue("etag")
            .orElseThrow();
        final String drop = RULE.replace("PASSTHROUGH", "DROP");

        final HttpResponse<String> response = put(app, APP_PATH + "/traffic_rules/TrafficRule1", drop, etag);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "TrafficRule", response.body())).isEmpty();
        assertThat(JSON.readTree(response.body()).get("action").asText()).isEqualTo("DROP");
        assertThat(response.headers().firstValue("etag")).isPresent().isNotEqualTo(java.util.Optional.of(etag));
        assertThat(fixture.backend.state().apps().get(APP_ID).trafficRule("TrafficRule1").action().name())
            .isEqualTo("DROP");
        assertThat(fixture.get(app, APP_PATH + "/traffic_rules/TrafficRule1").headers().firstValue("etag"))
            .isEqualTo(response.headers().firstValue("etag"));
    }

    @Test
    void shouldRefuseAPutWithAStaleEtagWith412AndKeepTheRule()
    {
        final String stale = fixture.get(app, APP_PATH + "/traffic_rules/TrafficRule1").headers().firstValue("etag")
            .orElseThrow();
        assertThat(put(app, APP_PATH + "/traffic_rules/TrafficRule1", RULE.replace("\"priority\":1", "\"priority\":2"),
            stale).statusCode()).isEqualTo(200);
        final DesiredState before = fixture.backend.state();

        final HttpResponse<String> response = put(app, APP_PATH + "/traffic_rules/TrafficRule1",
            RULE.replace("PASSTHROUGH", "DROP"), stale);

        MecApiFixture.assertProblem(response, 412);
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldRefuseABadEnumMalformedBodyOrMismatchedIdWith400AndKeepTheState()
    {
        final DesiredState before = fixture.backend.state();
        final String path = APP_PATH + "/traffic_rules/TrafficRule1";

        final HttpResponse<String> badEnum = put(app, path, RULE.replace("PASSTHROUGH", "TELEPORT"), null);
        final HttpResponse<String> malformed = put(app, path, "{\"trafficRuleId\":", null);
        final HttpResponse<String> missing = put(app, path, "{\"trafficRuleId\":\"TrafficRule1\"}", null);
        final HttpResponse<String> otherId = put(app, path, RULE.replace("TrafficRule1", "TrafficRule2"), null);
        final HttpResponse<String> badDscp = put(app, path, RULE.replace("\"dstPort\":[\"80\"]", "\"dSCP\":99"), null);

        MecApiFixture.assertProblem(badEnum, 400);
        assertThat(badEnum.body()).contains("action: expected one of DROP");
        MecApiFixture.assertProblem(malformed, 400);
        MecApiFixture.assertProblem(missing, 400);
        MecApiFixture.assertProblem(otherId, 400);
        MecApiFixture.assertProblem(badDscp, 400);
        assertThat(badDscp.body()).contains("trafficFilter[0].dSCP");
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer404ForAnUnknownInstanceOrRule()
    {
        MecApiFixture.assertProblem(fixture.get(app, "/mec_app_support/v2/applications/nope/traffic_rules"), 404);
        MecApiFixture.assertProblem(fixture.get(app, APP_PATH + "/traffic_rules/nope"), 404);
        MecApiFixture.assertProblem(fixture.get(app, APP_PATH + "/dns_rules/nope"), 404);
        MecApiFixture.assertProblem(put(app, APP_PATH + "/traffic_rules/TrafficRule9", RULE.replace("TrafficRule1", "TrafficRule9"),
            null), 404);
    }

    @Test
    void shouldAnswer404ForAPutOfAnUnknownRuleEvenWhenTheBodyNamesAnotherRule()
    {
        final DesiredState before = fixture.backend.state();

        MecApiFixture.assertProblem(put(app, APP_PATH + "/traffic_rules/TrafficRule9", RULE, null), 404);
        MecApiFixture.assertProblem(put(app, APP_PATH + "/dns_rules/DnsRule9", DNS_RULE, null), 404);
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldForbidAnotherApplicationsResourcesAndKeepTheState()
    {
        final HttpClient other = fixture.client("app/other");
        final DesiredState before = fixture.backend.state();

        MecApiFixture.assertProblem(fixture.get(other, APP_PATH + "/traffic_rules"), 403);
        MecApiFixture.assertProblem(fixture.get(other, APP_PATH + "/dns_rules/DnsRule1"), 403);
        MecApiFixture.assertProblem(put(other, APP_PATH + "/traffic_rules/TrafficRule1", RULE.replace("PASSTHROUGH", "DROP"), null),
            403);
        MecApiFixture.assertProblem(post(other, APP_PATH + "/confirm_ready", "{\"indication\":\"READY\"}"), 403);
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldRefuseAnUnknownQueryParameterWith400()
    {
        MecApiFixture.assertProblem(fixture.get(app, APP_PATH + "/traffic_rules?colour=blue"), 400);
    }

    @Test
    void shouldServeDnsRulesLikeTrafficRules() throws Exception
    {
        final HttpResponse<String> list = fixture.get(app, APP_PATH + "/dns_rules");
        final HttpResponse<String> one = fixture.get(app, APP_PATH + "/dns_rules/DnsRule1");
        final String etag = one.headers().firstValue("etag").orElseThrow();

        final HttpResponse<String> inactive = put(app, APP_PATH + "/dns_rules/DnsRule1",
            DNS_RULE.replace("\"ACTIVE\"", "\"INACTIVE\""), etag);
        final HttpResponse<String> stale = put(app, APP_PATH + "/dns_rules/DnsRule1", DNS_RULE, etag);
        final HttpResponse<String> badAddress = put(app, APP_PATH + "/dns_rules/DnsRule1",
            DNS_RULE.replace("192.0.2.1", "not-an-address"), null);

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validateArray(EtsiSchemas.APP_SUPPORT, "DnsRule", list.body())).isEmpty();
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "DnsRule", one.body())).isEmpty();
        assertThat(inactive.statusCode()).isEqualTo(200);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "DnsRule", inactive.body())).isEmpty();
        assertThat(JSON.readTree(inactive.body()).get("state").asText()).isEqualTo("INACTIVE");
        MecApiFixture.assertProblem(stale, 412);
        MecApiFixture.assertProblem(badAddress, 400);
        assertThat(fixture.backend.state().apps().get(APP_ID).dnsRule("DnsRule1").state().name()).isEqualTo("INACTIVE");
    }

    @Test
    void shouldJournalConfirmReadyAndAnswer204()
    {
        final HttpResponse<String> bad = post(app, APP_PATH + "/confirm_ready", "{\"indication\":\"LATER\"}");
        final HttpResponse<String> ready = post(app, APP_PATH + "/confirm_ready", "{\"indication\":\"READY\"}");

        MecApiFixture.assertProblem(bad, 400);
        assertThat(ready.statusCode()).isEqualTo(204);
        assertThat(ready.body()).isEmpty();
        assertThat(fixture.backend.state().apps().get(APP_ID).ready()).isTrue();
    }

    private HttpResponse<String> put(final HttpClient client, final String path, final String body, final String etag)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(fixture.uri(path)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body));
        if (etag != null)
        {
            request.header("If-Match", etag);
        }
        return MecApiFixture.send(client, request.build());
    }

    private HttpResponse<String> post(final HttpClient client, final String path, final String body)
    {
        return MecApiFixture.send(client, HttpRequest.newBuilder(fixture.uri(path)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }
}
