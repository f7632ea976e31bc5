package io.mecmesh.appliance.dns;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.appliance.Appliance;
import io.mecmesh.appliance.config.AccessLogConfig;
import io.mecmesh.appliance.config.AdminConfig;
import io.mecmesh.appliance.config.ApplianceConfig;
import io.mecmesh.appliance.config.ControlPlaneConfig;
import io.mecmesh.appliance.config.NodeConfig;
import io.mecmesh.appliance.config.Role;
import io.mecmesh.appliance.config.TelemetryConfig;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.mecapi.dns.DnsConfig;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MEC DNS responder in a running appliance: a DNS rule of an application on the node is answered once the
 * compiled configuration is applied, dropped when INACTIVE, and served again by an edge restarted from its last
 * known good configuration with the control plane away.
 */
class EdgeDnsTest
{
    private static final Logger LOG = LoggerFactory.getLogger(EdgeDnsTest.class);
    private static final Snssai EMBB = Snssai.parse("1-000001");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = """
        {"id":"app-1","name":"video-analytics","node":"edge-1","slice":"1-000001",
         "spiffeId":"spiffe://mesh.example/app/video-analytics","endpoints":[{"address":"127.0.0.1","port":18080}],
         "dnsRules":[{"dnsRuleId":"dns-1","domainName":"video.mec.example","ipAddressType":"IP_V4",
          "ipAddress":"192.0.2.10","ttl":30,"state":"STATE"}]}""";

    @TempDir
    Path data;

    @Test
    void shouldAnswerARuleOnceActiveDropItWhenInactiveAndServeItAfterARestartWithoutControlPlane() throws Exception
    {
        final int dnsPort = freeUdpPort();
        final ControlPlaneConfig control = new ControlPlaneConfig("127.0.0.1", 0, 40421, 40422, "", null);
        final int listenerPort;
        try (Appliance all = Appliance.start(config(Role.ALL, 0, dnsPort, Optional.of(control))))
        {
            listenerPort = all.dataPlane().listenerAddresses().get(0).getPort();
            final Slice slice = Slice.builder(EMBB, "embb", FiveQiTable.standard().get(9)).build();
            all.sliceManager().submit(new Command.PutSlice(slice));
            all.sliceManager().submit(new Command.PutService(Service.builder("video", slice)
                .endpoint("127.0.0.1", 18080, "site-a", "zone-1").route("video.mesh", "/").build()));
            all.sliceManager().submit(new Command.PutNode(new Node("edge-1", "site-a", "zone-1", List.of("video"))));
            assertThat(query(dnsPort, "video.mec.example").rcode()).as("no rule yet, no upstream: refused")
                .isEqualTo(5);

            final long submitted = System.nanoTime();
            all.sliceManager().submit(new Command.PutApp(MecRulesJson.appInstance(JSON.readTree(APP.replace("STATE",
                "ACTIVE")), "")));
            awaitUntil("the rule answered", () -> query(dnsPort, "video.mec.example").answers() == 1);
            final long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted);

            final Reply active = query(dnsPort, "video.mec.example");
            assertThat(active.rcode()).isZero();
            assertThat(active.ttl()).isEqualTo(30);
            assertThat(active.address()).isEqualTo("192.0.2.10");
            assertThat(query(dnsPort, "video.mesh").address()).as("a mesh name: the local listener")
                .isEqualTo("127.0.0.1");
            assertThat(admin(all, "/dns")).contains("\"name\":\"video.mec.example\"", "\"ttl\":30",
                "\"source\":\"rule app-1/dns-1\"");
            assertThat(admin(all, "/metrics")).contains("mecmesh_dns_queries_total{outcome=\"rule_answer\"}");
            LOG.info("rule ACTIVE -> answered by the edge's DNS in {} ms", answeredMs);

            all.sliceManager().submit(new Command.PutApp(MecRulesJson.appInstance(JSON.readTree(APP.replace("STATE",
                "INACTIVE")), "")));
            awaitUntil("the rule dropped", () -> query(dnsPort, "video.mec.example").rcode() == 5);

            all.sliceManager().submit(new Command.PutApp(MecRulesJson.appInstance(JSON.readTree(APP.replace("STATE",
                "ACTIVE")), "")));
            awaitUntil("the rule answered again", () -> query(dnsPort, "video.mec.example").answers() == 1);
        }

