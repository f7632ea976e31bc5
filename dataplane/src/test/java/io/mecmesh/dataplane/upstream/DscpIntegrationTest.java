package io.mecmesh.dataplane.upstream;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.RawHttp2;
import io.mecmesh.dataplane.testing.SocketTos;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DSCP marking end to end on loopback (issue 13 item 10): a request classified into URLLC (its policy record's
 * DSCP 46) leaves on an upstream connection marked EF (TOS 0xb8) and its response on a downstream connection marked
 * the same; eMBB (DSCP 0) on unmarked ones, never on a pooled URLLC connection. Read back from the kernel with
 * {@code ss --tos} on each transport (an HTTP/2 connection carries its latest stream's), and seen on the wire with
 * {@code tcpdump -i lo -v} (needs root, as CI runs).
 */
class DscpIntegrationTest
{
    private static final int EMBB = 1 << 24 | 0x0000A1;
    private static final int URLLC = 2 << 24 | 0x0000B2;
    private static final Pattern TCPDUMP_TOS = Pattern.compile("IP \\(tos 0x([0-9a-f]+),");
    private static final Pattern TCPDUMP_PORTS = Pattern.compile("^\\s*[\\d.]+\\.(\\d+) > [\\d.]+\\.(\\d+): Flags");

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"NIO", "EPOLL", "IO_URING"})
    void shouldMarkUrllcUpstreamAndDownstreamSocketsAndKeepEmbbUnmarked(final TransportKind kind) throws Exception
    {
        assumeTrue(kind == TransportKind.EPOLL ? Epoll.isAvailable()
            : kind != TransportKind.IO_URING || IoUring.isAvailable(), kind + " available");
        final DataPlaneCounters counters = new DataPlaneCounters();
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = start(kind, backend, counters);
            final int listenerPort = dataPlane.listenerAddress("ingress").getPort();
            try (RawHttp urllc = new RawHttp(dataPlane.listenerAddress("ingress"));
                RawHttp embb = new RawHttp(dataPlane.listenerAddress("ingress")))
            {
                assertThat(get(urllc, "/u1", "urllc")).isEqualTo(200);
                assertThat(get(embb, "/e1", "embb")).isEqualTo(200);
                assertThat(get(urllc, "/u2", "urllc")).isEqualTo(200);
                assertThat(get(embb, "/e2", "embb")).isEqualTo(200);

                assertThat(backend.connectionCount()).as("one pooled connection per DSCP, each reused")
                    .isEqualTo(2);
                final Map<Integer, Integer> upstream = SocketTos.byOtherPort("dport", backend.port());
                assertThat(upstream.values()).as(kind + " upstream sockets " + upstream)
                    .containsExactlyInAnyOrder(0xb8, 0);
                final Map<Integer, Integer> downstream = SocketTos.byOtherPort("sport", listenerPort);
                assertThat(downstream.values()).as(kind + " accepted sockets " + downstream)
                    .containsExactlyInAnyOrder(0xb8, 0);
                assertThat(counters.get(DataPlaneCounter.DSCP_MARK_FAILURES)).isZero();
            }
            finally
            {
                dataPlane.close();
            }
        }
    }

    @Test
    void shouldMarkAnHttp2ConnectionWithItsLatestStreamsDscp() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = start(TransportKind.AUTO, backend, counters);
            final int listenerPort = dataPlane.listenerAddress("ingress").getPort();
            try (RawHttp2 client = new RawHttp2(dataPlane.listenerAddress("ingress")))
            {
                assertThat(SocketTos.byOtherPort("sport", listenerPort).values()).as("before any request")
                    .containsExactly(0);

                exchange(client, 1, "urllc");
                assertThat(SocketTos.byOtherPort("sport", listenerPort).values()).as("after a URLLC stream")
                    .containsExactly(0xb8);
                exchange(client, 3, "embb");
                assertThat(SocketTos.byOtherPort("sport", listenerPort).values()).as("after an eMBB stream")
                    .containsExactly(0);
            }
            finally
            {
                dataPlane.close();
            }
            assertThat(counters.get(DataPlaneCounter.DSCP_MARK_FAILURES)).isZero();
        }
    }

    /** Sends a GET on the stream and reads until its response ends. */
    private static void exchange(final RawHttp2 client, final int streamId, final String slice) throws Exception
    {
        client.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, streamId,
            client.headerBlock("GET", "app", "/" + slice, "x-slice", slice));
        RawHttp2.Frame frame;
        do
        {
            frame = client.read();
            assertThat(frame.type()).as("a response frame").isIn(RawHttp2.HEADERS, RawHttp2.DATA);
        }
        while (frame.streamId() != streamId || (frame.flags() & RawHttp2.END_STREAM) == 0);
    }

    @Test
    void shouldCarryDscp46OnUrllcPacketsAndZeroOnEmbbOnesOnTheWire() throws Exception
    {
        final DataPlaneCounters counters = new DataPlaneCounters();
        try (TestBackend backend = new TestBackend("app"))
        {
            final DataPlane dataPlane = start(TransportKind.AUTO, backend, counters);
            final int listenerPort = dataPlane.listenerAddress("ingress").getPort();
            // Data-carrying segments only: the request to the backend and the response to the client, per slice.
            final Process tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "-nn", "-v", "-l", "-c", "4",
                "(tcp dst port " + backend.port() + " or tcp src port " + listenerPort
                    + ") and (tcp[tcpflags] & tcp-push != 0)").start();
            try
            {
                awaitListening(tcpdump);
                try (RawHttp urllc = new RawHttp(dataPlane.listenerAddress("ingress"));
                    RawHttp embb = new RawHttp(dataPlane.listenerAddress("ingress")))
                {
                    assertThat(get(urllc, "/u", "urllc")).isEqualTo(200);
                    assertThat(get(embb, "/e", "embb")).isEqualTo(200);
                }
                assertThat(tcpdump.waitFor(20, TimeUnit.SECONDS)).as("tcpdump captured 4 packets").isTrue();
                assertThat(packets(tcpdump, backend.port())).containsExactly(
                    "tos 0xb8 to the backend", "tos 0xb8 to the client", "tos 0x0 to the backend",
                    "tos 0x0 to the client");
            }
            finally
            {
                tcpdump.destroy();
                dataPlane.close();
            }
        }
    }

    private static DataPlane start(final TransportKind kind, final TestBackend backend,
        final DataPlaneCounters counters)
    {
        final MeshConfig config = new MeshConfig(1, kind, 1, List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)),
            List.of(new RouteConfig("*", "/", "app")),
            List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))))
            .withClassification(new ClassificationConfig(List.of(
                ClassificationRule.header(URLLC, "x-slice", "urllc"),
                ClassificationRule.header(EMBB, "x-slice", "embb"))));
        final DataPlane dataPlane = DataPlane.start(config, counters);
        dataPlane.publishPolicyTable(new PolicyTableWriter(2)
            .add(policy(URLLC, 19, 46))
            .add(policy(EMBB, 90, 0))
            .build(1));
        return dataPlane;
    }

    private static SlicePolicy policy(final int sliceId, final int priorityLevel, final int dscp)
    {
        return new SlicePolicy(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, priorityLevel, dscp, 0, 0, 0,
            TimeUnit.SECONDS.toNanos(10), 0, 10, 0);
    }

    private static int get(final RawHttp client, final String path, final String slice) throws IOException
    {
        return client.send("GET " + path + " HTTP/1.1\r\nHost: app\r\nx-slice: " + slice + "\r\n\r\n").read()
            .status();
    }

    private static void awaitListening(final Process tcpdump) throws IOException
    {
        final BufferedReader stderr = new BufferedReader(
            new InputStreamReader(tcpdump.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = stderr.readLine()) != null)
        {
            if (line.contains("listening on"))
            {
                return;
            }
        }
        throw new AssertionError("tcpdump did not start (run as root, with tcpdump installed)");
    }

    /** Each captured packet as "tos 0x.. to the backend|client". */
    private static List<String> packets(final Process tcpdump, final int backendPort) throws IOException
    {
        final String output = new String(tcpdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final List<String> packets = new ArrayList<>();
        String tos = null;
        for (final String line : output.split("\n"))
        {
            final Matcher header = TCPDUMP_TOS.matcher(line);
            if (header.find())
            {
                tos = header.group(1);
                continue;
            }
            final Matcher ports = TCPDUMP_PORTS.matcher(line);
            if (ports.find() && tos != null)
            {
                packets.add("tos 0x" + tos + (Integer.parseInt(ports.group(2)) == backendPort ? " to the backend"
                    : " to the client"));
                tos = null;
            }
        }
        return packets;
    }
}
