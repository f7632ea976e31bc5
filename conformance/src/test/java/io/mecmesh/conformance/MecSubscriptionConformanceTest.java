package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ETSI GS MEC-DEC 032-3 test purposes of MEC 011 for the groups of issue 14 item 1 and 2 (SRVSUB, APPSUB,
 * CONFTASK), one test per test purpose (its id in a comment), against the installed appliance: role {@code all}
 * with a CA and the MEC API, application instances pre-provisioned with {@code mecmesh apply -f}, the application
 * calling over mutual TLS with its X.509-SVID (curl). Bodies are validated against the ETSI v2.1.1 schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MecSubscriptionConformanceTest
{
    private static final String APP_ID = "3f5c7a1e-8d2b-4c6a-9e0f-1a2b3c4d5e6f";
    private static final String LEAVER_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    private static final String UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
    private static final String SRV = "/mec_service_mgmt/v1/applications/";
    private static final String APP = "/mec_app_support/v2/applications/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private int[] ports;
    private Pki.Identity app;
    private Pki.Identity leaver;
    private ApplianceProcess appliance;
    private NotificationReceiver receiver;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final Path directory) throws Exception
    {
        dir = directory;
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/subscriber");
        leaver = pki.issue("app/leaver");
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        receiver = new NotificationReceiver();
        appliance = MecAppliance.start(dir, pki, ports);
        appliance.awaitLive();
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9}
            nodes:
              - {id: edge-a, site: site-a, zone: zone-1, services: []}
            apps:
              - {id: %s, name: subscriber, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/subscriber}
              - {id: %s, name: leaver, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/leaver}
            """.formatted(APP_ID, LEAVER_ID));
        final Launcher.Result applied = cli("apply", "-f", document.toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
    }

    @AfterAll
    void stop()
    {
        if (appliance != null)
        {
            appliance.close();
        }
        if (receiver != null)
        {
            receiver.close();
        }
    }

    // TP_MEC_SRV_SRVSUB_001_OK: the list of service availability subscriptions.
    @Test
    void srvsub001OkShouldListTheApplicationsSubscriptions() throws Exception
    {
        final String self = subscribeToServices();
        final String answer = call(app, "GET", SRV + APP_ID + "/subscriptions", null);
        assertThat(answer).startsWith("200 ");
        assertValid(EtsiSchema.SERVICE_MGMT, "MecServiceMgmtApiSubscriptionLinkList", answer);
        assertThat(answer).contains("\"href\":\"" + self + "\"").contains("SerAvailabilityNotificationSubscription");
    }

    // TP_MEC_SRV_SRVSUB_001_NF: the list for an unknown application instance.
    @Test
    void srvsub001NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call(app, "GET", SRV + UNKNOWN_ID + "/subscriptions", null)).startsWith("404 ");
    }

    // TP_MEC_SRV_SRVSUB_002_OK: a subscription is created (201, Location, the subscription answered).
    @Test
    void srvsub002OkShouldCreateASubscription() throws Exception
    {
        final List<String> headers = new ArrayList<>();
        final String answer = call(app, "POST", SRV + APP_ID + "/subscriptions", availability(), headers);
        assertThat(answer).startsWith("201 ");
        assertValid(EtsiSchema.SERVICE_MGMT, "SerAvailabilityNotificationSubscription", answer);
        final JsonNode body = JSON.readTree(answer.substring(4));
        assertThat(body.get("subscriptionType").asText()).isEqualTo("SerAvailabilityNotificationSubscription");
        assertThat(body.get("callbackReference").asText()).isEqualTo(receiver.callback());
        assertThat(headers).anyMatch(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("location: https://")
            && line.trim().endsWith(body.at("/_links/self/href").asText()));
    }

    // TP_MEC_SRV_SRVSUB_002_BR: a subscription with incorrect parameters is refused.
    @Test
    void srvsub002BrShouldRefuseABadSubscription()
    {
        final String answer = call(app, "POST", SRV + APP_ID + "/subscriptions",
            availability().replace("SerAvailabilityNotificationSubscription", "SerAvailabilityNotification"));
        assertThat(answer).startsWith("400 ").contains("subscriptionType");
    }

    // TP_MEC_SRV_SRVSUB_003_OK: one subscription.
    @Test
    void srvsub003OkShouldAnswerOneSubscription() throws Exception
    {
        final String answer = call(app, "GET", subscribeToServices(), null);
        assertThat(answer).startsWith("200 ");
        assertValid(EtsiSchema.SERVICE_MGMT, "SerAvailabilityNotificationSubscription", answer);
        assertThat(JSON.readTree(answer.substring(4)).get("subscriptionType").asText())
            .isEqualTo("SerAvailabilityNotificationSubscription");
    }

    // TP_MEC_SRV_SRVSUB_003_NF: an unknown subscription.
    @Test
    void srvsub003NfShouldAnswer404ForAnUnknownSubscription()
    {
        assertThat(call(app, "GET", SRV + APP_ID + "/subscriptions/" + UNKNOWN_ID, null)).startsWith("404 ");
    }

    // TP_MEC_SRV_SRVSUB_004_OK: unsubscribing.
    @Test
    void srvsub004OkShouldDeleteASubscription() throws Exception
    {
        final String self = subscribeToServices();
        assertThat(call(app, "DELETE", self, null)).isEqualTo("204");
        assertThat(call(app, "GET", self, null)).startsWith("404 ");
    }

    // TP_MEC_SRV_SRVSUB_004_NF: unsubscribing from an unknown application instance.
    @Test
    void srvsub004NfShouldAnswer404ForAnUnknownInstance() throws Exception
    {
        final String self = subscribeToServices();
        assertThat(call(app, "DELETE", self.replace(APP_ID, UNKNOWN_ID), null)).startsWith("404 ");
    }

    // TP_MEC_SRV_APPSUB_001_OK: the list of termination subscriptions.
    @Test
    void appsub001OkShouldListTheApplicationsSubscriptions() throws Exception
    {
        final String self = subscribeToTermination(app, APP_ID);
        final String answer = call(app, "GET", APP + APP_ID + "/subscriptions", null);
        assertThat(answer).startsWith("200 ");
        assertValid(EtsiSchema.APP_SUPPORT, "MecAppSuptApiSubscriptionLinkList", answer);
        assertThat(answer).contains("\"href\":\"" + self + "\"").contains("AppTerminationNotificationSubscription");
    }

    // TP_MEC_SRV_APPSUB_001_NF: the list for an unknown application instance.
    @Test
    void appsub001NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call(app, "GET", APP + UNKNOWN_ID + "/subscriptions", null)).startsWith("404 ");
    }

    // TP_MEC_SRV_APPSUB_002_OK: a termination subscription is created (201, Location, the subscription answered).
    @Test
    void appsub002OkShouldCreateASubscription() throws Exception
    {
        final List<String> headers = new ArrayList<>();
        final String answer = call(app, "POST", APP + APP_ID + "/subscriptions", termination(APP_ID), headers);
        assertThat(answer).startsWith("201 ");
        assertValid(EtsiSchema.APP_SUPPORT, "AppTerminationNotificationSubscription", answer);
        final JsonNode body = JSON.readTree(answer.substring(4));
        assertThat(body.get("subscriptionType").asText()).isEqualTo("AppTerminationNotificationSubscription");
        assertThat(body.get("callbackReference").asText()).isEqualTo(receiver.callback());
        assertThat(headers).anyMatch(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("location: https://")
            && line.trim().endsWith(body.at("/_links/self/href").asText()));
    }

    // TP_MEC_SRV_APPSUB_003_OK: one termination subscription.
    @Test
    void appsub003OkShouldAnswerOneSubscription() throws Exception
    {
        final String answer = call(app, "GET", subscribeToTermination(app, APP_ID), null);
        assertThat(answer).startsWith("200 ");
        assertValid(EtsiSchema.APP_SUPPORT, "AppTerminationNotificationSubscription", answer);
    }

    // TP_MEC_SRV_APPSUB_003_NF: an unknown termination subscription.
    @Test
    void appsub003NfShouldAnswer404ForAnUnknownSubscription()
    {
        assertThat(call(app, "GET", APP + APP_ID + "/subscriptions/" + UNKNOWN_ID, null)).startsWith("404 ");
    }

    // TP_MEC_SRV_APPSUB_004_OK: unsubscribing from termination notifications.
    @Test
    void appsub004OkShouldDeleteASubscription() throws Exception
    {
        final String self = subscribeToTermination(app, APP_ID);
        assertThat(call(app, "DELETE", self, null)).isEqualTo("204");
        assertThat(call(app, "GET", self, null)).startsWith("404 ");
    }

    // TP_MEC_SRV_APPSUB_004_NF: unsubscribing from an unknown application instance.
    @Test
    void appsub004NfShouldAnswer404ForAnUnknownInstance() throws Exception
    {
        final String self = subscribeToTermination(app, APP_ID);
        assertThat(call(app, "DELETE", self.replace(APP_ID, UNKNOWN_ID), null)).startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_CONFTASK_001_OK: the application confirms its termination (204). Set-up: the operator
    // deletes the instance with `mecmesh app delete`, which (it subscribed to its termination) notifies it.
    @Test
    void conftask001OkShouldAcceptTheConfirmationOfAPendingTermination() throws Exception
    {
        subscribeToTermination(leaver, LEAVER_ID);
        receiver.clear();
        final Launcher.Result deleted = cli("app", "delete", LEAVER_ID);
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).contains("app/" + LEAVER_ID + " terminating");
        final String notification = receiver.next(Duration.ofSeconds(30));
        assertThat(notification).as("the termination notification").isNotNull();
        assertThat(EtsiSchema.violations(EtsiSchema.APP_SUPPORT, "AppTerminationNotification", notification))
            .isEmpty();
        assertThat(JSON.readTree(notification).at("/_links/confirmTermination/href").asText())
            .isEqualTo(APP + LEAVER_ID + "/confirm_termination");

        assertThat(call(leaver, "POST", APP + LEAVER_ID + "/confirm_termination",
            "{\"operationAction\":\"TERMINATING\"}")).isEqualTo("204");
        final Launcher.Result gone = cli("app", "get", LEAVER_ID);
        assertThat(gone.exitCode()).as(gone.toString()).isNotZero();
        assertThat(call(leaver, "GET", APP + LEAVER_ID + "/subscriptions", null)).startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_CONFTASK_001_NF: confirming the termination of an unknown application instance.
    @Test
    void conftask001NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call(app, "POST", APP + UNKNOWN_ID + "/confirm_termination",
            "{\"operationAction\":\"TERMINATING\"}")).startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_CONFTASK_002_OK: the application confirms it is ready (204).
    @Test
    void conftask002OkShouldAcceptTheReadyConfirmation()
    {
        assertThat(call(app, "POST", APP + APP_ID + "/confirm_ready", "{\"indication\":\"READY\"}")).isEqualTo("204");
    }

    // TC_MEC_MEC011_SRV_CONFTASK_002_NF: confirming the readiness of an unknown application instance.
    @Test
    void conftask002NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call(app, "POST", APP + UNKNOWN_ID + "/confirm_ready", "{\"indication\":\"READY\"}"))
            .startsWith("404 ");
    }

    private String availability()
    {
        return """
            {"subscriptionType":"SerAvailabilityNotificationSubscription","callbackReference":"%s",
             "filteringCriteria":{"serNames":["ExampleService"]}}""".formatted(receiver.callback());
    }

    private String termination(final String appId)
    {
        return """
            {"subscriptionType":"AppTerminationNotificationSubscription","callbackReference":"%s",
             "appInstanceId":"%s"}""".formatted(receiver.callback(), appId);
    }

    /** @return the new subscription's path. */
    private String subscribeToServices() throws IOException
    {
        final String answer = call(app, "POST", SRV + APP_ID + "/subscriptions", availability());
        assertThat(answer).startsWith("201 ");
        return JSON.readTree(answer.substring(4)).at("/_links/self/href").asText();
    }

    /** @return the new subscription's path. */
    private String subscribeToTermination(final Pki.Identity identity, final String appId) throws IOException
    {
        final String answer = call(identity, "POST", APP + appId + "/subscriptions", termination(appId));
        assertThat(answer).startsWith("201 ");
        return JSON.readTree(answer.substring(4)).at("/_links/self/href").asText();
    }

    private static void assertValid(final String file, final String schema, final String answer)
    {
        assertThat(EtsiSchema.violations(file, schema, answer.substring(answer.indexOf(' ') + 1))).as(answer)
            .isEmpty();
    }

    private Launcher.Result cli(final String... args) throws IOException, InterruptedException
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", "http://127.0.0.1:" + ports[2]));
        return Launcher.run(dir, all.toArray(String[]::new));
    }

    private String call(final Pki.Identity identity, final String method, final String path, final String body)
    {
        return call(identity, method, path, body, null);
    }

    /** A call of the MEC API with an application's SVID: "STATUS BODY"; the response headers into {@code headers}. */
    private String call(final Pki.Identity identity, final String method, final String path, final String body,
        final List<String> headers)
    {
        final Path headerFile = dir.resolve("headers.txt");
        final List<String> command = new ArrayList<>(List.of("curl", "-sS", "-k", "--max-time", "15", "--noproxy",
            "*", "-w", "\n%{http_code}", "-D", headerFile.toString(), "--cert", identity.chain().toString(), "--key",
            identity.key().toString(), "-X", method));
        if (body != null)
        {
            command.addAll(List.of("-H", "Content-Type: application/json", "--data", body));
        }
        command.add("https://127.0.0.1:" + ports[5] + path);
        final String answer = MecAppliance.curl(dir, command);
        assertThat(answer).as("curl's exit").doesNotStartWith("000");
        if (headers != null)
        {
            try
            {
                headers.addAll(Files.readAllLines(headerFile));
            }
            catch (final IOException ex)
            {
                throw new AssertionError(ex);
            }
        }
        return answer;
    }
}
