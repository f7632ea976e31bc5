package io.mecmesh.mecapi.dns;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.compiler.NodeDnsRule;
import io.mecmesh.slicemanager.model.DnsRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The MEC DNS responder over real sockets on loopback, queried with the real {@code dig}. */
class DnsResponderTest
{
    private static final MeshConfig MESH = new MeshConfig(7, TransportKind.NIO, 1,
        List.of(ListenerConfig.of("outbound", "127.0.0.1", 15001)),
        List.of(new RouteConfig("nrf.mesh", "/", "nrf"), new RouteConfig("*", "/", "nrf"),
            new RouteConfig("192.0.2.99", "/", "nrf")),
        List.of(new ClusterConfig("nrf", List.of(new Endpoint("127.0.0.1", 18080)), 1000, 4, 60_000)));
    private static final List<NodeDnsRule> RULES = List.of(
        new NodeDnsRule("app-1", "dns-1", "video.mec.example", DnsRule.IpAddressType.IP_V4, "192.0.2.10",
            Optional.of(30)),
        new NodeDnsRule("app-1", "dns-2", "video.mec.example", DnsRule.IpAddressType.IP_V6, "2001:db8::10",
            Optional.empty()));

    private final List<AutoCloseable> started = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong();

    @AfterEach
    void stop() throws Exception
    {
        for (int i = started.size() - 1; i >= 0; i--)
        {
            started.get(i).close();
        }
    }

    private DnsResponder responder(final List<InetSocketAddress> upstreams, final int queriesPerSecond)
    {
        final DnsResponder responder = DnsResponder.start(new DnsConfig(true, "127.0.0.1", 0, upstreams, 300,
            queriesPerSecond, 60), nanos::get);
        started.add(responder);
        responder.update(DnsZone.of(RULES, MESH, 60));
        return responder;
    }

    @Test
    void shouldAnswerAnActiveRuleWithItsAddressAndTtlOverUdpAndTcp() throws Exception
    {
        final DnsResponder responder = responder(List.of(), 100);
        final int port = responder.address().getPort();

        final Dig.Result udp = Dig.query(port, "video.mec.example", "A");
        final Dig.Result tcp = Dig.query(port, "+tcp", "VIDEO.mec.example.", "AAAA");

        assertThat(udp.status()).as(udp.output()).isEqualTo("NOERROR");
        assertThat(udp.answers()).containsExactly(new Dig.Answer("video.mec.example.", 30, "A", "192.0.2.10"));
        assertThat(udp.output()).contains("flags: qr aa");
        assertThat(tcp.status()).as(tcp.output()).isEqualTo("NOERROR");
        assertThat(tcp.answers()).as("no TTL in the rule: the default")
            .containsExactly(new Dig.Answer("video.mec.example.", 60, "AAAA", "2001:db8::10"));
        assertThat(responder.counters().get(DnsCounter.RULE_ANSWER)).isEqualTo(2);
    }

    @Test
    void shouldAnswerMeshServiceNamesWithTheLocalListenersAddressAndNoDataForOtherTypes() throws Exception
    {
        final DnsResponder responder = responder(List.of(), 100);
        final int port = responder.address().getPort();

        final Dig.Result mesh = Dig.query(port, "nrf.mesh", "A");
        final Dig.Result noData = Dig.query(port, "nrf.mesh", "MX");

        assertThat(mesh.answers()).containsExactly(new Dig.Answer("nrf.mesh.", 60, "A", "127.0.0.1"));
        assertThat(noData.status()).isEqualTo("NOERROR");
        assertThat(noData.answers()).isEmpty();
        assertThat(responder.zone().records()).extracting(DnsZone.Record::name)
            .as("a wildcard host and an IP literal are not names")
            .containsExactly("video.mec.example", "video.mec.example", "nrf.mesh");
        assertThat(responder.counters().get(DnsCounter.MESH_ANSWER)).isEqualTo(1);
        assertThat(responder.counters().get(DnsCounter.NO_DATA)).isEqualTo(1);
    }

