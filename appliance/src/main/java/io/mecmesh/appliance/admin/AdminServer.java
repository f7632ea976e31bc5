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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The admin endpoint on its own port, apart from the data plane so that a saturated proxy can still be probed:
 * <ul>
 *   <li>{@code GET /ready}: 200 only while every listener is bound (503 otherwise) — the readiness probe;</li>
 *   <li>{@code GET /live}: 200 while the process serves — the liveness probe;</li>
 *   <li>{@code GET /metrics}: Prometheus text format;</li>
 *   <li>{@code GET /config_dump}: the running data-plane configuration (listeners, routes, clusters, version) as
 *   JSON.</li>
 * </ul>
 * Anything else is 404; a method other than GET or HEAD is 405. One thread; no per-request logging.
 */
public final class AdminServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

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
        return start(config, ready, metrics, configDump, extra, List::of);
    }

    /**
     * Binds and starts the admin endpoint; {@code /ready} names every degraded state in its body (still 200 when
     * ready: the node serves, but not what it should, e.g. a last-known-good fallback).
     *
     * @param config     where to bind.
     * @param ready      the readiness condition.
     * @param metrics    the metrics to expose.
     * @param configDump the running configuration, rendered by {@code /config_dump} (may supply {@code null}).
     * @param extra      more handlers by context path (e.g. a site CA's {@code /v1/identity/workload}).
     * @param degraded   why the appliance is degraded now (one line each), empty when it is not.
     * @return the running endpoint.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static AdminServer start(
        final AdminConfig config,
        final BooleanSupplier ready,
        final MetricsExport metrics,
        final Supplier<Object> configDump,
        final Map<String, HttpHandler> extra,
        final Supplier<List<String>> degraded)
    {
        requireNonNull(degraded, "degraded");
        requireNonNull(config, "config");
        requireNonNull(extra, "extra");
        requireNonNull(ready, "ready");
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
        server.createContext("/", exchange -> handle(exchange, ready, metrics, configDump, degraded));
        extra.forEach(server::createContext);
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

    private static void handle(
        final HttpExchange exchange,
        final BooleanSupplier ready,
        final MetricsExport metrics,
        final Supplier<Object> configDump,
        final Supplier<List<String>> degraded)
        throws IOException
    {
        try (exchange)
        {
            route(exchange, ready, metrics, configDump, degraded);
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("admin endpoint: {} failed", exchange.getRequestURI(), ex);
            respond(exchange, 500, "text/plain; charset=utf-8", "internal error: " + ex + "\n");
        }
    }

    private static void route(
        final HttpExchange exchange,
        final BooleanSupplier ready,
        final MetricsExport metrics,
        final Supplier<Object> configDump,
        final Supplier<List<String>> degraded)
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
                case "/ready" -> respond(exchange, ready.getAsBoolean() ? 200 : 503, "text/plain; charset=utf-8",
                    (ready.getAsBoolean() ? "ready\n" : "not ready\n") + degraded.get().stream()
                        .map(reason -> "degraded: " + reason + "\n").collect(Collectors.joining()));
                case "/live" -> respond(exchange, 200, "text/plain; charset=utf-8", "live\n");
                case "/metrics" ->
                {
                    final ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
                    metrics.writeTo(body);
                    respond(exchange, 200, metrics.contentType(), body.toByteArray());
                }
                case "/config_dump" -> respond(exchange, 200, "application/json",
                    ConfigDump.JSON.writeValueAsBytes(configDump.get()));
                default -> respond(exchange, 404, "text/plain; charset=utf-8",
                    "not found: the admin endpoint serves /ready, /live, /metrics and /config_dump\n");
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
