package io.mecmesh.appliance.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.mecmesh.appliance.ApplianceException;
import io.mecmesh.appliance.config.AdminConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The admin endpoint on its own port, apart from the data plane so that a saturated proxy can still be probed:
 * <ul>
 *   <li>{@code GET /ready}: 200 when ready (every listener bound and, on an edge with a control plane, a
 *   configuration applied), 503 otherwise — the readiness probe; the body says why not, and what is degraded;</li>
 *   <li>{@code GET /live}: 200 while the process serves — the liveness probe;</li>
 *   <li>{@code GET /metrics}: Prometheus text format;</li>
 *   <li>{@code GET /config_dump}: the running data-plane configuration (listeners, routes, clusters, version) as
 *   JSON;</li>
 *   <li>{@code GET /errors}: the last WARN and ERROR log lines of the process ({@link RecentErrors}).</li>
 * </ul>
 * Anything else is 404; a method other than GET or HEAD is 405. A page or handler that fails answers 500 with a
 * one-line reason, logged once per path and reason. One thread; no per-request logging.
 */
public final class AdminServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_LOGGED_FAILURES = 256;
    private static final Set<String> LOGGED_FAILURES = ConcurrentHashMap.newKeySet();

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts the admin endpoint.
     *
     * @param config  where to bind.
     * @param ready   the readiness condition.
     * @param metrics the metrics to expose.
     * @return the running endpoint.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static AdminServer start(final AdminConfig config, final BooleanSupplier ready, final MetricsExport metrics)
    {
        return start(config, ready, metrics, () -> null);
    }

    /**
     * Binds and starts the admin endpoint.
     *
     * @param config     where to bind.
     * @param ready      the readiness condition.
     * @param metrics    the metrics to expose.
     * @param configDump the running configuration, rendered by {@code /config_dump} (may supply {@code null}).
     * @return the running endpoint.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static AdminServer start(
        final AdminConfig config,
        final BooleanSupplier ready,
        final MetricsExport metrics,
        final Supplier<Object> configDump)
    {
        return start(config, ready, metrics, configDump, Map.of());
    }

    /**
     * Binds and starts the admin endpoint with more handlers beside the admin pages.
     *
     * @param config     where to bind.
     * @param ready      the readiness condition.
     * @param metrics    the metrics to expose.
     * @param configDump the running configuration, rendered by {@code /config_dump} (may supply {@code null}).
     * @param extra      more handlers by context path (e.g. a site CA's {@code /v1/identity/workload}).
     * @return the running endpoint.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static AdminServer start(
        final AdminConfig config,
        final BooleanSupplier ready,
        final MetricsExport metrics,
        final Supplier<Object> configDump,
        final Map<String, HttpHandler> extra)
    {
        requireNonNull(ready, "ready");
        return start(config, () -> ready.getAsBoolean() ? Readiness.READY
            : Readiness.of(List.of("listeners not bound"), List.of()), metrics, configDump, extra);
    }

    /**
     * Binds and starts the admin endpoint with more handlers beside the admin pages.
     *
     * @param config     where to bind.
     * @param readiness  whether the appliance is ready, and why not or what is degraded ({@code /ready}'s body).
     * @param metrics    the metrics to expose.
     * @param configDump the running configuration, rendered by {@code /config_dump} (may supply {@code null}).
     * @param extra      more handlers by context path (e.g. a site CA's {@code /v1/identity/workload}).
     * @return the running endpoint.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static AdminServer start(
        final AdminConfig config,
        final Supplier<Readiness> readiness,
        final MetricsExport metrics,
        final Supplier<Object> configDump,
        final Map<String, HttpHandler> extra)
    {
        requireNonNull(config, "config");
        requireNonNull(extra, "extra");
        requireNonNull(readiness, "readiness");
        requireNonNull(metrics, "metrics");
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(config.address(), config.port()), 64);
        }
        catch (final IOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "admin endpoint cannot bind "
                + config.address() + ":" + config.port() + ": " + ex.getMessage(), ex);
        }
        final ExecutorService executor = Executors.newSingleThreadExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-admin");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", guarded(exchange -> route(exchange, readiness, metrics, configDump)));
        extra.forEach((path, handler) -> server.createContext(path, guarded(handler)));
        server.start();
        LOG.info("admin endpoint on http://{}:{}/ (ready, live, metrics)",
            config.address(), server.getAddress().getPort());
        return new AdminServer(server, executor);
    }

    /**
     * @return the bound address (with the kernel's port when the configuration said 0).
     */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * Runs a handler so that its failure answers 500 with a one-line reason (when the response has not started) and
     * is logged once per path and reason: a failing page never shows as a closed connection. The exchange is closed on
     * every path.
     */
    static HttpHandler guarded(final HttpHandler handler)
    {
        requireNonNull(handler, "handler");
        return exchange ->
        {
            try
            {
                handler.handle(exchange);
                exchange.close();
            }
            catch (final Exception ex)
            {
                if (exchange.getResponseCode() != -1)
                {
                    // The response had started: the client's connection or a late failure, nothing to answer.
                    exchange.close();
                    return;
                }
                final String reason = ex.getClass().getSimpleName() + ": " + ex.getMessage();
                final String key = exchange.getRequestURI().getPath() + " " + reason;
                if (LOGGED_FAILURES.size() < MAX_LOGGED_FAILURES && LOGGED_FAILURES.add(key))
                {
                    LOG.error("admin endpoint: {} failed (logged once): {}", exchange.getRequestURI().getPath(),
                        reason, ex);
                }
                try (exchange)
                {
                    respond(exchange, 500, "text/plain; charset=utf-8", "internal error: "
                        + reason.replace('\n', ' ').replace('\r', ' ') + "\n");
                }
            }
        };
    }

    private static void route(
        final HttpExchange exchange,
        final Supplier<Readiness> readiness,
        final MetricsExport metrics,
        final Supplier<Object> configDump)
        throws IOException
    {
        {
            final String method = exchange.getRequestMethod();
            final String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(method) && !"HEAD".equals(method))
            {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (path)
            {
                case "/ready" ->
                {
                    final Readiness now = readiness.get();
                    respond(exchange, now.ready() ? 200 : 503, "text/plain; charset=utf-8", now.body());
                }
                case "/live" -> respond(exchange, 200, "text/plain; charset=utf-8", "live\n");
                case "/metrics" ->
                {
                    final ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
                    metrics.writeTo(body);
                    respond(exchange, 200, metrics.contentType(), body.toByteArray());
                }
                case "/config_dump" -> respond(exchange, 200, "application/json",
                    ConfigDump.JSON.writeValueAsBytes(configDump.get()));
                case "/errors" -> respond(exchange, 200, "text/plain; charset=utf-8", RecentErrors.page());
                default -> respond(exchange, 404, "text/plain; charset=utf-8",
                    "not found: the admin endpoint serves /ready, /live, /metrics, /config_dump and /errors\n");
            }
        }
    }

    private static void respond(final HttpExchange exchange, final int status, final String type, final String body)
        throws IOException
    {
        respond(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(final HttpExchange exchange, final int status, final String type, final byte[] body)
        throws IOException
    {
        exchange.getResponseHeaders().set("Content-Type", type);
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head)
        {
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}
