package io.mecmesh.slicemanager.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge's workload identity endpoint on a real API server (Vert.x) on loopback, backed by a site intermediate loaded
 * from its files alone: a workload of the site gets a valid SVID; a wrong token, another site's ID, a broken CSR
 * each get their status and a problem document naming the rule.
 */
class WorkloadSigningHandlerTest
{
    private static final String TOKEN = "s3cret-workload-token";
    private static final char[] PASSPHRASE = "site passphrase".toCharArray();

    @TempDir
    Path dir;

    private ApiHttpServer server;
    private URI uri;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws IOException
    {
        final CertificateAuthority ca = CertificateAuthority.generate("mesh.test", Duration.ofDays(10),
            InstantSource.system());
        SiteAuthority.write(dir, ca.createSiteIntermediate(SiteAuthority.siteScope("mesh.test", "edge-1"),
            Duration.ofDays(5)), ca.trustBundle(), PASSPHRASE);
        final SiteAuthority site = SiteAuthority.load(dir, PASSPHRASE, InstantSource.system(), Duration.ofHours(1));
        server = ApiHttpServer.start(ApiHttpServer.Settings.plain("test-ca", "127.0.0.1", 0), ApiGate.OPEN,
            Map.of(WorkloadSigningHandler.PATH, new WorkloadSigningHandler(site, TOKEN)));
        uri = URI.create("http://127.0.0.1:" + server.address().getPort() + WorkloadSigningHandler.PATH);
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    private static String csrPem(final byte[] der)
    {
        return "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Base64.getMimeEncoder(64, new byte[] {(byte)0x0a}).encodeToString(der)
            + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private static String body(final String spiffeId, final String csr)
    {
        return "{\"spiffeId\":\"" + spiffeId + "\",\"csr\":\"" + csr.replace("\n", "\\n") + "\"}";
    }

    private HttpResponse<String> post(final String token, final String body) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldIssueAWorkloadSvidOfTheSiteThatValidatesAgainstTheBundle() throws Exception
    {
        final KeyPair key = TestPki.ecKeyPair();
        final SpiffeId id = SpiffeId.parse("spiffe://mesh.test/site/edge-1/app/amf");

        final HttpResponse<String> response = post(TOKEN, body(id.toString(), csrPem(TestPki.csr(key))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        final JsonNode answer = json.readTree(response.body());
        final List<X509Certificate> chain = Pem.readCertificates(
            answer.get("chain").asText().getBytes(StandardCharsets.US_ASCII), "chain");
        final List<X509Certificate> bundle = Pem.readCertificates(
            answer.get("bundle").asText().getBytes(StandardCharsets.US_ASCII), "bundle");
        final X509SvidValidator.Result result = new X509SvidValidator(bundle).validate(chain, Instant.now(),
            X509SvidValidator.Expectation.spiffeId(id));
        assertThat(result.isValid()).as(result.message()).isTrue();
        assertThat(chain.get(0).getPublicKey()).isEqualTo(key.getPublic());
        assertThat(Instant.parse(answer.get("notAfter").asText())).isEqualTo(chain.get(0).getNotAfter().toInstant());
    }

    @Test
    void shouldAnswer401WithoutTheRightToken() throws Exception
    {
        final String request = body("spiffe://mesh.test/site/edge-1/app/amf", csrPem(TestPki.csr(TestPki.ecKeyPair())));

        final HttpResponse<String> wrong = post("guess", request);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(wrong.body()).contains("\"status\":401").contains("join token");
        assertThat(post(null, request).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAnswer403ToAnIdOfAnotherSiteOrOutsideTheSites() throws Exception
    {
        final String csr = csrPem(TestPki.csr(TestPki.ecKeyPair()));

        final HttpResponse<String> otherSite = post(TOKEN, body("spiffe://mesh.test/site/edge-2/app/amf", csr));
        assertThat(otherSite.statusCode()).isEqualTo(403);
        assertThat(otherSite.body()).contains("\"title\":\"Forbidden\"")
            .contains("outside this site's scope spiffe://mesh.test/site/edge-1/");
        assertThat(post(TOKEN, body("spiffe://mesh.test/app/amf", csr)).statusCode()).isEqualTo(403);
    }

    @Test
    void shouldAnswer422ToACsrNotSignedByItsOwnKey() throws Exception
    {
        final byte[] forged = TestPki.csr(TestPki.ecKeyPair(), TestPki.ecKeyPair().getPrivate());

        final HttpResponse<String> response = post(TOKEN, body("spiffe://mesh.test/site/edge-1/app/amf",
            csrPem(forged)));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("signature does not verify");
    }

    @Test
    void shouldAnswer400And405And413ToUnusableRequests() throws Exception
    {
        final HttpResponse<String> badId = post(TOKEN, body("http://mesh.test/x", "x"));
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.body()).contains("spiffeId");
        final HttpResponse<String> noCsr = post(TOKEN, "{\"spiffeId\":\"spiffe://mesh.test/site/edge-1/app/a\"}");
        assertThat(noCsr.statusCode()).isEqualTo(400);
        assertThat(noCsr.body()).contains("csr: missing");
        assertThat(post(TOKEN, "[1]").statusCode()).isEqualTo(400);

        final HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");

        final HttpResponse<String> large = post(TOKEN, "x".repeat(JsonPostHandler.MAX_BODY_BYTES + 1));
        assertThat(large.statusCode()).isEqualTo(413);
    }
}
