package io.mecmesh.appliance.control;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.mecmesh.appliance.ApplianceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * The control plane's HTTP API ({@code mecmesh apply/get/status/journal}, CSR signing): a JDK HTTP server on the
 * control plane's address, with one handler per context path. Requests are handled on two threads: the slice
 * manager serializes commands itself.
 */
public final class ControlApiServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlApiServer.class);
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;

    private ControlApiServer(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts the API.
     *
     * @param address  where to bind.
     * @param port     the TCP port, 0 for one the kernel chooses.
     * @param handlers the handler of each context path (the longest matching path wins).
     * @return the running server.
     * @throws ApplianceException ({@code UNAVAILABLE}) when the port cannot be bound.
     */
    public static ControlApiServer start(final String address, final int port, final Map<String, HttpHandler> handlers)
    {
        requireNonNull(address, "address");
        requireNonNull(handlers, "handlers");
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
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
        handlers.forEach(server::createContext);
        server.start();
        LOG.info("control-plane API on http://{}:{}{}", address, server.getAddress().getPort(), handlers.keySet());
        return new ControlApiServer(server, executor);
    }

    /**
     * @return the bound address.
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
}