        final Path key = data.resolve("distribution.key");
        Files.write(key, new byte[32]);
        final ControlPlaneConfig unreachable = new ControlPlaneConfig("127.0.0.1", 0, 40431, 40432,
            "127.0.0.1:40433", key);
        try (Appliance edge = Appliance.start(config(Role.EDGE, listenerPort, dnsPort, Optional.of(unreachable))))
        {
            assertThat(edge.dataPlane().config().version()).as("restarted from its last known good").isPositive();
            final Reply fromLastKnownGood = query(dnsPort, "video.mec.example");
            assertThat(fromLastKnownGood.address()).isEqualTo("192.0.2.10");
            assertThat(fromLastKnownGood.ttl()).isEqualTo(30);
        }
    }

    /** The parts of a DNS reply the test reads. */
    private record Reply(int rcode, int answers, long ttl, String address)
    {
    }

    /** One A query over UDP from Java: the reply's rcode, answer count and first answer's TTL and address. */
    private static Reply query(final int port, final String name)
    {
        final ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort((short)0x1234).putShort((short)0x0100).putShort((short)1).putShort((short)0).putShort((short)0)
            .putShort((short)0);
        for (final String label : name.split("\\."))
        {
            final byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.put((byte)bytes.length).put(bytes);
        }
        out.put((byte)0).putShort((short)1).putShort((short)1);
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.setSoTimeout(2_000);
            socket.send(new DatagramPacket(out.array(), out.position(), new InetSocketAddress("127.0.0.1", port)));
            final DatagramPacket packet = new DatagramPacket(new byte[512], 512);
            socket.receive(packet);
            final ByteBuffer in = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            final int rcode = in.get(3) & 0x0F;
            final int answers = in.getShort(6) & 0xFFFF;
            if (answers == 0)
            {
                return new Reply(rcode, 0, -1, "");
            }
            // The answer follows the echoed question (as long as ours); its name is labels or a 2-byte pointer.
            int answer = out.position();
            while ((in.get(answer) & 0xC0) == 0 && in.get(answer) != 0)
            {
                answer += 1 + in.get(answer);
            }
            answer += (in.get(answer) & 0xC0) == 0xC0 ? 2 : 1;
            final long ttl = in.getInt(answer + 4) & 0xFFFFFFFFL;
            final String address = (in.get(answer + 10) & 0xFF) + "." + (in.get(answer + 11) & 0xFF) + "."
                + (in.get(answer + 12) & 0xFF) + "." + (in.get(answer + 13) & 0xFF);
            return new Reply(rcode, answers, ttl, address);
        }
        catch (final IOException ex)
        {
            return new Reply(-1, 0, -1, ex.toString());
        }
    }

    private static String admin(final Appliance appliance, final String path) throws Exception
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + appliance.adminAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private ApplianceConfig config(final Role role, final int listenerPort, final int dnsPort,
        final Optional<ControlPlaneConfig> control)
    {
        return new ApplianceConfig(role, new NodeConfig("edge-1", "site-a", "zone-1"), new AdminConfig("127.0.0.1", 0),
            new MeshConfig(0, TransportKind.AUTO, 1, List.of(ListenerConfig.of("outbound", "127.0.0.1",
                listenerPort)), List.of(), List.of()),
            data, control, Optional.empty(), Optional.empty(), TelemetryConfig.NONE, List.of(),
            AccessLogConfig.disabled(data), new DnsConfig(true, "127.0.0.1", dnsPort, List.of(), 500, 1000, 60));
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
        {
            return socket.getLocalPort();
        }
    }

    private static void awaitUntil(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("timed out awaiting " + what).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
