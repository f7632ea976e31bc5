package io.mecmesh.appliance.telemetry;

import com.sun.net.httpserver.HttpServer;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.mecmesh.appliance.config.TelemetryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarder driven by hand against a real HTTP receiver on loopback that answers what the test says: what it
 * keeps, retries, drops, and what a request carries.
 */
class RemoteWriteForwarderTest
{
    @TempDir
    Path dir;

    private final AtomicInteger status = new AtomicInteger(204);
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final List<String> encodings = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    @AfterEach
    void stop()
    {
        if (receiver != null)
        {
            receiver.stop(0);
        }
    }

    @Test
    void shouldKeepABatchOn5xxAnd429DropItOn4xxAndSendInCollectionOrder() throws Exception
    {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        receiver.createContext("/api/v1/write", exchange ->
        {
            try (InputStream in = exchange.getRequestBody())
            {
                bodies.add(in.readAllBytes());
            }
            encodings.add(exchange.getRequestHeaders().getFirst("Content-Encoding") + " "
                + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                + exchange.getRequestHeaders().getFirst("X-Prometheus-Remote-Write-Version"));
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        receiver.start();
        final AtomicLong nowMs = new AtomicLong(1_000);
        final RemoteWriteForwarder forwarder = RemoteWriteForwarder.create(new TelemetryConfig.RemoteWrite(
            URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/v1/write"), 1_000, 1 << 20),
            dir, () -> "mecmesh_ready 1\nmecmesh_requests_total 7\n", Map.of("instance", "e1"), nowMs::get);

        forwarder.collect();
        nowMs.set(2_000);
        forwarder.collect();
        status.set(503);
        assertThat(forwarder.sendOldest()).as("5xx: kept for a retry").isEqualTo(-1);
        status.set(429);
        assertThat(forwarder.sendOldest()).as("429: kept for a retry").isEqualTo(-1);
        assertThat(forwarder.pendingBatches()).isEqualTo(2);
        status.set(400);
        assertThat(forwarder.sendOldest()).as("4xx: dropped").isEqualTo(1);
        status.set(204);
        assertThat(forwarder.sendOldest()).isEqualTo(1);
        assertThat(forwarder.sendOldest()).as("nothing left").isZero();

        assertThat(forwarder.get(RemoteWriteCounter.SEND_FAILURES)).isEqualTo(2);
        assertThat(forwarder.get(RemoteWriteCounter.BATCHES_REJECTED)).isEqualTo(1);
        assertThat(forwarder.get(RemoteWriteCounter.SAMPLES_REJECTED)).isEqualTo(2);
        assertThat(forwarder.get(RemoteWriteCounter.BATCHES_SENT)).isEqualTo(1);
        assertThat(forwarder.get(RemoteWriteCounter.SAMPLES_SENT)).isEqualTo(2);
        assertThat(encodings).hasSize(4).allMatch("snappy application/x-protobuf 0.1.0"::equals);
        assertThat(bodies).hasSize(4);
        assertThat(bodies.get(0)).as("the same batch retried").isEqualTo(bodies.get(2));
        assertThat(decompress(bodies.get(3))).as("the second collection, stamped 2000 ms")
            .isEqualTo(WriteRequestEncoder.encode(ExpositionParser.parse("mecmesh_ready 1\nmecmesh_requests_total 7\n",
                Map.of("instance", "e1")), 2_000));
        forwarder.close();
    }

    @Test
    void shouldCountAFailedSendWhenTheReceiverIsNotThereAndKeepTheBatch() throws IOException
    {
        final int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = closed.getLocalPort();
        }
        final RemoteWriteForwarder forwarder = RemoteWriteForwarder.create(new TelemetryConfig.RemoteWrite(
            URI.create("http://127.0.0.1:" + port + "/api/v1/write"), 1_000, 1 << 20), dir, () -> "mecmesh_ready 1\n",
            Map.of(), () -> 5_000);

        forwarder.collect();

        assertThat(forwarder.sendOldest()).isEqualTo(-1);
        assertThat(forwarder.get(RemoteWriteCounter.SEND_FAILURES)).isEqualTo(1);
        assertThat(forwarder.pendingBatches()).isEqualTo(1);
        forwarder.close();
    }

    private static byte[] decompress(final byte[] compressed)
    {
        final byte[] out = new byte[1 << 16];
        final int length = new SnappyDecompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
        return Arrays.copyOf(out, length);
    }
}
