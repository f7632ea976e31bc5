package io.mecmesh.mecapi;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application's notification endpoint: a real HTTP server on 127.0.0.1 that keeps every POSTed body and answers
 * 204 (or 503 for the first {@code failFirst} requests, to exercise retries).
 */
final class CallbackReceiver implements AutoCloseable
{
    private final HttpServer server;
    private final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    private final AtomicInteger failures;

    CallbackReceiver(final int failFirst)
    {
        this.failures = new AtomicInteger(failFirst);
        try
        {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        server.createContext("/", exchange ->
        {
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            final boolean fail = failures.getAndDecrement() > 0;
            if (!fail && "POST".equals(exchange.getRequestMethod()))
            {
                bodies.add(body);
            }
            exchange.sendResponseHeaders(fail ? 503 : 204, -1);
            exchange.close();
        });
        server.start();
    }

    /**
     * @return the URI to subscribe with.
     */
    String callback()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/notifications";
    }

    /**
     * @param within how long to wait for it.
     * @return the next notification received.
     */
    String next(final Duration within)
    {
        try
        {
            final String body = bodies.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(body).as("a notification within " + within).isNotNull();
            return body;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Waits for a condition, looking every 20 ms until a deadline.
     *
     * @param condition what must become true.
     * @param within    the deadline, from now.
     */
    static void await(final BooleanSupplier condition, final Duration within)
    {
        final long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("the condition within " + within).isNegative();
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /**
     * @return notifications received and not taken yet.
     */
    int pending()
    {
        return bodies.size();
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
