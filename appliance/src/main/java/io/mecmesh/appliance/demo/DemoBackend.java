package io.mecmesh.appliance.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The workload of {@code mecmesh demo}: a small HTTP server on loopback standing in for a MEC application. It
 * answers every GET with a line naming itself and the request, and echoes the body of a POST or PUT, so that a
 * user can see a request and a body go through the proxy.
 */
public final class DemoBackend implements AutoCloseable
{
    /** The first words of every answer, so that a user (and a test) can tell the backend answered. */
    public static final String GREETING = "hello from the mecmesh demo backend";

    private final HttpServer server;
    private final ExecutorService executor;

    private DemoBackend(final HttpServer server, final ExecutorService executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the backend on 127.0.0.1 and a port the kernel chooses.
     *
     * @return the running backend.
     * @throws IOException when it cannot bind.
     */
    public static DemoBackend start() throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        final ExecutorService executor = Executors.newFixedThreadPool(2, runnable ->
        {
            final Thread thread = new Thread(runnable, "mecmesh-demo-backend");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", DemoBackend::handle);
        server.start();
        return new DemoBackend(server, executor);
    }

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

    private static void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange; InputStream in = exchange.getRequestBody())
        {
            final String method = exchange.getRequestMethod();
            if ("POST".equals(method) || "PUT".equals(method))
            {
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody())
                {
                    in.transferTo(out);
                }
                return;
            }
            in.transferTo(OutputStream.nullOutputStream());
            final String caller = exchange.getRequestHeaders().getFirst("x-mecmesh-peer-id");
            final byte[] body = (GREETING + " (" + method + " " + exchange.getRequestURI() + ", host "
                + exchange.getRequestHeaders().getFirst("Host")
                + (caller == null ? "" : ", called by " + caller) + ")\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, "HEAD".equals(method) ? -1 : body.length);
            if (!"HEAD".equals(method))
            {
                try (OutputStream out = exchange.getResponseBody())
                {
                    out.write(body);
                }
            }
        }
    }
}
