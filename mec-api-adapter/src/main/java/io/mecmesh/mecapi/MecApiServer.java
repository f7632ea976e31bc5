package io.mecmesh.mecapi;

import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.identity.X509SvidValidator;
import io.mecmesh.dataplane.tls.JdkSslContexts;
import io.mecmesh.dataplane.tls.PeerRejections;
import io.mecmesh.slicemanager.api.ControlPlaneBackend;
import io.mecmesh.slicemanager.model.MecSubscription;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * The ETSI MEC 011 (Mp1) server, on Vert.x Web (see {@code mec-api-adapter/DESIGN.md}): TLS 1.3 with the control
 * plane's SVID, and a client certificate required from every caller (an application's X.509-SVID, validated against
 * the trust bundle in the handshake). The caller's SPIFFE id is put in the routing context under {@link #CALLER}
 * before any API handler runs. Every error, the router's own (404, 405, 413) included, is a ProblemDetails.
 *
 * <p>Threads: one Vert.x event loop parses and routes; handlers that touch the desired state run on Vert.x's worker
 * pool (they may wait for the journal). {@link #close()} stops both.
 */
public final class MecApiServer implements AutoCloseable
{
    /** The routing-context key of the caller's {@link SpiffeId}. */
    static final String CALLER = "mecmesh.caller";
    /** The largest request body accepted (413 over it): a rule or a service description is a few KiB. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(MecApiServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    /** How often lapsed heartbeats are looked for (a lapse is seen at most this late). */
    static final Duration LIVENESS_SWEEP = Duration.ofMillis(500);
    /** How often state changes are looked for, to be notified to subscribers (a change is notified this late). */
    static final Duration EVENT_POLL = Duration.ofMillis(100);

    private final Vertx vertx;
    private final HttpServer server;
    private final String host;
    private final LivenessApi liveness;
    private final MecEvents events;
    private final Notifier notifier;
    private final TerminationApi terminations;
    /** The periodic timers, cancelled before Vert.x stops (so none fires into a stopped worker pool). */
    private final List<Long> timers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private MecApiServer(final Vertx vertx, final HttpServer server, final String host, final LivenessApi liveness,
        final MecEvents events, final Notifier notifier, final TerminationApi terminations)
    {
        this.terminations = terminations;
        this.vertx = vertx;
        this.server = server;
        this.host = host;
        this.liveness = liveness;
        this.events = events;
        this.notifier = notifier;
    }

    /**
     * Binds and starts the MEC APIs.
     *
     * @param config  where to listen and the API root.
     * @param tls     the server's identity and the applications' trust bundle.
     * @param backend the slice manager the APIs read and submit commands to.
     * @return the running server.
     * @throws IllegalStateException if it cannot bind.
     */
    public static MecApiServer start(final MecApiConfig config, final MecApiTls tls, final ControlPlaneBackend backend)
    {
        final MecApiServer server = start(config, tls, backend, Clock.systemUTC());
        server.timers.add(server.vertx.setPeriodic(LIVENESS_SWEEP.toMillis(), timer -> server.vertx.executeBlocking(() ->
        {
            try
            {
                return server.liveness.sweep() + server.terminations.sweep();
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("MEC API: the liveness sweep failed (retried in {})", LIVENESS_SWEEP, ex);
                return 0;
            }
        }, false)));
        return server;
    }

    /**
     * Binds and starts the MEC APIs without the periodic liveness sweep: the caller runs {@link #sweepLiveness()}
     * (tests, with their own clock).
     *
     * @param config  where to listen and the API root.
     * @param tls     the server's identity and the applications' trust bundle.
     * @param backend the slice manager the APIs read and submit commands to.
     * @param clock   the time of heartbeats.
     * @return the running server.
     */
    static MecApiServer start(final MecApiConfig config, final MecApiTls tls, final ControlPlaneBackend backend,
        final InstantSource clock)
    {
        requireNonNull(clock, "clock");
        requireNonNull(config, "config");
        requireNonNull(tls, "tls");
        requireNonNull(backend, "backend");
        final Vertx vertx = Vertx.vertx(new VertxOptions()
            .setEventLoopPoolSize(1)
            .setWorkerPoolSize(4)
            .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                .setClassPathResolvingEnabled(false)));
        final Optional<BearerTokens> bearer = bearerTokens(vertx, config, backend);
        try
        {
            final HttpServerOptions options = new HttpServerOptions()
                .setHost(config.address())
                .setPort(config.port())
                .setSsl(true)
                .setUseAlpn(true)
                .setEnabledSecureTransportProtocols(Set.of(JdkSslContexts.PROTOCOL))
                .setKeyCertOptions(KeyCertOptions.wrap(JdkSslContexts.keyManager(tls.keys())))
                .setTrustOptions(TrustOptions.wrap(JdkSslContexts.trustManager(tls.trust(),
                    X509SvidValidator.Expectation.trustDomain(tls.trustDomain()), new PeerRejections(),
                    Clock.systemUTC())))
                .setClientAuth(config.oauth2().isPresent() ? ClientAuth.REQUEST : ClientAuth.REQUIRED)
                .setMaxFormAttributeSize(0);
            // One lock for every write of this server: a change is checked against the state it replaces.
            final Object writeLock = new Object();
            final LivenessApi liveness = new LivenessApi(config.apiRoot(), backend, writeLock, clock);
            final Notifier notifier = new Notifier();
            final MecEvents events = new MecEvents(config.apiRoot(), backend, notifier, clock);
            events.publish();
            final TerminationApi terminations = new TerminationApi(config.apiRoot(), backend, writeLock, clock);
            final Router router = router(vertx, config, tls, backend, writeLock, liveness, events, bearer);
            terminations.register(router);
            final HttpServer server = vertx.createHttpServer(options).requestHandler(router).listen()
                .await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("MEC API on https://{}:{}{}", config.address(), server.actualPort(), config.apiRoot());
            final long eventTimer = vertx.setPeriodic(EVENT_POLL.toMillis(), timer -> vertx.executeBlocking(() ->
            {
                try
                {
                    return events.publish();
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("MEC API: notifying state changes failed (retried in {})", EVENT_POLL, ex);
                    return 0;
                }
            }, false));
            final MecApiServer started = new MecApiServer(vertx, server, config.address(), liveness, events,
                notifier, terminations);
            started.timers.add(eventTimer);
            return started;
        }
        catch (final TimeoutException ex)
        {
            vertx.close();
            throw new IllegalStateException("controlPlane.mecApi: the server did not start within " + START_TIMEOUT,
                ex);
        }
        catch (final Exception ex)
        {
            vertx.close();
            throw new IllegalStateException("controlPlane.mecApi: cannot listen on " + config.address() + ":"
                + config.port() + ": " + ex.getMessage(), ex);
        }
    }

    /** The bearer-token validator, if {@code oauth2} is configured (Vert.x closed if its keys cannot be used). */
    private static Optional<BearerTokens> bearerTokens(final Vertx vertx, final MecApiConfig config,
        final ControlPlaneBackend backend)
    {
        try
        {
            return config.oauth2().map(oauth2 -> new BearerTokens(vertx, oauth2, backend));
        }
        catch (final RuntimeException ex)
        {
            vertx.close();
            throw new IllegalStateException("controlPlane.mecApi.oauth2." + ex.getMessage(), ex);
        }
    }

    private static Router router(final Vertx vertx, final MecApiConfig config, final MecApiTls tls,
        final ControlPlaneBackend backend, final Object writeLock, final LivenessApi liveness, final MecEvents events,
        final Optional<BearerTokens> bearer)
    {
        final Router router = Router.router(vertx);
        router.route().handler(context -> authenticate(context, tls, bearer));
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        new AppSupportApi(config.apiRoot(), backend, writeLock).register(router);
        liveness.register(router);
        new ServiceMgmtApi(config.apiRoot(), backend, writeLock, liveness).register(router);
        new BwmApi(config.apiRoot(), backend, writeLock).register(router);
        new RegistrationsApi(config.apiRoot(), backend, writeLock).register(router);
        for (final MecSubscription.Type type : MecSubscription.Type.values())
        {
            new SubscriptionsApi(config.apiRoot(), backend, writeLock, type, events).register(router);
        }
        router.errorHandler(404, context -> Problems.send(context, 404, "no resource at " + context.request().path()));
        router.errorHandler(405, context -> Problems.send(context, 405, context.request().method() + " is not "
            + "allowed on " + context.request().path()));
        router.errorHandler(413, context -> Problems.send(context, 413, "the request body is over "
            + MAX_BODY_BYTES + " bytes"));
        router.errorHandler(500, context ->
        {
            LOG.warn("MEC API: {} {} failed", context.request().method(), context.request().path(),
                context.failure());
            Problems.send(context, 500, "the request could not be completed");
        });
        return router;
    }

    /**
     * Puts the caller's SPIFFE id in the context, or answers 401 (the handshake already refused other peers): from a
     * bearer token when {@code oauth2} is configured and the request carries one, else from the client certificate.
     */
    private static void authenticate(final RoutingContext context, final MecApiTls tls,
        final Optional<BearerTokens> bearer)
    {
        final String token = bearer.isPresent() ? BearerTokens.tokenOf(context) : null;
        if (token != null)
        {
            bearer.get().authenticate(context, token);
            return;
        }
        final Optional<SpiffeId> caller = callerOf(context, tls);
        if (caller.isEmpty() && bearer.isPresent())
        {
            BearerTokens.refuse(context, null, "a bearer token (Authorization: Bearer) or a client certificate (an "
                + "X.509-SVID of trust domain " + tls.trustDomain() + ") is required");
            return;
        }
        if (caller.isEmpty())
        {
            Problems.send(context, 401, "a client certificate (an X.509-SVID of trust domain " + tls.trustDomain()
                + ") is required");
            return;
        }
        context.put(CALLER, caller.get());
        context.next();
    }

    private static Optional<SpiffeId> callerOf(final RoutingContext context, final MecApiTls tls)
    {
        final List<Certificate> certificates;
        try
        {
            certificates = context.request().connection().peerCertificates();
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return Optional.empty();
        }
        final List<X509Certificate> chain = new ArrayList<>(certificates.size());
        for (final Certificate certificate : certificates)
        {
            if (certificate instanceof X509Certificate x509)
            {
                chain.add(x509);
            }
        }
        if (chain.isEmpty())
        {
            return Optional.empty();
        }
        final X509SvidValidator.Result result = tls.trust().get().validate(chain, Clock.systemUTC().instant(),
            X509SvidValidator.Expectation.trustDomain(tls.trustDomain()));
        return result.isValid() ? result.spiffeId() : Optional.empty();
    }

    /**
     * Suspends the services whose heartbeats lapsed (see {@link LivenessApi#sweep()}).
     *
     * @return how many it suspended.
     */
    int sweepLiveness()
    {
        return liveness.sweep();
    }

    /**
     * @return the liveness resources' state (counters, remembered heartbeats), for tests.
     */
    LivenessApi liveness()
    {
        return liveness;
    }

    /**
     * Removes the instances whose graceful termination lapsed (see {@link TerminationApi#sweep()}).
     *
     * @return how many it removed.
     */
    int sweepTerminations()
    {
        return terminations.sweep();
    }

    /**
     * @return the termination counters, for tests.
     */
    TerminationApi terminations()
    {
        return terminations;
    }

    /**
     * @return the notifications' counters, for tests.
     */
    Notifier notifier()
    {
        return notifier;
    }

    /**
     * @param counter an outcome of the notifications sent to subscribers.
     * @return how many had it since start (for the appliance's metrics).
     */
    public long notifications(final NotificationCounter counter)
    {
        return notifier.count(counter);
    }

    /**
     * @return the bound TCP port.
     */
    public int port()
    {
        return server.actualPort();
    }

    /**
     * @return the bound address.
     */
    public String host()
    {
        return host;
    }

    @Override
    public void close()
    {
        timers.forEach(vertx::cancelTimer);
        try
        {
            vertx.close().await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            LOG.warn("MEC API: Vert.x did not stop within {}", START_TIMEOUT);
        }
    }
}