    @Test
    void shouldRefuseZoneTransfersAndOtherNamesWithoutUpstream() throws Exception
    {
        final DnsResponder responder = responder(List.of(), 100);
        final int port = responder.address().getPort();

        final Dig.Result axfr = Dig.query(port, "+tcp", "video.mec.example", "AXFR");
        final Dig.Result ixfr = Dig.query(port, "video.mec.example", "IXFR=1");
        final Dig.Result other = Dig.query(port, "elsewhere.example", "A");

        // dig prints no header for a transfer: "; Transfer failed." when the server answers REFUSED.
        assertThat(axfr.output()).contains("Transfer failed");
        assertThat(axfr.answers()).isEmpty();
        assertThat(ixfr.output()).contains("Transfer failed");
        assertThat(other.status()).isEqualTo("REFUSED");
        assertThat(responder.counters().get(DnsCounter.REFUSED_ZONE_TRANSFER)).isEqualTo(2);
        assertThat(responder.counters().get(DnsCounter.REFUSED_NO_UPSTREAM)).isEqualTo(1);
    }

    @Test
    void shouldForwardOtherNamesToTheUpstreamAndAnswerServfailWhenItIsDown() throws Exception
    {
        final FakeUpstream upstream = new FakeUpstream();
        started.add(upstream);
        final DnsResponder forwarding = responder(List.of(upstream.address()), 100);

        final Dig.Result forwarded = Dig.query(forwarding.address().getPort(), "forwarded.example", "A");
        final Dig.Result forwardedTcp = Dig.query(forwarding.address().getPort(), "+tcp", "forwarded.example", "A");
        final Dig.Result missing = Dig.query(forwarding.address().getPort(), "missing.example", "A");

        assertThat(forwarded.status()).as(forwarded.output()).isEqualTo("NOERROR");
        assertThat(forwarded.answers()).containsExactly(new Dig.Answer("forwarded.example.", 42, "A", "203.0.113.7"));
        assertThat(forwardedTcp.answers()).containsExactly(
            new Dig.Answer("forwarded.example.", 42, "A", "203.0.113.7"));
        assertThat(missing.status()).isEqualTo("NXDOMAIN");
        assertThat(upstream.queries()).isEqualTo(3);
        assertThat(upstream.tcpQueries()).as("the TCP client's query went upstream over TCP").isEqualTo(1);
        assertThat(forwarding.counters().get(DnsCounter.FORWARDED)).isEqualTo(3);

        final InetSocketAddress down = upstream.address();
        upstream.close();
        final DnsResponder failing = responder(List.of(down), 100);
        final Dig.Result servfail = Dig.query(failing.address().getPort(), "forwarded.example", "A");

        final Dig.Result servfailTcp = Dig.query(failing.address().getPort(), "+tcp", "forwarded.example", "A");

        assertThat(servfail.status()).as(servfail.output()).isEqualTo("SERVFAIL");
        assertThat(servfailTcp.status()).as(servfailTcp.output()).isEqualTo("SERVFAIL");
        assertThat(failing.counters().get(DnsCounter.UPSTREAM_FAILURE)).isEqualTo(2);
    }

    @Test
    void shouldForwardATcpQueryToTheNextUpstreamOverTcpWhenTheFirstRefusesTheConnection() throws Exception
    {
        final FakeUpstream down = new FakeUpstream();
        final InetSocketAddress refused = down.address();
        down.close();
        final FakeUpstream upstream = new FakeUpstream();
        started.add(upstream);
        final DnsResponder responder = responder(List.of(refused, upstream.address()), 100);

        final Dig.Result tcp = Dig.query(responder.address().getPort(), "+tcp", "forwarded.example", "A");

        assertThat(tcp.answers()).as(tcp.output())
            .containsExactly(new Dig.Answer("forwarded.example.", 42, "A", "203.0.113.7"));
        assertThat(upstream.tcpQueries()).isEqualTo(1);
        assertThat(responder.counters().get(DnsCounter.FORWARDED)).isEqualTo(1);
    }

