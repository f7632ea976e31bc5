package io.mecmesh.mecapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.api.ConductorBackend;
import io.mecmesh.slicemanager.ca.CertificateAuthority;
import io.mecmesh.slicemanager.ca.CertificateRequests;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A MEC API server on 127.0.0.1 over real TLS, with a real CA, a real conductor (journal on disk) behind it, and
 * HTTP clients that present an application's SVID.
 */
final class MecApiFixture implements AutoCloseable
{
    static final String TRUST_DOMAIN = "mec.test";

    final CertificateAuthority ca = CertificateAuthority.generate(TRUST_DOMAIN, Duration.ofDays(1),
        InstantSource.system());
    final ConductorBackend backend;
    final MecApiServer server;
    final String apiRoot;

    MecApiFixture(final Path directory, final String apiRoot)
    {
        this(directory, apiRoot, Optional.empty());
    }

    /** With {@code clock} for heartbeats and no periodic liveness sweep: the test calls {@code sweepLiveness()}. */
    MecApiFixture(final Path directory, final String apiRoot, final Optional<InstantSource> clock)
    {
        this(directory, apiRoot, clock, Optional.empty());
    }

    /** Accepting bearer tokens as {@code oauth2} says, besides client certificates. */
    MecApiFixture(final Path directory, final String apiRoot, final MecApiOAuth2 oauth2)
    {
        this(directory, apiRoot, Optional.empty(), Optional.of(oauth2));
    }

    private MecApiFixture(final Path directory, final String apiRoot, final Optional<InstantSource> clock,
        final Optional<MecApiOAuth2> oauth2)
    {
        this.apiRoot = apiRoot;
        this.backend = new ConductorBackend(directory);
        final TlsMaterialSource keys = new TlsMaterialSource(material("control-plane"));
        final MecApiConfig config = new MecApiConfig("127.0.0.1", 0, apiRoot, oauth2);
        final MecApiTls tls = new MecApiTls(keys, () -> new X509SvidValidator(ca.trustBundle()), TRUST_DOMAIN);
        this.server = clock.isPresent() ? MecApiServer.start(config, tls, backend, clock.get())
            : MecApiServer.start(config, tls, backend);
    }

    /**
     * Puts the eMBB slice, node {@code edge-1} and two application instances on it: {@code app-1}
     * ({@code spiffe://mec.test/app/video-analytics}) and {@code app-2} ({@code spiffe://mec.test/app/other}).
     */
    void provisionTwoApps()
    {
        backend.submit(new Command.Batch(List.of(new Command.PutSlice(ModelFixtures.embb()),
            new Command.PutNode(new Node("edge-1", "site-a", "zone-a", List.of())),
            new Command.PutApp(new AppInstance("app-1", "video-analytics", "edge-1", ModelFixtures.EMBB,
                "spiffe://mec.test/app/video-analytics", List.of(), List.of(), List.of(), List.of(), false)),
            new Command.PutApp(new AppInstance("app-2", "other", "edge-1", ModelFixtures.EMBB,
                "spiffe://mec.test/app/other", List.of(), List.of(), List.of(), List.of(), false)))));
    }

    /** An SVID of this CA for {@code spiffe://mec.test/PATH}. */
    TlsMaterial material(final String path)
    {
        final KeyPair key = CertificateRequests.newKeyPair();
        final List<X509Certificate> chain = ca.issue(ca.root(), CertificateRequests.csr(key),
            SpiffeId.parse("spiffe://" + TRUST_DOMAIN + "/" + path), Duration.ofHours(1));
        return new TlsMaterial(chain, key.getPrivate(), ca.trustBundle());
    }

    /** A client presenting {@code spiffe://mec.test/PATH}, trusting the CA's bundle for the server. */
    HttpClient client(final String path)
    {
        return client(Optional.of(new TlsMaterialSource(material(path))));
    }

    HttpClient client(final Optional<TlsMaterialSource> keys)
    {
        final SSLContext context = JdkSslContexts.of(keys, () -> new X509SvidValidator(ca.trustBundle()),
            X509SvidValidator.Expectation.trustDomain(TRUST_DOMAIN), new PeerRejections(), Clock.systemUTC());
        return HttpClient.newBuilder().sslContext(context)
            .sslParameters(JdkSslContexts.parameters(context, false))
            .connectTimeout(Duration.ofSeconds(5)).build();
    }

    URI uri(final String path)
    {
        return URI.create("https://127.0.0.1:" + server.port() + apiRoot + path);
    }

    static HttpResponse<String> send(final HttpClient client, final HttpRequest request)
    {
        try
        {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** A request with a JSON body (or an empty one) to {@code path}. */
    HttpResponse<String> send(final HttpClient client, final String method, final String path, final String body)
    {
        return send(client, HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(final HttpClient client, final String path)
    {
        return send(client, HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /**
     * Asserts a ProblemDetails answer: the status, {@code application/problem+json}, valid against the ETSI schema,
     * the same status in the body and a detail.
     */
    static void assertProblem(final HttpResponse<String> response, final int status)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).contains(Problems.CONTENT_TYPE);
        assertThat(EtsiSchemas.validate(EtsiSchemas.APP_SUPPORT, "ProblemDetails", response.body())).isEmpty();
        final JsonNode problem;
        try
        {
            problem = new ObjectMapper().readTree(response.body());
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asText()).isNotBlank();
    }

    /** Sends {@code METHOD path} with a JSON body (or none) and an {@code If-Match} (or none). */
    HttpResponse<String> send(final HttpClient client, final String method, final String path, final String body,
        final String ifMatch)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null)
        {
            request.header("If-Match", ifMatch);
        }
        return send(client, request.build());
    }

    @Override
    public void close()
    {
        server.close();
        backend.close();
    }
}
