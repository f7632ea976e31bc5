package io.mecmesh.slicemanager.ca;

import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import io.mecmesh.slicemanager.identity.HttpCertificateSigner;
import io.mecmesh.slicemanager.identity.IdentityClientException;
import io.mecmesh.slicemanager.identity.SignedIdentity;
import io.mecmesh.slicemanager.identity.SigningRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CA's node identity endpoint on its real API server (Vert.x) on loopback, called by the real client signer and by a
 * raw HTTP client for the error cases: each refusal has its status and a problem document naming the rule.
 */
class IdentityHttpHandlerTest
{
    private static final String TOKEN = "s3cret-join-token";

    private CertificateAuthority ca;
    private ApiHttpServer server;
    private URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException
    {
        ca = CertificateAuthority.generate("mesh.test", Duration.ofDays(1), InstantSource.system());
        server = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-ca", "127.0.0.1", 0), ApiGate.OPEN,
            Map.of(IdentityHttpHandler.CONTEXT, new IdentityHttpHandler(new SigningService(ca, ca.root(),
            Map.of("edge-a", "site-a"), TOKEN, Duration.ofSeconds(30)))));
        base = URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void shouldHandOutTheBundleItIsGivenSoThatNodesLearnBothRootsDuringARotation() throws Exception
    {
        final CertificateAuthority next = CertificateAuthority.generate("mesh.test", Duration.ofDays(1),
            InstantSource.system());
        final List<X509Certificate> overlap = List.of(next.root().certificate(), ca.root().certificate());
        final SigningService service = new SigningService(ca, ca.root(), node -> Optional.of("site-a"), TOKEN,
            Duration.ofSeconds(30), () -> overlap);
        final KeyPair key = CertificateRequests.newKeyPair();

        final SigningService.Signed signed = service.sign("edge-a", "site-a", csrPem(key, key), TOKEN);

        assertThat(Pem.readCertificates(signed.bundlePem().getBytes(StandardCharsets.US_ASCII), "bundle"))
            .containsExactlyElementsOf(overlap);
    }

    private static String csrPem(final KeyPair subject, final KeyPair signer)
    {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Base64.getMimeEncoder(64, new byte[] {(byte)0x0a}).encodeToString(TestPki.csr(subject, signer.getPrivate()))
            + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private HttpResponse<String> post(final String path, final String token, final String body) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(final String nodeId, final String site, final String csr)
    {
        return "{\"nodeId\":\"" + nodeId + "\",\"site\":\"" + site + "\",\"csr\":\"" + csr.replace("\n", "\\n")
            + "\"}";
    }

    @Test
    void shouldIssueTheNodeSvidWithTheProfileAndA30SecondLifetime()
    {
        final KeyPair key = TestPki.ecKeyPair();
        final SignedIdentity signed = new HttpCertificateSigner(base, TOKEN, Duration.ofSeconds(5))
            .sign(new SigningRequest("edge-a", "site-a", csrPem(key, key)));

        final X509SvidValidator.Result result = new X509SvidValidator(signed.bundle()).validate(signed.chain(),
            Instant.now(), X509SvidValidator.Expectation.spiffeId(
                SpiffeId.parse("spiffe://mesh.test/site/site-a/node/edge-a")));
        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(signed.chain().get(0).getPublicKey()).isEqualTo(key.getPublic());
        assertThat(Duration.between(Instant.now(), signed.chain().get(0).getNotAfter().toInstant()))
            .isBetween(Duration.ofSeconds(25), Duration.ofSeconds(31));
    }

    @Test
    void shouldAnswer401AsAProblemWithoutTheRightToken() throws Exception
    {
        final KeyPair key = TestPki.ecKeyPair();
        final HttpResponse<String> wrong = post("/v1/identity/sign", "guess", body("edge-a", "site-a",
            csrPem(key, key)));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(wrong.body()).contains("\"status\":401").contains("join token");
        assertThat(post("/v1/identity/sign", null, body("edge-a", "site-a", csrPem(key, key))).statusCode())
            .isEqualTo(401);

        assertThatThrownBy(() -> new HttpCertificateSigner(base, "guess", Duration.ofSeconds(5))
            .sign(new SigningRequest("edge-a", "site-a", csrPem(key, key))))
            .isInstanceOf(IdentityClientException.class)
            .hasMessageContaining("401 the join token is missing or wrong")
            .extracting(ex -> ((IdentityClientException)ex).category())
            .isEqualTo(IdentityClientException.Category.REFUSED);
    }

    @Test
    void shouldAnswer403ToANodeAskingForAnIdentityItIsNotAllowed() throws Exception
    {
        final KeyPair key = TestPki.ecKeyPair();
        final HttpResponse<String> unknown = post("/v1/identity/sign", TOKEN, body("edge-z", "site-a",
            csrPem(key, key)));
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.body()).contains("edge-z is not registered");

        final HttpResponse<String> otherSite = post("/v1/identity/sign", TOKEN, body("edge-a", "site-b",
            csrPem(key, key)));
        assertThat(otherSite.statusCode()).isEqualTo(403);
        assertThat(otherSite.body()).contains("belongs to site site-a, not site-b");
    }

    @Test
    void shouldAnswer400ToAnUnreadableRequest() throws Exception
    {
        assertThat(post("/v1/identity/sign", TOKEN, "{not json").statusCode()).isEqualTo(400);
        final HttpResponse<String> noCsr = post("/v1/identity/sign", TOKEN,
            "{\"nodeId\":\"edge-a\",\"site\":\"site-a\"}");
        assertThat(noCsr.statusCode()).isEqualTo(400);
        assertThat(noCsr.body()).contains("csr: missing");
        final HttpResponse<String> badId = post("/v1/identity/sign", TOKEN, body("edge/../a", "site-a", "x"));
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.body()).contains("nodeId");
    }

    @Test
    void shouldAnswer422ToACsrNotSignedByItsOwnKey() throws Exception
    {
        final HttpResponse<String> response = post("/v1/identity/sign", TOKEN, body("edge-a", "site-a",
            csrPem(TestPki.ecKeyPair(), TestPki.ecKeyPair())));
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("does not verify");
    }

    @Test
    void shouldAnswer404And405OutsideTheSignOperation() throws Exception
    {
        assertThat(post("/v1/identity/other", TOKEN, "{}").statusCode()).isEqualTo(404);
        final HttpResponse<String> get = http.send(HttpRequest.newBuilder(base.resolve("/v1/identity/sign")).GET()
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void shouldReportAnUnreachableCaAsUnavailable()
    {
        server.close();
        final KeyPair key = TestPki.ecKeyPair();
        assertThatThrownBy(() -> new HttpCertificateSigner(base, TOKEN, Duration.ofSeconds(2))
            .sign(new SigningRequest("edge-a", "site-a", csrPem(key, key))))
            .isInstanceOf(IdentityClientException.class)
            .extracting(ex -> ((IdentityClientException)ex).category())
            .isEqualTo(IdentityClientException.Category.CA_UNAVAILABLE);
    }
}
