package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ETSI GS MEC-DEC 032-3 test purposes of MEC 011 service management for the groups SAQ (service availability
 * query), APPSAQ (an application's services), TRANS (transports) and LIV (service liveness, MEC 011 v3), one test
 * per test purpose (its id in a comment), against the installed appliance: role {@code all} with a CA and the MEC
 * API, the application instance pre-provisioned with {@code mecmesh apply -f}, the application calling over mutual
 * TLS with its X.509-SVID (curl). Success bodies are validated against the ETSI v2.1.1 schemas (ServiceLivenessInfo,
 * which v2.1.1 lacks, against v3.1.1), errors as ProblemDetails. Every test registers services of its own names (a
 * registered service's name is a mesh route host, unique), so the tests do not depend on each other's order.
 *
 * <p>ETSI's LIV suite is not in the sources available here: the LIV ids follow the groups' numbering (001 GET the
 * liveness resource, 002 PATCH a heartbeat) and MEC 011 v3.1.1 clause 8.2.10.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MecServiceMgmtDecConformanceTest
{
    private static final String APP_ID = "d1b2c3a4-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    private static final String UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
    private static final String BASE = "/mec_service_mgmt/v1";
    private static final String OWN = BASE + "/applications/" + APP_ID + "/services";
    private static final String SERVICE = """
        {"serName":"%s","serCategory":{"href":"/example/catalogue1","id":"id12345","name":"RNI",
         "version":"version1"},"version":"%s","state":"ACTIVE",
         "transportInfo":{"id":"TransId12345","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
          "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}},
         "serializer":"JSON","scopeOfLocality":"MEC_HOST","consumedLocalOnly":false,"isLocal":true%s}""";

    private final AtomicInteger names = new AtomicInteger();
    private Path dir;
    private int[] ports;
    private Pki.Identity app;
    private ApplianceProcess appliance;
    private NotificationReceiver receiver;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final Path directory) throws Exception
    {
        dir = directory;
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/dec-services");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        receiver = new NotificationReceiver();
        appliance = MecAppliance.startWithApps(dir, pki, ports, """
              - {id: %s, name: dec-services, node: edge-a, slice: 1-000001,
                 spiffeId: spiffe://mesh.test/app/dec-services}
            """.formatted(APP_ID));
    }

    @AfterAll
    void stop()
    {
        if (appliance != null)
        {
            assertThat(appliance.log()).doesNotContain("ERROR");
            appliance.close();
        }
        if (receiver != null)
        {
            receiver.close();
        }
    }

    // TC_MEC_MEC011_SRV_SAQ_001_OK: the list of available services.
    @Test
    void saq001OkShouldListTheAvailableServices()
    {
        final String id = register(name()).json().get("serInstanceId").asText();
        final Mp1Answer answer = call("GET", BASE + "/services", null)
            .assertJsonArray(EtsiSchema.SERVICE_MGMT, "ServiceInfo");
        assertThat(answer.json().findValuesAsText("serInstanceId")).contains(id);
    }

    // TC_MEC_MEC011_SRV_SAQ_001_BR: a query with a parameter the standard lacks (instance_id).
    @Test
    void saq001BrShouldRefuseAnUnknownQueryParameter()
    {
        call("GET", BASE + "/services?instance_id=wrong", null).assertProblem(400);
    }

    // TC_MEC_MEC011_SRV_SAQ_002_OK: one service.
    @Test
    void saq002OkShouldAnswerOneService()
    {
        final String id = register(name()).json().get("serInstanceId").asText();
        final Mp1Answer answer = call("GET", BASE + "/services/" + id, null)
            .assertJson(200, EtsiSchema.SERVICE_MGMT, "ServiceInfo");
        assertThat(answer.json().get("serInstanceId").asText()).isEqualTo(id);
    }

    // TC_MEC_MEC011_SRV_SAQ_002_NF: an unknown service.
    @Test
    void saq002NfShouldAnswer404ForAnUnknownService()
    {
        call("GET", BASE + "/services/" + UNKNOWN_ID, null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_001_OK: the application's services (also through the standard's ser_name filter).
    @Test
    void appsaq001OkShouldListTheApplicationsServices()
    {
        final String name = name();
        final String id = register(name).json().get("serInstanceId").asText();
        assertThat(call("GET", OWN, null).assertJsonArray(EtsiSchema.SERVICE_MGMT, "ServiceInfo").json()
            .findValuesAsText("serInstanceId")).contains(id);
        final JsonNode byName = call("GET", OWN + "?ser_name=" + name, null)
            .assertJsonArray(EtsiSchema.SERVICE_MGMT, "ServiceInfo").json();
        assertThat(byName.findValuesAsText("serInstanceId")).containsExactly(id);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_001_BR: the application's services with a parameter the standard lacks.
    @Test
    void appsaq001BrShouldRefuseAnUnknownQueryParameter()
    {
        call("GET", OWN + "?instance_id=wrong", null).assertProblem(400);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_002_OK: a service is registered (201, Location) and a subscribed application is
    // notified of it.
    @Test
    void appsaq002OkShouldRegisterAServiceAndNotifyTheSubscribers() throws Exception
    {
        final String name = name();
        call("POST", BASE + "/applications/" + APP_ID + "/subscriptions", """
            {"subscriptionType":"SerAvailabilityNotificationSubscription","callbackReference":"%s",
             "filteringCriteria":{"serNames":["%s"]}}""".formatted(receiver.callback(), name))
            .assertJson(201, EtsiSchema.SERVICE_MGMT, "SerAvailabilityNotificationSubscription");
        receiver.clear();

        final Mp1Answer created = register(name);
        final String id = created.json().get("serInstanceId").asText();
        assertThat(created.json().get("serName").asText()).isEqualTo(name);
        assertThat(created.location()).as(created.toString()).startsWith("https://").endsWith(OWN + "/" + id);

        final String notification = receiver.next(Duration.ofSeconds(30));
        assertThat(notification).as("the service availability notification").isNotNull();
        assertThat(EtsiSchema.violations(EtsiSchema.SERVICE_MGMT, "ServiceAvailabilityNotification", notification))
            .as(notification).isEmpty();
        assertThat(notification).contains("\"serName\":\"" + name + "\"").contains("ADDED");
    }

    // TC_MEC_MEC011_SRV_APPSAQ_002_BR: a ServiceInfo with incorrect parameters (a serializer the standard lacks).
    @Test
    void appsaq002BrShouldRefuseABadServiceInfo()
    {
        final String name = name();
        call("POST", OWN, service(name, "1", "").replace("\"JSON\"", "\"YAML\"")).assertProblem(400);
        assertThat(call("GET", OWN + "?ser_name=" + name, null).json()).as("nothing registered").isEmpty();
    }

    // TC_MEC_MEC011_SRV_APPSAQ_002_NF: a service registered for an unknown application instance.
    @Test
    void appsaq002NfShouldAnswer404ForAnUnknownInstance()
    {
        call("POST", BASE + "/applications/" + UNKNOWN_ID + "/services", service(name(), "1", ""))
            .assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_003_OK: one service of the application.
    @Test
    void appsaq003OkShouldAnswerOneServiceOfTheApplication()
    {
        final String id = register(name()).json().get("serInstanceId").asText();
        final Mp1Answer answer = call("GET", OWN + "/" + id, null)
            .assertJson(200, EtsiSchema.SERVICE_MGMT, "ServiceInfo");
        assertThat(answer.json().get("serInstanceId").asText()).isEqualTo(id);
        assertThat(answer.etag()).as(answer.toString()).isNotEmpty();
    }

    // TC_MEC_MEC011_SRV_APPSAQ_003_NF: an unknown service of the application.
    @Test
    void appsaq003NfShouldAnswer404ForAnUnknownService()
    {
        call("GET", OWN + "/" + UNKNOWN_ID, null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_004_OK: the application updates its service (a new version), without If-Match.
    @Test
    void appsaq004OkShouldUpdateTheService()
    {
        final String name = name();
        final String id = register(name).json().get("serInstanceId").asText();
        final Mp1Answer answer = call("PUT", OWN + "/" + id, service(name, "2", ""))
            .assertJson(200, EtsiSchema.SERVICE_MGMT, "ServiceInfo");
        assertThat(answer.json().get("version").asText()).isEqualTo("2");
        assertThat(call("GET", OWN + "/" + id, null).json().get("version").asText()).isEqualTo("2");
    }

    // TC_MEC_MEC011_SRV_APPSAQ_004_BR: an update with incorrect parameters (a state the standard lacks).
    @Test
    void appsaq004BrShouldRefuseABadUpdateAndKeepTheService()
    {
        final String name = name();
        final String id = register(name).json().get("serInstanceId").asText();
        final String before = call("GET", OWN + "/" + id, null).body();
        call("PUT", OWN + "/" + id, service(name, "2", "").replace("\"ACTIVE\"", "\"SLEEPING\"")).assertProblem(400);
        assertThat(call("GET", OWN + "/" + id, null).body()).isEqualTo(before);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_004_NF: an update of an unknown service (with the valid body of a known one).
    @Test
    void appsaq004NfShouldAnswer404ForAnUpdateOfAnUnknownService()
    {
        final String name = name();
        final String id = register(name).json().get("serInstanceId").asText();
        call("PUT", OWN + "/" + UNKNOWN_ID, service(name, "2", ",\"serInstanceId\":\"" + id + "\""))
            .assertProblem(404);
        call("PUT", OWN + "/" + UNKNOWN_ID, service(name(), "2", "")).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_004_PF: an update with an If-Match that is not the service's ETag.
    @Test
    void appsaq004PfShouldAnswer412ForAStaleEtagAndKeepTheService()
    {
        final String name = name();
        final String id = register(name).json().get("serInstanceId").asText();
        final String before = call("GET", OWN + "/" + id, null).body();
        call("PUT", OWN + "/" + id, service(name, "2", ""), "If-Match: \"not-the-etag\"").assertProblem(412);
        assertThat(call("GET", OWN + "/" + id, null).body()).isEqualTo(before);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_005_OK: the application deletes its service.
    @Test
    void appsaq005OkShouldDeleteTheService()
    {
        final String id = register(name()).json().get("serInstanceId").asText();
        assertThat(call("DELETE", OWN + "/" + id, null).status()).isEqualTo(204);
        call("GET", OWN + "/" + id, null).assertProblem(404);
        call("GET", BASE + "/services/" + id, null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_APPSAQ_005_NF: a deletion of an unknown service.
    @Test
    void appsaq005NfShouldAnswer404ForADeletionOfAnUnknownService()
    {
        call("DELETE", OWN + "/" + UNKNOWN_ID, null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_TRANS_001_OK: the transports the platform offers.
    @Test
    void trans001OkShouldListTheTransports()
    {
        final Mp1Answer answer = call("GET", BASE + "/transports", null)
            .assertJsonArray(EtsiSchema.SERVICE_MGMT, "TransportInfo");
        assertThat(answer.json()).isNotEmpty();
    }

    // TC_MEC_MEC011_SRV_LIV_001_OK: the liveness of a service registered with a livenessInterval (MEC 011 v3).
    @Test
    void liv001OkShouldAnswerTheLivenessOfAService()
    {
        final Mp1Answer created = register(name(), ",\"livenessInterval\":60");
        final String liveness = created.json().at("/_links/liveness/href").asText();
        assertThat(liveness).as(created.toString()).endsWith("/liveness");
        final Mp1Answer answer = call("GET", liveness, null)
            .assertJson(200, EtsiSchema.SERVICE_MGMT_V3, "ServiceLivenessInfo");
        assertThat(answer.json().get("state").asText()).isEqualTo("ACTIVE");
        assertThat(answer.json().get("interval").asInt()).isEqualTo(60);
    }

    // TC_MEC_MEC011_SRV_LIV_001_NF: the liveness of an unknown service.
    @Test
    void liv001NfShouldAnswer404ForAnUnknownService()
    {
        call("GET", OWN + "/" + UNKNOWN_ID + "/liveness", null).assertProblem(404);
    }

    // TC_MEC_MEC011_SRV_LIV_002_OK: a heartbeat (PATCH with a ServiceLivenessUpdate) is accepted (204).
    @Test
    void liv002OkShouldAcceptAHeartbeat()
    {
        final String liveness = register(name(), ",\"livenessInterval\":60").json().at("/_links/liveness/href")
            .asText();
        assertThat(EtsiSchema.violations(EtsiSchema.SERVICE_MGMT_V3, "ServiceLivenessUpdate", "{\"state\":\"ACTIVE\"}"))
            .isEmpty();
        assertThat(call("PATCH", liveness, "{\"state\":\"ACTIVE\"}").status()).isEqualTo(204);
        assertThat(call("GET", liveness, null).json().get("state").asText()).isEqualTo("ACTIVE");
    }

    // TC_MEC_MEC011_SRV_LIV_002_BR: a heartbeat with incorrect parameters (a state an application may not send).
    @Test
    void liv002BrShouldRefuseABadHeartbeatAndKeepTheService()
    {
        final String liveness = register(name(), ",\"livenessInterval\":60").json().at("/_links/liveness/href")
            .asText();
        call("PATCH", liveness, "{\"state\":\"SUSPENDED\"}").assertProblem(400);
        call("PATCH", liveness, "{\"state\":\"ALIVE\"}").assertProblem(400);
        assertThat(call("GET", liveness, null).json().get("state").asText()).isEqualTo("ACTIVE");
    }

    // TC_MEC_MEC011_SRV_LIV_002_NF: a heartbeat of an unknown service.
    @Test
    void liv002NfShouldAnswer404ForAHeartbeatOfAnUnknownService()
    {
        call("PATCH", OWN + "/" + UNKNOWN_ID + "/liveness", "{\"state\":\"ACTIVE\"}").assertProblem(404);
    }

    /** A service name no other test uses (it becomes a mesh route host, which must be unique). */
    private String name()
    {
        return "DecService" + names.incrementAndGet();
    }

    private static String service(final String name, final String version, final String more)
    {
        return SERVICE.formatted(name, version, more);
    }

    /** Registers a service (201, valid ServiceInfo); the answer. */
    private Mp1Answer register(final String name, final String... more)
    {
        return call("POST", OWN, service(name, "1", String.join("", more)))
            .assertJson(201, EtsiSchema.SERVICE_MGMT, "ServiceInfo");
    }

    private Mp1Answer call(final String method, final String path, final String body, final String... headers)
    {
        return Mp1Answer.call(dir, app, ports[5], method, path, body, headers);
    }
}
