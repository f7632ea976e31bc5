package io.mecmesh.appliance.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.TlsMaterialSource;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.slicemanager.api.ApiAccess;
import io.mecmesh.slicemanager.ca.CaDirectory;
import io.mecmesh.slicemanager.ca.CertificateAuthorityException;
import io.mecmesh.slicemanager.ca.ControlPlaneIdentity;
import io.mecmesh.slicemanager.ca.IdentityHttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The control plane's HTTP API ({@code mecmesh apply/get/status/journal}, CSR signing): a JDK HTTPS server (TLS 1.3,
 * client certificates asked for, not required: a node's first enrolment has none) or, by explicit opt-in, a plain
 * HTTP one on loopback. Every request first goes through {@link ApiAccess} (origin, authentication, content type,
 * role): a denial is answered here with a problem document and never reaches a handler; an allowed request reaches
 * the handler of its context path with the caller in the {@link ApiAccess#CALLER_ATTRIBUTE} attribute (and its
 * SPIFFE id in {@link IdentityHttpHandler#CALLER_ID_ATTRIBUTE}). Requests are handled on two threads: the slice
 * manager serializes commands itself.
 */
public final class ControlApiServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlApiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean tls;
    private final ApiAccess access;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private Optional<TlsMaterialSource> identity = Optional.empty();

    private ControlApiServer(final HttpServer server, final ExecutorService executor, final boolean tls,
        final ApiAccess access)
    {
        this.server = server;
        this.executor = executor;
        this.tls = tls;
        this.access = access;
    }

    /**
     * Starts the API of a control plane as configured: over TLS with the control plane's own SVID (issued from its
     * CA now, renewed at half life, closed with the server), or plain on loopback when {@code insecureLoopback}.
     *
     * @param api       {@code controlPlane.api}.
     * @param ca        the control plane's CA, if it runs one.
     * @param svidTtl   the lifetime of the control plane's SVID.
     * @param handlers  the handler of each context path.
     * @return the running server.
     * @throws ApplianceException CONFIG when TLS is asked for without a CA; UNAVAILABLE when the port cannot be
     *                            bound.
     */
    public static ControlApiServer start(final ControlPlaneConfig.Api api, final Optional<CaDirectory> ca,
        final Duration svidTtl, final Map<String, HttpHandler> handlers)
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
            final SSLContext context = JdkSslContexts.of(Optional.of(identity.source()),
                () -> new X509SvidValidator(directory.trustBundle()),
                X509SvidValidator.Expectation.trustDomain(directory.authority().trustDomain()), new PeerRejections(),
                Clock.systemUTC());
            final ControlApiServer server = start(api.address(), api.port(), Optional.of(context),
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
     * @param tls      the TLS context (the control plane's SVID, client certificates validated against the CA's
     *                 bundle), or empty for the plain loopback API.
     * @param access   decides who may call what; built from the bound port ({@link ApiAccess#ownOrigins}).
     * @param handlers the handler of each context path (the longest matching path wins).
     * @return the running server.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static ControlApiServer start(final String address, final int port, final Optional<SSLContext> tls,
        final Function<Integer, ApiAccess> access, final Map<String, HttpHandler> handlers)
    {
        requireNonNull(address, "address");
        requireNonNull(tls, "tls");
        requireNonNull(access, "access");
        requireNonNull(handlers, "handlers");
        final HttpServer server;
        try
        {
            if (tls.isPresent())
            {
                final HttpsServer https = HttpsServer.create(new InetSocketAddress(address, port), 64);
                final SSLContext context = tls.get();
                https.setHttpsConfigurator(new HttpsConfigurator(context)
                {
                    @Override
                    public void configure(final HttpsParameters parameters)
                    {
                        parameters.setSSLParameters(JdkSslContexts.parameters(context, true));
                    }
                });
                server = https;
            }
            else
            {
                server = HttpServer.create(new InetSocketAddress(address, port), 64);
            }
        }
        catch (final IOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "control-plane API cannot bind "
                + address + ":" + port + ": " + ex.getMessage(), ex);
        }
        final AtomicInteger threads = new AtomicInteger();
        final ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-control-api-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        final ApiAccess gate = access.apply(server.getAddress().getPort());
        handlers.forEach((path, handler) -> server.createContext(path, new Guarded(gate, handler)));
        server.start();
        LOG.info("control-plane API on {}://{}:{}{}", tls.isPresent() ? "https" : "http", address,
            server.getAddress().getPort(), handlers.keySet());
        return new ControlApiServer(server, executor, tls.isPresent(), gate);
    }

    /**
     * @return the bound address.
     */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    /**
     * @return {@code https} or {@code http}.
     */
    public String scheme()
    {
        return tls ? "https" : "http";
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
        server.stop(0);
        executor.shutdownNow();
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

    /**
     * Asks {@link ApiAccess} before the handler: consumes the exchange (answers and closes it) on a denial, else
     * passes it on untouched with the caller attached.
     */
    private static final class Guarded implements HttpHandler
    {
        private final ApiAccess access;
        private final HttpHandler handler;

        Guarded(final ApiAccess access, final HttpHandler handler)
        {
            this.access = access;
            this.handler = handler;
        }

        @Override
        public void handle(final HttpExchange exchange) throws IOException
        {
            final ApiAccess.Decision decision = access.decide(new ApiAccess.Request(exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders()::getFirst, peerChain(exchange)));
            if (!decision.allowed())
            {
                deny(exchange, decision.denial().orElseThrow(), decision.detail());
                return;
            }
            decision.caller().ifPresent(caller ->
            {
                exchange.setAttribute(ApiAccess.CALLER_ATTRIBUTE, caller);
                caller.id().ifPresent(id -> exchange.setAttribute(IdentityHttpHandler.CALLER_ID_ATTRIBUTE, id));
            });
            handler.handle(exchange);
        }

        private static List<X509Certificate> peerChain(final HttpExchange exchange)
        {
            if (!(exchange instanceof HttpsExchange https))
            {
                return List.of();
            }
            try
            {
                final List<X509Certificate> chain = new ArrayList<>();
                for (final Certificate certificate : https.getSSLSession().getPeerCertificates())
                {
                    if (certificate instanceof X509Certificate x509)
                    {
                        chain.add(x509);
                    }
                }
                return chain;
            }
            catch (final SSLPeerUnverifiedException ex)
            {
                return List.of();
            }
        }

        private static void deny(final HttpExchange exchange, final ApiAccess.Denial denial, final String detail)
            throws IOException
        {
            try (exchange)
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
                final byte[] body = JSON.writeValueAsBytes(problem);
                exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                if (denial.status() == 401)
                {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Mutual realm=\"mecmesh\"");
                }
                exchange.sendResponseHeaders(denial.status(), body.length);
                try (OutputStream out = exchange.getResponseBody())
                {
                    out.write(body);
                }
            }
        }
    }
}