    @Test
    void shouldRateLimitAFloodingClientWhileAnotherClientIsAnswered() throws Exception
    {
        final DnsResponder responder = responder(List.of(), 5);
        final int port = responder.address().getPort();
        int answered = 0;
        int refused = 0;
        try (DatagramSocket flood = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0)))
        {
            flood.setSoTimeout(2_000);
            final InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            for (int i = 0; i < 50; i++)
            {
                final byte[] query = query(i, "video.mec.example");
                flood.send(new DatagramPacket(query, query.length, target));
                final DatagramPacket reply = new DatagramPacket(new byte[512], 512);
                try
                {
                    flood.receive(reply);
                }
                catch (final SocketTimeoutException ex)
                {
                    continue;
                }
                final int rcode = reply.getData()[3] & 0x0F;
                if (rcode == 0)
                {
                    answered++;
                }
                else if (rcode == 5)
                {
                    refused++;
                }
            }
        }

        final Dig.Result other = Dig.query(port, "-b", "127.0.0.3", "video.mec.example", "A");

        assertThat(answered).as("the burst: one second's worth at the frozen clock").isEqualTo(5);
        assertThat(refused).isEqualTo(45);
        assertThat(other.status()).as(other.output()).isEqualTo("NOERROR");
        assertThat(other.answers()).hasSize(1);
        assertThat(responder.counters().get(DnsCounter.REFUSED_RATE_LIMITED)).isEqualTo(45);

        nanos.addAndGet(1_000_000_000L);
        assertThat(Dig.query(port, "-b", "127.0.0.2", "video.mec.example", "A").status())
            .as("refilled after a second").isEqualTo("NOERROR");
    }

    @Test
    void shouldServeTheNewZoneFromTheNextQueryAndForwardTheNameOfARuleNoLongerActive() throws Exception
    {
        final FakeUpstream upstream = new FakeUpstream();
        started.add(upstream);
        final DnsResponder responder = responder(List.of(upstream.address()), 100);
        final int port = responder.address().getPort();

        responder.update(DnsZone.of(List.of(new NodeDnsRule("app-2", "dns-9", "edge.mec.example",
            DnsRule.IpAddressType.IP_V4, "198.51.100.5", Optional.of(5))), MESH, 60));

        assertThat(Dig.query(port, "edge.mec.example", "A").answers())
            .containsExactly(new Dig.Answer("edge.mec.example.", 5, "A", "198.51.100.5"));
        final Dig.Result inactive = Dig.query(port, "video.mec.example", "A");
        assertThat(inactive.status()).as("forwarded: the upstream does not know it").isEqualTo("NXDOMAIN");
        assertThat(upstream.queries()).isEqualTo(1);
    }

    @Test
    void shouldAnswerNxdomainWithTheSoaForANameOfALocalZoneWithoutAnActiveRuleAndForwardOthers() throws Exception
    {
        final FakeUpstream upstream = new FakeUpstream();
        started.add(upstream);
        final DnsResponder responder = DnsResponder.start(new DnsConfig(true, "127.0.0.1", 0,
            List.of(upstream.address()), 300, 100, 60, List.of("mec.example")), nanos::get);
        started.add(responder);
        responder.update(DnsZone.of(List.of(new NodeDnsRule("app-2", "dns-9", "edge.east.mec.example",
            DnsRule.IpAddressType.IP_V4, "198.51.100.5", Optional.of(5))), MESH, 60));
        final int port = responder.address().getPort();
        final java.util.regex.Pattern soa = java.util.regex.Pattern.compile(
            "mec\\.example\\.\\s+60\\s+IN\\s+SOA\\s+mec\\.example\\. hostmaster\\.mec\\.example\\. 7 3600 600 86400 60");

        final Dig.Result inactive = Dig.query(port, "video.mec.example", "A");
        final Dig.Result inactiveTcp = Dig.query(port, "+tcp", "VIDEO.mec.example.", "AAAA");
        final Dig.Result active = Dig.query(port, "edge.east.mec.example", "A");
        final Dig.Result noData = Dig.query(port, "edge.east.mec.example", "MX");
        final Dig.Result between = Dig.query(port, "east.mec.example", "A");
        final Dig.Result apex = Dig.query(port, "mec.example", "SOA");
        final Dig.Result outside = Dig.query(port, "forwarded.example", "A");

        assertThat(inactive.status()).as(inactive.output()).isEqualTo("NXDOMAIN");
        assertThat(inactive.output()).contains("flags: qr aa").contains(";; AUTHORITY SECTION:");
        assertThat(soa.matcher(inactive.output()).find()).as(inactive.output()).isTrue();
        assertThat(inactiveTcp.status()).as(inactiveTcp.output()).isEqualTo("NXDOMAIN");
        assertThat(soa.matcher(inactiveTcp.output()).find()).as(inactiveTcp.output()).isTrue();
        assertThat(active.answers()).containsExactly(new Dig.Answer("edge.east.mec.example.", 5, "A",
            "198.51.100.5"));
        assertThat(noData.status()).isEqualTo("NOERROR");
        assertThat(soa.matcher(noData.output()).find()).as("NODATA carries the SOA: " + noData.output()).isTrue();
        assertThat(between.status()).as("a name with names under it exists: " + between.output())
            .isEqualTo("NOERROR");
        assertThat(apex.answers()).extracting(Dig.Answer::type).containsExactly("SOA");
        assertThat(outside.answers()).containsExactly(new Dig.Answer("forwarded.example.", 42, "A", "203.0.113.7"));
        assertThat(upstream.queries()).as("only the name outside the local zone went upstream").isEqualTo(1);
        assertThat(responder.counters().get(DnsCounter.NXDOMAIN)).isEqualTo(2);
        assertThat(responder.counters().get(DnsCounter.ZONE_SOA)).isEqualTo(1);
    }

    @Test
    void shouldTruncateAnAnswerOver512BytesForAClientWithoutEdnsAndAnswerItWholeWithEdnsOrOverTcp() throws Exception
    {
        final DnsResponder responder = responder(List.of(), 100);
        final List<NodeDnsRule> many = new ArrayList<>(RULES);
        for (int i = 1; i <= 30; i++)
        {
            many.add(new NodeDnsRule("app-3", "dns-" + i, "many.mec.example", DnsRule.IpAddressType.IP_V4,
                "198.51.100." + i, Optional.of(10)));
        }
        responder.update(DnsZone.of(many, MESH, 60));
        final int port = responder.address().getPort();

        final Dig.Result plain = Dig.query(port, "+noedns", "+ignore", "many.mec.example", "A");
        final Dig.Result edns = Dig.query(port, "+ignore", "many.mec.example", "A");
        final Dig.Result tcp = Dig.query(port, "+tcp", "+noedns", "many.mec.example", "A");
        final Dig.Result small = Dig.query(port, "+noedns", "video.mec.example", "A");

        assertThat(plain.output()).as("30 x 34 bytes: over 512").contains("flags: qr aa tc");
        assertThat(plain.answers()).isEmpty();
        assertThat(plain.output()).doesNotContain("OPT PSEUDOSECTION");
        assertThat(edns.output()).doesNotContain(" tc").contains("OPT PSEUDOSECTION").contains("udp: 1232");
        assertThat(edns.answers()).hasSize(30);
        assertThat(tcp.answers()).hasSize(30);
        assertThat(small.answers()).hasSize(1);
    }

    /** A standard query for {@code name} A with recursion desired. */
    private static byte[] query(final int id, final String name) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(512);
        buffer.putShort((short)id).putShort((short)0x0100).putShort((short)1).putShort((short)0).putShort((short)0)
            .putShort((short)0);
        for (final String label : name.split("\\."))
        {
            final byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            buffer.put((byte)bytes.length).put(bytes);
        }
        buffer.put((byte)0).putShort((short)1).putShort((short)1);
        final byte[] query = new byte[buffer.position()];
        buffer.flip().get(query);
        return query;
    }

}
