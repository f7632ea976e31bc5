package io.mecmesh.conformance;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A MEC application's notification endpoint on 127.0.0.1 (JDK HTTP server): every request's body is queued and
 * answered 204.
 */
final class NotificationReceiver implements AutoCloseable
{
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    private final HttpServer server;

    NotificationReceiver() throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", exchange ->
        {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    /** @return the callback URI to subscribe with. */
    String callback()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/notifications";
    }

    /** Forgets what was received so far. */
    void clear()
    {
        bodies.clear();
    }

    /** @return the next body received within {@code timeout}, or null. */
    String next(final Duration timeout) throws InterruptedException
    {
        return bodies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
