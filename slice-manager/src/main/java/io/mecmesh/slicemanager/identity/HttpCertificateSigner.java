package io.mecmesh.slicemanager.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.slicemanager.identity.IdentityClientException.Category;
import io.mecmesh.slicemanager.distribution.SignedConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Asks the control plane's CA ({@code POST <base>/v1/identity/sign}, see
 * {@code io.mecmesh.slicemanager.ca.IdentityHttpHandler}) to sign the node's request, with the join token as a
 * bearer token. Connection failures, timeouts and 5xx answers are {@code CA_UNAVAILABLE}; 4xx answers are
 * {@code REFUSED} with the problem detail in the message.
 */
public final class HttpCertificateSigner implements CertificateSigner
{
    private static final String SIGN_PATH = "/v1/identity/sign";

    private final URI signUri;
    private final String joinToken;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param controlPlane the control plane's base URI, e.g. {@code http://127.0.0.1:9902}.
     * @param joinToken    the join token (the same file as the CA's).
     * @param timeout      connect and request timeout.
     */
    public HttpCertificateSigner(final URI controlPlane, final String joinToken, final Duration timeout)
    {
        requireNonNull(controlPlane, "controlPlane");
        this.joinToken = requireNonNull(joinToken, "joinToken");
        this.timeout = requireNonNull(timeout, "timeout");
        if (joinToken.isBlank())
        {
            throw new IllegalArgumentException("joinToken: must not be empty");
        }
        final String base = controlPlane.toString();
        this.signUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + SIGN_PATH);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public SignedIdentity sign(final SigningRequest request)
    {
        requireNonNull(request, "request");
        final HttpResponse<String> response;
        try
        {
            final ObjectNode body = json.createObjectNode();
            body.put("nodeId", request.nodeId());
            body.put("site", request.site());
            body.put("csr", request.csrPem());
            response = http.send(HttpRequest.newBuilder(signUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + joinToken)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new IdentityClientException(Category.CA_UNAVAILABLE, signUri + ": " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IdentityClientException(Category.CA_UNAVAILABLE, signUri + ": interrupted", ex);
        }
        final int status = response.statusCode();
        if (status != 200)
        {
            throw new IdentityClientException(status >= 500 ? Category.CA_UNAVAILABLE : Category.REFUSED,
                signUri + ": " + status + " " + detail(response.body()));
        }
        try
        {
            final JsonNode answer = json.readTree(response.body());
            final List<X509Certificate> chain = certificates(answer, "chain");
            final List<X509Certificate> bundle = certificates(answer, "bundle");
            final JsonNode keys = answer.get("configVerificationKeys");
            return new SignedIdentity(chain, bundle, keys == null || !keys.isTextual() ? List.of()
                : SignedConfig.fromPem(keys.asText(), signUri + " configVerificationKeys"));
        }
        catch (final JsonProcessingException | DataPlaneException | IllegalArgumentException ex)
        {
            throw new IdentityClientException(Category.REFUSED, signUri + ": unusable answer: " + ex.getMessage(),
                ex);
        }
    }

    private List<X509Certificate> certificates(final JsonNode answer, final String field)
    {
        final JsonNode value = answer == null ? null : answer.get(field);
        if (value == null || !value.isTextual())
        {
            throw new IllegalArgumentException(field + ": missing");
        }
        return Pem.readCertificates(value.asText().getBytes(StandardCharsets.US_ASCII), signUri + " " + field);
    }

    private String detail(final String body)
    {
        try
        {
            final JsonNode problem = json.readTree(body);
            if (problem != null && problem.hasNonNull("detail"))
            {
                return problem.get("detail").asText();
            }
        }
        catch (final JsonProcessingException ignore)
        {
            // not a problem document: show the start of the body instead
        }
        return body.length() > 200 ? body.substring(0, 200) : body;
    }
}
