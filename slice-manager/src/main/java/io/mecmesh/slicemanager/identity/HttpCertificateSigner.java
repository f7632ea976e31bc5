package io.mecmesh.slicemanager.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.identity.Pem;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsMaterial;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.ca.ControlPlaneIdentity;
import io.mecmesh.slicemanager.ca.EnrolmentTokens;
import io.mecmesh.slicemanager.identity.IdentityClientException.Category;
import io.mecmesh.slicemanager.distribution.SignedConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import static java.util.Objects.requireNonNull;

/**
 * Asks the control plane's CA ({@code POST <base>/v1/identity/sign}, see
 * {@code io.mecmesh.slicemanager.ca.IdentityHttpHandler}) to sign the node's request.
 * <ul>
 *   <li>Over {@code https} (the default API): a node that serves a valid SVID renews with it as its client
 *       certificate (mutual TLS, no token), trusting the bundle that came with it. A node without one enrols with its
 *       one-time token ({@code mecmesh node token create}) as a bearer token, and trusts the control plane only if
 *       it presents the root CA whose SHA-256 the token pins. The control plane must present
 *       {@code spiffe://<trust-domain>/control-plane}.</li>
 *   <li>Over {@code http} (the plain loopback API, an explicit opt-in): the token is sent with every request.</li>
 * </ul>
 * Connection failures, timeouts and 5xx answers are {@code CA_UNAVAILABLE}; 4xx answers are {@code REFUSED} with the
 * problem detail in the message.
 */
public final class HttpCertificateSigner implements CertificateSigner
{
    private static final String SIGN_PATH = "/v1/identity/sign";
    /** The path of the control plane's SPIFFE id (as {@code ControlPlaneIdentity.PATH}). */
    private static final String CONTROL_PLANE_PATH = ControlPlaneIdentity.PATH;

    private final URI signUri;
    private final Optional<String> token;
    private final Optional<SpiffeId> controlPlaneId;
    private final Duration timeout;
    private final HttpClient plain;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * A signer of the plain loopback API with a join token.
     *
     * @param controlPlane the control plane's base URI, e.g. {@code http://127.0.0.1:9902}.
     * @param joinToken    the join token (the same file as the CA's).
     * @param timeout      connect and request timeout.
     */
    public HttpCertificateSigner(final URI controlPlane, final String joinToken, final Duration timeout)
    {
        this(controlPlane, Optional.empty(), Optional.of(requireNonNull(joinToken, "joinToken")), timeout);
    }

    /**
     * @param controlPlane the control plane's base URI: {@code https://host:port}, or {@code http://} on loopback.
     * @param trustDomain  the trust domain, whose {@code /control-plane} id the server must present over TLS.
     * @param token        the node's enrolment token (or, deprecated, a shared join token); empty when the node
     *                     only renews.
     * @param timeout      connect and request timeout.
     */
    public HttpCertificateSigner(final URI controlPlane, final Optional<String> trustDomain,
        final Optional<String> token, final Duration timeout)
    {
        requireNonNull(controlPlane, "controlPlane");
        this.token = requireNonNull(token, "token").map(String::trim);
        this.timeout = requireNonNull(timeout, "timeout");
        if (this.token.filter(String::isEmpty).isPresent())
        {
            throw new IllegalArgumentException("token: must not be empty");
        }
        this.controlPlaneId = requireNonNull(trustDomain, "trustDomain")
            .map(domain -> new SpiffeId(domain, CONTROL_PLANE_PATH));
        if ("https".equals(controlPlane.getScheme()) && controlPlaneId.isEmpty())
        {
            throw new IllegalArgumentException("trustDomain: needed to check the control plane over TLS");
        }
        final String base = controlPlane.toString();
        this.signUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + SIGN_PATH);
        this.plain = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
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
            final HttpRequest.Builder builder = HttpRequest.newBuilder(signUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            final HttpClient http;
            if ("https".equals(signUri.getScheme()))
            {
                final SSLContext context;
                if (request.current().isPresent())
                {
                    final TlsMaterial current = request.current().get();
                    context = JdkSslContexts.of(Optional.of(new TlsMaterialSource(current)),
                        () -> new X509SvidValidator(current.trustBundle()),
                        X509SvidValidator.Expectation.spiffeId(controlPlaneId.orElseThrow()), new PeerRejections(),
                        Clock.systemUTC());
                }
                else
                {
                    final EnrolmentTokens.Token enrolment = token.flatMap(EnrolmentTokens.Token::parse)
                        .orElseThrow(() -> new IdentityClientException(Category.REFUSED, "no valid SVID to renew"
                            + " with, and " + (token.isEmpty() ? "no enrolment token" : "the token is not a node"
                            + " enrolment token (mmt1...: mecmesh node token create NODE), so the control plane's"
                            + " CA cannot be checked")));
                    context = enrolmentContext(enrolment.rootFingerprint());
                    builder.header("Authorization", "Bearer " + enrolment);
                }
                http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1)
                    .sslContext(context).sslParameters(JdkSslContexts.parameters(context, false)).build();
            }
            else
            {
                token.ifPresent(secret -> builder.header("Authorization", "Bearer " + secret));
                http = plain;
            }
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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

    private SSLContext enrolmentContext(final String rootFingerprint)
    {
        try
        {
            final SSLContext context = SSLContext.getInstance(JdkSslContexts.PROTOCOL);
            context.init(null, new TrustManager[] {new PinnedRootTrustManager(rootFingerprint,
                X509SvidValidator.Expectation.spiffeId(controlPlaneId.orElseThrow()), Clock.systemUTC())}, null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK cannot make a TLS context", ex);
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
