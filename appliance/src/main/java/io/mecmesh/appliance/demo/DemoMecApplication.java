package io.mecmesh.appliance.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The demo's MEC application, for the few calls it makes at start over the MEC API (Mp1) with its X.509-SVID, as a
 * real application would: it registers a service (its endpoint is the demo backend) and activates its traffic rule
 * (GET with the ETag, PUT with If-Match).
 */
public final class DemoMecApplication
{
    /** The pre-provisioned instance (the demo's desired state). */
    public static final String APP_INSTANCE = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b";
    public static final String TRAFFIC_RULE = "demo-traffic-rule";
    public static final String DNS_RULE = "demo-dns-rule";

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String baseUrl;

    /**
     * @param identity the application's SVID.
     * @param baseUrl  the MEC API up to and without the API name ({@code https://127.0.0.1:PORT}).
     * @throws IOException if the SVID cannot be read.
     */
    public DemoMecApplication(final TlsConfig identity, final String baseUrl) throws IOException
    {
        requireNonNull(identity, "identity");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl");
        final TlsMaterial material = TlsMaterial.read(identity.certificateChain(), identity.privateKey(),
            identity.trustBundle());
        final SSLContext context = JdkSslContexts.of(Optional.of(new TlsMaterialSource(material)),
            () -> new X509SvidValidator(material.trustBundle()),
            X509SvidValidator.Expectation.trustDomain(DemoIdentities.TRUST_DOMAIN), new PeerRejections(),
            Clock.systemUTC());
        this.client = HttpClient.newBuilder().sslContext(context)
            .sslParameters(JdkSslContexts.parameters(context, false)).connectTimeout(TIMEOUT).build();
    }

    /**
     * Registers the demo service ({@code mecsvc.demo}, routed by the mesh to the demo backend) and activates the
     * traffic rule.
     *
     * @param backendPort the demo backend's port.
     * @return the registered service's {@code serInstanceId}.
     * @throws IOException if a call fails or is refused.
     */
    public String start(final int backendPort) throws IOException
    {
        final String app = "/mec_app_support/v2/applications/" + APP_INSTANCE;
        final HttpResponse<String> registered = send(HttpRequest.newBuilder(uri("/mec_service_mgmt/v1/applications/"
            + APP_INSTANCE + "/services")).POST(HttpRequest.BodyPublishers.ofString("""
            {"serName":"mecsvc.demo","version":"1","state":"ACTIVE","serializer":"JSON",
             "transportInfo":{"id":"demo","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"1.1",
              "endpoint":{"addresses":[{"host":"127.0.0.1","port":%d}]},"security":{}}}""".formatted(backendPort))),
            201);
        final HttpResponse<String> rule = send(HttpRequest.newBuilder(uri(app + "/traffic_rules/" + TRAFFIC_RULE))
            .GET(), 200);
        final ObjectNode active = ((ObjectNode)JSON.readTree(rule.body())).put("state", "ACTIVE");
        send(HttpRequest.newBuilder(uri(app + "/traffic_rules/" + TRAFFIC_RULE))
            .header("If-Match", rule.headers().firstValue("ETag").orElse("*"))
            .PUT(HttpRequest.BodyPublishers.ofString(active.toString())), 200);
        final JsonNode service = JSON.readTree(registered.body());
        return service.path("serInstanceId").asText();
    }

    private URI uri(final String path)
    {
        return URI.create(baseUrl + path);
    }

    private HttpResponse<String> send(final HttpRequest.Builder request, final int expected) throws IOException
    {
        final HttpRequest built = request.timeout(TIMEOUT).header("Content-Type", "application/json").build();
        try
        {
            final HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected)
            {
                throw new IOException("MEC API " + built.method() + " " + built.uri().getPath() + ": HTTP "
                    + response.statusCode() + " " + response.body());
            }
            return response;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }
}
