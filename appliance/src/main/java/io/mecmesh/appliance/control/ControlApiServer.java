package io.mecmesh.appliance.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.slicemanager.api.ApiAccess;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.ControlPlaneIdentity;
import io.mecmesh.slicemanager.ca.IdentityHttpHandler;
import io.mecmesh.slicemanager.http.ApiExchange;
import io.mecmesh.slicemanager.http.ApiGate;
import io.mecmesh.slicemanager.http.ApiHandler;
import io.mecmesh.slicemanager.http.ApiHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The control plane's HTTP API ({@code mecmesh apply/get/status/journal}, CSR signing) on the MEC APIs' stack,
 * Vert.x Web ({@link ApiHttpServer}): TLS 1.3 with the control plane's SVID, client certificates asked for, not
 * required (a node's first enrolment has none), or, by explicit opt-in, plain HTTP on loopback. Every request first
 * goes through {@link ApiAccess} (origin, authentication, content type, role) as the server's {@link ApiGate}: a
 * denial is answered here with a problem document and never reaches a handler (nor is its body read); an allowed
 * request reaches the handler of its path prefix with the caller in the {@link ApiAccess#CALLER_ATTRIBUTE}
 * attribute (and its SPIFFE id in {@link IdentityHttpHandler#CALLER_ID_ATTRIBUTE}). Threads: one event loop and
 * {@value #WORKERS} workers ({@code mecmesh-control-api-worker-N}) that run the access check and the handlers (the
 * slice manager serializes commands itself).
 */
public final class ControlApiServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "mecmesh-control-api";
    private static final int WORKERS = 2;

    private final ApiHttpServer server;
    private final ApiAccess access;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private Optional<TlsMaterialSource> identity = Optional.empty();

    private ControlApiServer(final ApiHttpServer server, final ApiAccess access)
    {
        this.server = server;
        this.access = access;
    }

    /**
     * Starts the API of a control plane as configured: over TLS with the control plane's own SVID (issued from its
     * CA now, renewed at half life, closed with the server), or plain on loopback when {@code insecureLoopback}.
     *
     * @param api       {@code controlPlane.api}.
     * @param ca        the control plane's CA, if it runs one.
     * @param svidTtl   the lifetime of the control plane's SVID.
     * @param handlers  the handler of each path prefix.
     * @return the running server.
     * @throws ApplianceException CONFIG when TLS is asked for without a CA; UNAVAILABLE when the port cannot be
     *                            bound.
     */
    public static ControlApiServer start(final ControlPlaneConfig.Api api, final Optional<CaDirectory> ca,
        final Duration svidTtl, final Map<String, ? extends ApiHandler> handlers)
    {
        requireNonNull(api, "api");
        requireNonNull(ca, "ca");
        if (api.insecureLoopback())
        {
            return start(api.address(), api.port(), Optional.empty(), port -> new ApiAccess(false,
                ApiAccess.ownOrigins(false, api.address(), port), List::of, api.roles(), InstantSource.system()),
                handlers);
        }
        final CaDirectory directory = ca.orElseThrow(() -> new ApplianceException(ApplianceException.Category.CONFIG,
            "controlPlane.api: the API is served over TLS with the control plane's SVID, which needs the ca section"
                + " (or set controlPlane.api.insecureLoopback: true on a loopback address)"));
        final ControlPlaneIdentity identity;
        try
        {
            identity = ControlPlaneIdentity.start(directory, svidTtl, InstantSource.system());
        }
        catch (final CertificateAuthorityException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE,
                "controlPlane.api: cannot issue the control plane's SVID: " + ex.getMessage(), ex);
        }
        try
        {
            final ApiHttpServer.Tls tls = new ApiHttpServer.Tls(JdkSslContexts.keyManager(identity.source()),
                JdkSslContexts.trustManager(() -> new X509SvidValidator(directory.trustBundle()),
                    X509SvidValidator.Expectation.trustDomain(directory.authority().trustDomain()),
                    new PeerRejections(), Clock.systemUTC()));
            final ControlApiServer server = start(api.address(), api.port(), Optional.of(tls),
                port -> new ApiAccess(true, ApiAccess.ownOrigins(true, api.address(), port), directory::trustBundle,
                    api.roles(), InstantSource.system()), handlers);
            server.owned.add(identity);
            server.identity = Optional.of(identity.source());
            return server;
        }
        catch (final RuntimeException ex)
        {
            identity.close();
            throw ex;
        }
    }

    /**
     * Binds and starts the API.
     *
     * @param address  where to bind.
     * @param port     the TCP port, 0 for one the kernel chooses.
     * @param tls      the server's TLS (the control plane's SVID, client certificates validated against the CA's
     *                 bundle), or empty for the plain loopback API.
     * @param access   decides who may call what; built from the bound port ({@link ApiAccess#ownOrigins}).
     * @param handlers the handler of each path prefix (the longest matching prefix wins).
     * @return the running server.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static ControlApiServer start(final String address, final int port, final Optional<ApiHttpServer.Tls> tls,
        final Function<Integer, ApiAccess> access, final Map<String, ? extends ApiHandler> handlers)
    {
        requireNonNull(address, "address");
        requireNonNull(tls, "tls");
        requireNonNull(access, "access");
        requireNonNull(handlers, "handlers");
        // The gate needs the bound port (its own origins); requests wait for it on a worker until the bind returns.
        final CompletableFuture<ApiAccess> gate = new CompletableFuture<>();
        final ApiHttpServer server;
        try
        {
            server = ApiHttpServer.start(new ApiHttpServer.Settings(NAME, address, port, WORKERS, tls),
                exchange -> admit(gate.join(), exchange), handlers);
        }
        catch (final IllegalStateException ex)
        {
            gate.cancel(false);
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "control-plane API cannot bind "
                + address + ":" + port + ": " + rootMessage(ex), ex);
        }
        final ApiAccess decided = access.apply(server.address().getPort());
        gate.complete(decided);
        return new ControlApiServer(server, decided);
    }

    /**
     * @return the bound address.
     */
    public InetSocketAddress address()
    {
        return server.address();
    }

    /**
     * @return {@code https} or {@code http}.
     */
    public String scheme()
    {
        return server.scheme();
    }

    /**
     * @return the control plane's SVID this API presents (renewed in place), empty on the plain loopback API.
     */
    public Optional<TlsMaterialSource> identity()
    {
        return identity;
    }

    /**
     * @return who may call what, with its denial counters.
     */
    public ApiAccess access()
    {
        return access;
    }

    @Override
    public void close()
    {
        server.close();
        for (final AutoCloseable resource : owned)
        {
            try
            {
                resource.close();
            }
            catch (final Exception ex)
            {
                LOG.warn("control-plane API: closing {} failed: {}", resource, ex.toString());
            }
        }
    }

    private static String rootMessage(final Throwable failure)
    {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause)
        {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }

    /**
     * Asks {@link ApiAccess} before the handler: answers the exchange on a denial, else attaches the caller.
     */
    private static boolean admit(final ApiAccess access, final ApiExchange exchange)
    {
        final ApiAccess.Decision decision = access.decide(new ApiAccess.Request(exchange.method(),
            exchange.rawPath(), exchange::header, exchange.peerChain()));
        if (!decision.allowed())
        {
            deny(exchange, decision.denial().orElseThrow(), decision.detail());
            return false;
        }
        decision.caller().ifPresent(caller ->
        {
            exchange.attribute(ApiAccess.CALLER_ATTRIBUTE, caller);
            caller.id().ifPresent(id -> exchange.attribute(IdentityHttpHandler.CALLER_ID_ATTRIBUTE, id));
        });
        return true;
    }

    private static void deny(final ApiExchange exchange, final ApiAccess.Denial denial, final String detail)
    {
        final ObjectNode problem = JSON.createObjectNode();
        problem.put("type", "about:blank");
        problem.put("title", switch (denial.status())
        {
            case 401 -> "Unauthorized";
            case 415 -> "Unsupported Media Type";
            default -> "Forbidden";
        });
        problem.put("status", denial.status());
        problem.put("detail", detail);
        problem.put("reason", denial.label());
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cache-Control", "no-store");
        if (denial.status() == 401)
        {
            headers.put("WWW-Authenticate", "Mutual realm=\"mecmesh\"");
        }
        try
        {
            exchange.respond(denial.status(), "application/problem+json", JSON.writeValueAsBytes(problem), headers);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a JSON tree cannot be written", ex);
        }
    }
}
