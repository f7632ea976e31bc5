package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 64 MiB body streams through the proxy (to an echoing backend and back) without being held in memory: the
 * pooled direct memory in use (where bodies live) stays under a small bound while it flows, which only holds if the
 * proxy streams part by part and applies back-pressure both ways, and nothing of it is left on the heap after.
 * (The heap's peak is not a measure here: paranoid leak detection makes garbage for every buffer.)
 */
class LargeBodyStreamingTest
{
    private static final long BODY_BYTES = 64L * 1024 * 1024;
    private static final long DIRECT_BOUND_BYTES = 24L * 1024 * 1024;
    private static final long HEAP_RETAINED_BOUND_BYTES = 16L * 1024 * 1024;

    @Test
    void shouldStream64MebibytesWithFlatMemory() throws Exception
    {
        try (TestBackend backend = new TestBackend("echo"))
        {
            final DataPlane dataPlane = DataPlane.start(new MeshConfig(0, TransportKind.AUTO, 1,
                List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
                List.of(new RouteConfig("*", "/", "echo")),
                List.of(ClusterConfig.of("echo", List.of(new Endpoint("127.0.0.1", backend.port()))))),
                new DataPlaneCounters());
            final AtomicBoolean flowing = new AtomicBoolean(true);
            final AtomicLong peakDirect = new AtomicLong();
            System.gc();
            final Runtime runtime = Runtime.getRuntime();
            final long heapBefore = runtime.totalMemory() - runtime.freeMemory();
            final Thread sampler = new Thread(() ->
            {
                while (flowing.get())
                {
                    peakDirect.accumulateAndGet(PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
            }, "memory-sampler");
            sampler.start();
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", dataPlane.listenerAddress("ingress").getPort()));
                socket.setSoTimeout(30_000);
                final OutputStream out = socket.getOutputStream();
                final InputStream in = socket.getInputStream();
                out.write(("POST /echo HTTP/1.1\r\nHost: echo\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
                {
                    final byte[] chunk = new byte[64 * 1024];
                    try
                    {
                        for (long sent = 0; sent < BODY_BYTES; sent += chunk.length)
                        {
                            chunk[0] = (byte)(sent / chunk.length);
                            out.write(chunk);
                        }
                        out.flush();
                    }
                    catch (final java.io.IOException ex)
                    {
                        throw new java.io.UncheckedIOException(ex);
                    }
                });
                final long received = readResponseBody(in);
                writer.get(60, TimeUnit.SECONDS);

                assertThat(received).isEqualTo(BODY_BYTES);
            }
            finally
            {
                flowing.set(false);
                sampler.join(5000);
                dataPlane.close();
            }
            assertThat(peakDirect.get()).as("peak pooled direct memory in use while 64 MiB flowed")
                .isLessThan(DIRECT_BOUND_BYTES);
            System.gc();
            assertThat(runtime.totalMemory() - runtime.freeMemory() - heapBefore)
                .as("heap retained after 64 MiB flowed").isLessThan(HEAP_RETAINED_BOUND_BYTES);
        }
    }

    /** Reads the status line and headers, then counts the Content-Length body bytes. */
    private static long readResponseBody(final InputStream in) throws java.io.IOException
    {
        final StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int c = in.read();
            if (c < 0)
            {
                throw new java.io.EOFException("closed in the response head: " + head);
            }
            head.append((char)c);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
        final byte[] buffer = new byte[64 * 1024];
        long received = 0;
        int read;
        while (received < BODY_BYTES && (read = in.read(buffer)) > 0)
        {
            received += read;
        }
        return received;
    }
}
