package io.mecmesh.dataplane.tcp;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.QosOutcome;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.dataplane.qos.SliceQosStats;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.SocketTos;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slice QoS on an L4 listener, on loopback with a real data plane and a raw TCP backend: the listener's connections
 * are classified into a slice by listener, paced at its MBR each way and admitted against the node's GBR capacity.
 */
class TcpQosTest
{
    private static final int SLICE = 1 << 24 | 0x0000C3;
    private static final int TRANSFER_BYTES = 4 * 1024 * 1024;
    /** 8 Mbit/s. */
    private static final long RATE_BYTES_PER_SECOND = 1_000_000;
    private static final long BURST_BYTES = 64 * 1024;

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicLong receivedByBackend = new AtomicLong();
    private ServerSocket backend;
    private Thread acceptor;
    private DataPlane dataPlane;

    @AfterEach
    void stop() throws Exception
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        if (backend != null)
        {
            backend.close();
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
        }
        for (final Socket socket : accepted)
        {
            socket.close();
        }
    }

    /**
     * A backend that, per connection, sends {@code sendBytes} and closes, or (0) counts what it receives until the
     * client closes.
     */
    private void startBackend(final int sendBytes) throws IOException
    {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() ->
        {
            while (!backend.isClosed())
            {
                try
                {
                    final Socket socket = backend.accept();
                    accepted.add(socket);
                    final Thread serve = new Thread(() -> serve(socket, sendBytes), "tcp-qos-backend-conn");
                    serve.setDaemon(true);
                    serve.start();
                }
                catch (final IOException closed)
                {
                    return;
                }
            }
        }, "tcp-qos-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve(final Socket socket, final int sendBytes)
    {
        try (socket)
        {
            if (sendBytes > 0)
            {
                final OutputStream out = socket.getOutputStream();
                final byte[] chunk = new byte[16 * 1024];
                for (int sent = 0; sent < sendBytes; sent += chunk.length)
                {
                    out.write(chunk, 0, Math.min(chunk.length, sendBytes - sent));
                }
                out.flush();
                return;
            }
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                receivedByBackend.addAndGet(n);
            }
        }
        catch (final IOException ended)
        {
            // the relay closed the connection: the test asserts on what was counted
        }
    }

    private void start(final SliceQosConfig slice, final long linkCapacityBps)
    {
        start(slice, linkCapacityBps, 0);
    }

    private void start(final SliceQosConfig slice, final long linkCapacityBps, final int dscp)
    {
        start(slice, linkCapacityBps, dscp, RATE_BYTES_PER_SECOND);
    }

    private static PolicyTableWriter policy(final int dscp, final long rateBytesPerSecond)
    {
        return new PolicyTableWriter(1).add(new SlicePolicy(SLICE, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 80, dscp,
            rateBytesPerSecond, rateBytesPerSecond, BURST_BYTES, TimeUnit.SECONDS.toNanos(10), 0, 10, 0));
    }

    private void start(final SliceQosConfig slice, final long linkCapacityBps, final int dscp,
        final long rateBytesPerSecond)
    {
        final MeshConfig config = new MeshConfig(1, TransportKind.AUTO, 1, Locality.UNKNOWN,
            List.of(ListenerConfig.builder("tcp-in", "127.0.0.1", 0).tcpCluster("app").build()), List.of(),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.getLocalPort())))))
            .withClassification(new ClassificationConfig(List.of(ClassificationRule.listener(SLICE, "tcp-in"))))
            .withQos(new QosConfig(linkCapacityBps, List.of(slice)));
        dataPlane = DataPlane.start(config, counters);
        dataPlane.publishPolicyTable(policy(dscp, rateBytesPerSecond).build(1));
    }

    private Socket connect() throws IOException
    {
        final InetSocketAddress address = dataPlane.listenerAddress("tcp-in");
        final Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout((int)TimeUnit.SECONDS.toMillis(30));
        return socket;
    }

    private SliceQosStats stats()
    {
        return dataPlane.qos().stats(SLICE);
    }

    /** Bytes per second over the time, the bucket's initial burst (sent at once) left out. */
    private static double rate(final long bytes, final long elapsedNs)
    {
        return (bytes - BURST_BYTES) * 1e9 / elapsedNs;
    }

    @Test
    void shouldPaceADownloadThroughAnL4ListenerAtItsSlicesDownlinkRate() throws IOException
    {
        startBackend(TRANSFER_BYTES);
        start(SliceQosConfig.defaults(SLICE), 0);

        long received = 0;
        final long startNs = System.nanoTime();
        try (Socket client = connect())
        {
            final InputStream in = client.getInputStream();
            final byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                received += n;
            }
        }
        final long elapsedNs = System.nanoTime() - startNs;

        assertThat(received).isEqualTo(TRANSFER_BYTES);
        assertThat(rate(received, elapsedNs)).as("bytes/s of an 8 Mbit/s slice")
            .isBetween(RATE_BYTES_PER_SECOND * 0.9, RATE_BYTES_PER_SECOND * 1.1);
        assertThat(stats().downlinkBytes()).isEqualTo(TRANSFER_BYTES);
        assertThat(stats().count(QosOutcome.ADMITTED)).isEqualTo(1);
    }

    @Test
    void shouldPaceAnUploadThroughAnL4ListenerAtItsSlicesUplinkRate() throws Exception
    {
        startBackend(0);
        start(SliceQosConfig.defaults(SLICE), 0);

        final long startNs = System.nanoTime();
        try (Socket client = connect())
        {
            final OutputStream out = client.getOutputStream();
            final byte[] chunk = new byte[16 * 1024];
            for (int sent = 0; sent < TRANSFER_BYTES; sent += chunk.length)
            {
                out.write(chunk);
            }
            out.flush();
            Await.until("the backend received everything", Duration.ofSeconds(30),
                () -> receivedByBackend.get() == TRANSFER_BYTES);
        }
        final long elapsedNs = System.nanoTime() - startNs;

        assertThat(rate(TRANSFER_BYTES, elapsedNs)).as("bytes/s of an 8 Mbit/s slice")
            .isBetween(RATE_BYTES_PER_SECOND * 0.9, RATE_BYTES_PER_SECOND * 1.1);
        assertThat(stats().uplinkBytes()).isEqualTo(TRANSFER_BYTES);
    }

    @Test
    void shouldCloseAndCountTheNextConnectionOfAGbrSliceAtCapacityAndAdmitOnceOneCloses() throws Exception
    {
        startBackend(0);
        start(new SliceQosConfig(SLICE, QosMode.POLICE, 0, 0, 3_000_000, 3_000_000, 0), 10_000_000);

        try (Socket first = connect())
        {
            first.getOutputStream().write(new byte[] {9});
            Await.until("the first connection admitted and relayed", Duration.ofSeconds(10),
                () -> stats().activeGbr() == 1 && accepted.size() == 1);

            try (Socket refused = connect())
            {
                assertThat(refused.getInputStream().read()).as("closed at once").isEqualTo(-1);
            }
            assertThat(stats().count(QosOutcome.REFUSED_GBR)).isEqualTo(1);
            assertThat(accepted).as("no upstream connection for a refused one").hasSize(1);
        }
        Await.until("the GBR released", Duration.ofSeconds(10), () -> stats().activeGbr() == 0);

        try (Socket third = connect())
        {
            third.getOutputStream().write(new byte[] {1, 2, 3});
            Await.until("the third connection relayed", Duration.ofSeconds(10),
                () -> receivedByBackend.get() == 4);
            assertThat(stats().activeGbr()).isEqualTo(1);
        }
        assertThat(stats().count(QosOutcome.ADMITTED)).isEqualTo(2);
        assertThat(stats().count(QosOutcome.REFUSED_GBR)).isEqualTo(1);
    }

    @Test
    void shouldMarkTheAcceptedAndUpstreamSocketsOfAnL4ConnectionWithItsSlicesDscp() throws Exception
    {
        startBackend(0);
        start(SliceQosConfig.defaults(SLICE), 0, 46);

        try (Socket client = connect())
        {
            client.getOutputStream().write(new byte[] {7});
            Await.until("the connection relayed", Duration.ofSeconds(10), () -> receivedByBackend.get() == 1);

            assertThat(SocketTos.byOtherPort("dport", backend.getLocalPort()).values()).as("upstream socket")
                .containsExactly(0xb8);
            assertThat(SocketTos.byOtherPort("sport", dataPlane.listenerAddress("tcp-in").getPort()).values())
                .as("accepted socket").containsExactly(0xb8);
        }
        assertThat(counters.get(DataPlaneCounter.DSCP_MARK_FAILURES)).isZero();
    }

    @Test
    void shouldPaceAConnectionInFlightAtTheRateOfAPolicyTablePublishedWhileItRuns() throws Exception
    {
        // 20 kB/s: the 4 MiB would take over three minutes at the rate of the connection's start.
        startBackend(TRANSFER_BYTES);
        start(SliceQosConfig.defaults(SLICE), 0, 0, 20_000);
        final ExecutorService client = Executors.newSingleThreadExecutor();
        try (Socket socket = connect())
        {
            final Future<Long> download = client.submit(() ->
            {
                long received = 0;
                final InputStream in = socket.getInputStream();
                final byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
                {
                    received += n;
                }
                return received;
            });
            Await.until("the burst relayed, the rest paced", Duration.ofSeconds(10),
                () -> stats().downlinkBytes() >= BURST_BYTES);
            assertThat(download).isNotDone();

            // The slice's MBR raised to 100 MB/s: the running connection finishes at it.
            dataPlane.publishPolicyTable(policy(0, 100_000_000).build(2));

            assertThat(download.get(20, TimeUnit.SECONDS)).isEqualTo(TRANSFER_BYTES);
            assertThat(stats().downlinkBytes()).isEqualTo(TRANSFER_BYTES);
        }
        finally
        {
            client.shutdownNow();
        }
    }
}
