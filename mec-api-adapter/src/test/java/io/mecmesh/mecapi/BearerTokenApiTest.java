package io.mecmesh.mecapi;

import io.mecmesh.slicemanager.model.DesiredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OAuth 2.0 bearer tokens on the MEC API (real server on 127.0.0.1, TLS, real conductor): client-credentials JWTs
 * signed in the test with a key made here, validated by the server against the JWK set file; a client without a
 * certificate authenticates with its token alone.
 */
class BearerTokenApiTest
{
    private static final String OWN_RULES = "/mec_app_support/v2/applications/app-1/traffic_rules";
    private static final String OTHER_RULES = "/mec_app_support/v2/applications/app-2/traffic_rules";
    private static final String REGISTRATIONS = "/mec_app_support/v2/registrations";

    @TempDir
    Path directory;

    private final TokenIssuer issuer = new TokenIssuer("as-key-1");
    private MecApiFixture fixture;
    private HttpClient noCertificate;

    @BeforeEach
    void start() throws Exception
    {
        final Path jwks = issuer.writeJwks(Files.createDirectories(directory.resolve("etc")).resolve("jwks.json"));
        fixture = new MecApiFixture(directory.resolve("control"), "", new MecApiOAuth2(jwks, TokenIssuer.ISSUER,
            TokenIssuer.AUDIENCE, MecApiOAuth2.DEFAULT_CLAIM));
        fixture.provisionTwoApps();
        noCertificate = fixture.client(Optional.empty());
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldServeAnApplicationThatPresentsAValidTokenAndNoCertificate()
    {
        final String token = issuer.clientToken("app-1", 300);

        final HttpResponse<String> rules = send("GET", OWN_RULES, null, token);
        assertThat(rules.statusCode()).as(rules.body()).isEqualTo(200);
        final HttpResponse<String> registered = send("POST", REGISTRATIONS,
            "{\"appName\":\"video-analytics\",\"isInsByMec\":true}", token);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        assertThat(fixture.backend.state().apps().get("app-1").registration()).isPresent();
    }

    @Test
    void shouldStillServeAnApplicationThatPresentsItsCertificate()
    {
        assertThat(fixture.get(fixture.client("app/video-analytics"), OWN_RULES).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswer403ForAnotherApplicationsResourcesOrATokenNamingNoInstance()
    {
        final DesiredState before = fixture.backend.state();

        MecApiFixture.assertProblem(send("GET", OTHER_RULES, null, issuer.clientToken("app-1", 300)), 403);
        MecApiFixture.assertProblem(send("POST", REGISTRATIONS,
            "{\"appInstanceId\":\"app-2\",\"appName\":\"other\",\"isInsByMec\":true}",
            issuer.clientToken("app-1", 300)), 403);
        MecApiFixture.assertProblem(send("GET", OWN_RULES, null, issuer.clientToken("no-such-app", 300)), 403);

        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer401InvalidTokenForTokensThatAreExpiredForgedOrForAnotherIssuerOrAudience()
    {
        final long now = System.currentTimeMillis() / 1000;
        final String[] invalid = {
            issuer.clientToken("app-1", -60),
            new TokenIssuer("as-key-1").clientToken("app-1", 300),
            issuer.sign("{\"iss\":\"https://elsewhere\",\"aud\":\"" + TokenIssuer.AUDIENCE + "\",\"client_id\":\"app-1\","
                + "\"exp\":" + (now + 300) + "}"),
            issuer.sign("{\"iss\":\"" + TokenIssuer.ISSUER + "\",\"aud\":\"another-api\",\"client_id\":\"app-1\","
                + "\"exp\":" + (now + 300) + "}"),
            issuer.sign("{\"iss\":\"" + TokenIssuer.ISSUER + "\",\"aud\":\"" + TokenIssuer.AUDIENCE + "\","
                + "\"client_id\":\"app-1\"}"),
            issuer.sign("{\"iss\":\"" + TokenIssuer.ISSUER + "\",\"aud\":\"" + TokenIssuer.AUDIENCE + "\","
                + "\"sub\":\"app-1\",\"exp\":" + (now + 300) + "}"),
            unsigned(issuer.clientToken("app-1", 300)),
            "not-a-jwt",
        };
        final DesiredState before = fixture.backend.state();
        for (final String token : invalid)
        {
            final HttpResponse<String> response = send("PUT", OWN_RULES + "/r1", "{}", token);
            MecApiFixture.assertProblem(response, 401);
            assertThat(response.headers().firstValue("www-authenticate")).as(token)
                .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Bearer ")
                    .contains("error=\"invalid_token\""));
        }
        assertThat(fixture.backend.state()).isEqualTo(before);
    }

    @Test
    void shouldAnswer401WithABearerChallengeWhenNeitherATokenNorACertificateIsPresented()
    {
        final HttpResponse<String> response = fixture.get(noCertificate, OWN_RULES);

        MecApiFixture.assertProblem(response, 401);
        assertThat(response.headers().firstValue("www-authenticate")).contains("Bearer realm=\"mecmesh\"");
    }

    @Test
    void shouldRefuseToStartWithAKeySetThatHoldsAPrivateKeyOrNoKey() throws Exception
    {
        final Path privateKey = Files.writeString(directory.resolve("private.json"),
            "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"a\",\"y\":\"b\",\"d\":\"c\"}]}");
        final Path empty = Files.writeString(directory.resolve("empty.json"), "{\"keys\":[]}");
        for (final Path file : new Path[] {privateKey, empty, directory.resolve("missing.json")})
        {
            assertThatThrownBy(() -> new MecApiFixture(directory.resolve("control-" + file.getFileName()), "",
                new MecApiOAuth2(file, TokenIssuer.ISSUER, TokenIssuer.AUDIENCE, "client_id")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("controlPlane.mecApi.oauth2.jwksFile: " + file);
        }
    }

    /** The same token with {@code alg: none} and no signature. */
    private static String unsigned(final String token)
    {
        final String payload = token.split("\\.")[1];
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(
            java.nio.charset.StandardCharsets.UTF_8)) + "." + payload + ".";
    }

    private HttpResponse<String> send(final String method, final String path, final String body, final String token)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(fixture.uri(path)).timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            request.header("Content-Type", "application/json");
        }
        return MecApiFixture.send(noCertificate, request.build());
    }
}
