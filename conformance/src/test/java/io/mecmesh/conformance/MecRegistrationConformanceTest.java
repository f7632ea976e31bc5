package io.mecmesh.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ETSI GS MEC-DEC 032-3 test purposes of MEC 011 group REGAPPS (v3.1.1 registrations), one test per test purpose
 * (its id in a comment), against the installed appliance: role {@code all} with a CA, the MEC API with OAuth 2.0
 * bearer tokens, application instances pre-provisioned with {@code mecmesh apply -f}. The registering application
 * calls over mutual TLS with its X.509-SVID (curl); a second one with only a bearer token signed here. AppInfo bodies
 * are validated against the v3.1.1 schema; the notifier's counters are read from /metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MecRegistrationConformanceTest
{
    private static final String APP_ID = "7c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
    private static final String TOKEN_APP_ID = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e";
    private static final String NOT_EXISTING_APP_INSTANCE_ID = "00000000-0000-4000-8000-000000000000";
    private static final String REGISTRATIONS = "/mec_app_support/v2/registrations";
    private static final String ISSUER = "https://as.operator.test";
    private static final String AUDIENCE = "mecmesh-mp1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_INFO = """
        {"appName":"registrar","appProvider":"ACME","isInsByMec":false,
         "appCategory":{"href":"/example/catalogue1","id":"id12345","name":"RNI","version":"version1"},
         "endpoint":{"uris":["http://127.0.0.1:8080/registrar"]}}""";

    private Path dir;
    private int[] ports;
    private Pki.Identity app;
    private KeyPair authorizationServer;
    private ApplianceProcess appliance;
    private HttpServer receiver;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final Path directory) throws Exception
    {
        dir = directory;
        final Pki pki = Pki.init(dir.resolve("pki"), "mesh.test");
        app = pki.issue("app/registrar");
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        authorizationServer = generator.generateKeyPair();
        final RSAPublicKey key = (RSAPublicKey)authorizationServer.getPublic();
        final Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\","
            + "\"kid\":\"as-1\",\"n\":\"" + base64(unsigned(key.getModulus())) + "\",\"e\":\""
            + base64(unsigned(key.getPublicExponent())) + "\"}]}");
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        receiver.createContext("/", exchange ->
        {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        // 0 admin, 1 ingress, 2 api, 3 config, 4 ack, 5 MEC API
        ports = FreePorts.take(6);
        appliance = MecAppliance.startWithMecApi(dir, pki, ports, ", oauth2: {jwksFile: " + jwks + ", issuer: \"" + ISSUER
            + "\", audience: " + AUDIENCE + "}");
        appliance.awaitLive();
        final Path document = Files.writeString(dir.resolve("desired-state.yaml"), """
            slices:
              - {snssai: 1-000001, name: embb, fiveQi: 9}
            nodes:
              - {id: edge-a, site: site-a, zone: zone-1, services: []}
            apps:
              - {id: %s, name: registrar, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/registrar}
              - {id: %s, name: tokenapp, node: edge-a, slice: 1-000001, spiffeId: spiffe://mesh.test/app/tokenapp}
            """.formatted(APP_ID, TOKEN_APP_ID));
        final Launcher.Result applied = Launcher.run(dir, "apply", "-f", document.toString(), "--server",
            "http://127.0.0.1:" + ports[2]);
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
            receiver.stop(0);
        }
    }

    /** The test purposes' teardown: the registration deleted (or absent already). */
    @AfterEach
    void deregister()
    {
        assertThat(call("DELETE", REGISTRATIONS + "/" + APP_ID)).matches("204|404 .*");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_OK_01: a registration without appInstanceId (the caller's instance).
    @Test
    void regapps001Ok01ShouldRegisterTheCallersInstance() throws Exception
    {
        final String[] answerAndLocation = MecAppliance.call(dir, app, ports[5], "POST", REGISTRATIONS, APP_INFO,
            List.of(), "\n%header{location}").split("\n");
        final String answer = answerAndLocation[0];

        assertThat(answer).startsWith("201 ");
        assertValid(answer);
        final JsonNode body = JSON.readTree(answer.substring(4));
        assertThat(body.get("appName").asText()).isEqualTo("registrar");
        assertThat(body.get("appInstanceId").asText()).isEqualTo(APP_ID);
        assertThat(answerAndLocation[1]).startsWith("https://").endsWith(REGISTRATIONS + "/" + APP_ID);
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_OK_02: a registration naming its appInstanceId.
    @Test
    void regapps001Ok02ShouldRegisterTheNamedInstance() throws Exception
    {
        final String answer = call("POST", REGISTRATIONS, withField("appInstanceId", APP_ID));

        assertThat(answer).startsWith("201 ");
        assertValid(answer);
        assertThat(JSON.readTree(answer.substring(4)).get("appInstanceId").asText()).isEqualTo(APP_ID);
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_OK_03: a registration with appInstanceId and appDId, both answered.
    @Test
    void regapps001Ok03ShouldAnswerTheAppDId() throws Exception
    {
        final String answer = call("POST", REGISTRATIONS, withField("appDId", "appd-registrar-1")
            .replace("{\"appName\"", "{\"appInstanceId\":\"" + APP_ID + "\",\"appName\""));

        assertThat(answer).startsWith("201 ");
        assertValid(answer);
        final JsonNode body = JSON.readTree(answer.substring(4));
        assertThat(body.get("appInstanceId").asText()).isEqualTo(APP_ID);
        assertThat(body.get("appDId").asText()).isEqualTo("appd-registrar-1");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_BR_01: a registration with a required field missing (appName).
    @Test
    void regapps001Br01ShouldRefuseAMissingAppName()
    {
        assertThat(call("POST", REGISTRATIONS, APP_INFO.replace("\"appName\":\"registrar\",", "")))
            .startsWith("400 ").contains("appName");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_BR_02: a registration without endpoint (isInsByMec false).
    @Test
    void regapps001Br02ShouldRefuseAMissingEndpoint()
    {
        final String noEndpoint = APP_INFO.replaceAll(",\\s*\"endpoint\":\\{[^}]*}", "");
        assertThat(noEndpoint).doesNotContain("endpoint");
        assertThat(call("POST", REGISTRATIONS, noEndpoint)).startsWith("400 ").contains("endpoint");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_BR_03: unexpected appServiceRequired (the instance has its AppD).
    @Test
    void regapps001Br03ShouldRefuseAppServiceRequired()
    {
        assertThat(call("POST", REGISTRATIONS, withArray("appServiceRequired"))).startsWith("400 ")
            .contains("appServiceRequired");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_BR_04: unexpected service dependencies (appServiceOptional).
    @Test
    void regapps001Br04ShouldRefuseAppServiceOptional()
    {
        assertThat(call("POST", REGISTRATIONS, withArray("appServiceOptional"))).startsWith("400 ")
            .contains("appServiceOptional");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_BR_05: unexpected appFeatureRequired.
    @Test
    void regapps001Br05ShouldRefuseAppFeatureRequired()
    {
        assertThat(call("POST", REGISTRATIONS, withArray("appFeatureRequired"))).startsWith("400 ")
            .contains("appFeatureRequired");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_001_BR_06: unexpected appFeatureOptional.
    @Test
    void regapps001Br06ShouldRefuseAppFeatureOptional()
    {
        assertThat(call("POST", REGISTRATIONS, withArray("appFeatureOptional"))).startsWith("400 ")
            .contains("appFeatureOptional");
        assertThat(call("GET", REGISTRATIONS + "/" + APP_ID)).as("nothing registered by a refusal")
            .startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_002_OK: the AppInfo of a registration.
    @Test
    void regapps002OkShouldAnswerTheAppInfo() throws Exception
    {
        assertThat(call("POST", REGISTRATIONS, APP_INFO)).startsWith("201 ");

        final String answer = call("GET", REGISTRATIONS + "/" + APP_ID);
        assertThat(answer).startsWith("200 ");
        assertValid(answer);
        assertThat(JSON.readTree(answer.substring(4)).get("appInstanceId").asText()).isEqualTo(APP_ID);
    }

    // TC_MEC_MEC011_SRV_REGAPPS_002_NF: the AppInfo of an unknown instance.
    @Test
    void regapps002NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call("GET", REGISTRATIONS + "/" + NOT_EXISTING_APP_INSTANCE_ID)).startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_003_OK: a registration updated (204).
    @Test
    void regapps003OkShouldUpdateTheRegistration() throws Exception
    {
        assertThat(call("POST", REGISTRATIONS, APP_INFO)).startsWith("201 ");

        assertThat(call("PUT", REGISTRATIONS + "/" + APP_ID, APP_INFO.replace("ACME", "ACME Edge")))
            .isEqualTo("204");
        final String answer = call("GET", REGISTRATIONS + "/" + APP_ID);
        assertThat(JSON.readTree(answer.substring(4)).get("appProvider").asText()).isEqualTo("ACME Edge");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_003_NF: an update of an unknown instance's registration.
    @Test
    void regapps003NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call("PUT", REGISTRATIONS + "/" + NOT_EXISTING_APP_INSTANCE_ID, APP_INFO))
            .startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_004_OK: a registration deleted (204).
    @Test
    void regapps004OkShouldDeleteTheRegistration()
    {
        assertThat(call("POST", REGISTRATIONS, APP_INFO)).startsWith("201 ");

        assertThat(call("DELETE", REGISTRATIONS + "/" + APP_ID)).isEqualTo("204");
        assertThat(call("GET", REGISTRATIONS + "/" + APP_ID)).startsWith("404 ");
    }

    // TC_MEC_MEC011_SRV_REGAPPS_004_NF: a delete of an unknown instance's registration.
    @Test
    void regapps004NfShouldAnswer404ForAnUnknownInstance()
    {
        assertThat(call("DELETE", REGISTRATIONS + "/" + NOT_EXISTING_APP_INSTANCE_ID)).startsWith("404 ");
    }

    // Issue 14 item 6: an application with a bearer token only (no certificate) reaches its own resources only.
    @Test
    void shouldServeAnApplicationByItsBearerTokenAndRefuseAnExpiredOne()
    {
        final String own = "/mec_app_support/v2/applications/" + TOKEN_APP_ID + "/traffic_rules";

        assertThat(bearer("GET", own, token(TOKEN_APP_ID, 300))).startsWith("200 ");
        assertThat(bearer("GET", REGISTRATIONS + "/" + APP_ID, token(TOKEN_APP_ID, 300))).startsWith("403 ");
        final String expired = bearer("GET", own, token(TOKEN_APP_ID, -60));
        assertThat(expired).startsWith("401 ").contains("application/problem+json")
            .containsIgnoringCase("www-authenticate: Bearer").contains("error=\"invalid_token\"");
    }

    // Issue 14: the notifier's outcomes on the appliance's /metrics, after a delivered notification.
    @Test
    void shouldCountDeliveredNotificationsOnMetrics() throws Exception
    {
        final String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/cb";
        assertThat(call("POST", "/mec_service_mgmt/v1/applications/" + APP_ID + "/subscriptions",
            "{\"subscriptionType\":\"SerAvailabilityNotificationSubscription\",\"callbackReference\":\"" + callback
                + "\",\"filteringCriteria\":{\"serNames\":[\"registrar-svc\"]}}")).startsWith("201 ");
        assertThat(call("POST", "/mec_service_mgmt/v1/applications/" + APP_ID + "/services", """
            {"serName":"registrar-svc","version":"1","state":"ACTIVE","serializer":"JSON",
             "transportInfo":{"id":"t1","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"1.1",
              "endpoint":{"addresses":[{"host":"127.0.0.1","port":8080}]},"security":{}}}"""))
            .startsWith("201 ");

        appliance.awaitMetric("mecmesh_mec_notifications_total{outcome=\"delivered\"}", 0, 1);
        assertThat(appliance.metric("mecmesh_mec_notifications_total{outcome=\"failed\"}")).isZero();
        assertThat(appliance.metric("mecmesh_mec_notifications_total{outcome=\"dropped\"}")).isZero();
    }

    private static void assertValid(final String answer)
    {
        assertThat(EtsiSchema.violations(EtsiSchema.APP_SUPPORT_V3, "AppInfo", answer.substring(answer.indexOf(' ')
            + 1))).as(answer).isEmpty();
    }

    private static String withField(final String field, final String value)
    {
        return APP_INFO.replace("{\"appName\"", "{\"" + field + "\":\"" + value + "\",\"appName\"");
    }

    private static String withArray(final String field)
    {
        return APP_INFO.replace("{\"appName\"", "{\"" + field + "\":[{\"serName\":\"rnis\"}],\"appName\"");
    }

    private String call(final String method, final String path)
    {
        return call(method, path, null);
    }

    /** A call with the registrar's SVID: "STATUS BODY". */
    private String call(final String method, final String path, final String body)
    {
        return MecAppliance.call(dir, app, ports[5], method, path, body, List.of(), "");
    }

    /** A call with a bearer token and no certificate: "STATUS HEADERS+BODY". */
    private String bearer(final String method, final String path, final String token)
    {
        return MecAppliance.curl(dir, List.of("curl", "-sS", "-k", "-i", "--max-time", "15", "--noproxy", "*", "-w",
            "\n%{http_code}", "-H", "Authorization: Bearer " + token, "-X", method,
            "https://127.0.0.1:" + ports[5] + path));
    }

    /** A client-credentials access token of the authorization server, RS256, signed here with the JDK. */
    private String token(final String clientId, final long lifetimeSeconds)
    {
        final long now = System.currentTimeMillis() / 1000;
        final String input = base64("{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"as-1\"}".getBytes(
            StandardCharsets.UTF_8)) + "." + base64(("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE
            + "\",\"client_id\":\"" + clientId + "\",\"exp\":" + (now + lifetimeSeconds) + "}")
            .getBytes(StandardCharsets.UTF_8));
        try
        {
            final Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(authorizationServer.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + base64(signature.sign());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static String base64(final byte[] bytes)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(final BigInteger value)
    {
        final byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
