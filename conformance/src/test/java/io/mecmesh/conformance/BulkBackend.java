package io.mecmesh.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A backend for rate tests on 127.0.0.1: {@code GET /bytes/N} answers N bytes (Content-Length, written in 64 KiB
 * parts as fast as the connection takes them); {@code GET /hold/...} answers only once {@link #release()} is called
 * (at most 30 s); any other path answers {@code 200 "ok"}. Records every path it was asked for. Each request runs on
 * its own thread, so a held one does not delay the others.
 */
final class BulkBackend implements AutoCloseable
{
    private static final int CHUNK = 64 * 1024;
    private static final long MAX_HOLD_SECONDS = 30;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    BulkBackend() throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    int port()
    {
        return server.getAddress().getPort();
    }

    /**
     * @return the paths requested so far, oldest first.
     */
    List<String> paths()
    {
        return List.copyOf(paths);
    }

    /** Lets every held request (and every later one) answer. */
    void release()
    {
        released.countDown();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange; InputStream body = exchange.getRequestBody())
        {
            body.readAllBytes();
            final String path = exchange.getRequestURI().getRawPath();
            paths.add(path);
            if (path.startsWith("/bytes/"))
            {
                long left = Long.parseLong(path.substring("/bytes/".length()));
                exchange.getResponseHeaders().set("content-type", "application/octet-stream");
                exchange.sendResponseHeaders(200, left);
                final byte[] chunk = new byte[CHUNK];
                try (OutputStream out = exchange.getResponseBody())
                {
                    while (left > 0)
                    {
                        final int n = (int)Math.min(CHUNK, left);
                        out.write(chunk, 0, n);
                        left -= n;
                    }
                }
                return;
            }
            if (path.startsWith("/hold/"))
            {
                released.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS);
            }
            final byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(ok);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
