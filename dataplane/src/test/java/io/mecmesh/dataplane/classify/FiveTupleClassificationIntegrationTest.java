package io.mecmesh.dataplane.classify;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosOutcome;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.testing.Await;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection's 5-tuple as classification criteria, end to end on loopback: HTTP listeners on 127.0.0.2 and
 * 127.0.0.3 and an L4 listener on 127.0.0.3; rules on the destination (local) address, the destination port and
 * the source port a test client bound itself.
 */
class FiveTupleClassificationIntegrationTest
{
    private static final int EMBB = 1 << 24 | 0x0000A1;
    private static final int URLLC = 2 << 24 | 0x0000B2;
    private static final int MIOT = 3 << 24 | 0xFFFFFF;

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private TestBackend backend;
    private DataPlane dataPlane;
    private MeshConfig config;

    @BeforeEach
    void start() throws IOException
    {
        backend = new TestBackend("app");
        final RouteConfig route = new RouteConfig("r", RouteMatch.prefix("*", "/"),
            new RouteAction.Forward(List.of(new WeightedCluster("app", 1)), 15_000, 0, RetryPolicy.NONE),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL);
        config = new MeshConfig(1, TransportKind.AUTO, 1, Locality.UNKNOWN,
            List.of(ListenerConfig.of("a", "127.0.0.2", 0), ListenerConfig.of("b", "127.0.0.3", 0),
                ListenerConfig.builder("tcp", "127.0.0.3", 0).tcpCluster("app").build()),
            List.of(route), List.of(ClusterConfig.of("app", List.of(new Endpoint("127.0.0.1", backend.port())))))
            .withQos(new QosConfig(0, List.of(SliceQosConfig.defaults(EMBB), SliceQosConfig.defaults(URLLC),
                SliceQosConfig.defaults(MIOT))));
        dataPlane = DataPlane.start(config, counters);
    }

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        backend.close();
    }

    /** The rules, once the listeners' ports and the client's source ports are known. */
    private void classify(final ClassificationRule... rules)
    {
        dataPlane.update(config.withRoutes(2, config.routes(), config.clusters())
            .withClassification(new ClassificationConfig(List.of(rules))));
    }

    private static ClassificationRule rule(final int sliceId, final String sourceCidr, final PortRange sourcePorts,
        final String destinationCidr, final PortRange destinationPorts)
    {
        return new ClassificationRule(sliceId, Optional.empty(),
            sourceCidr == null ? List.of() : List.of(SourcePrefix.parse(sourceCidr)), Optional.empty(),
            Optional.empty(), destinationCidr == null ? List.of() : List.of(SourcePrefix.parse(destinationCidr)),
            Optional.ofNullable(destinationPorts), Optional.ofNullable(sourcePorts));
    }

    private static Socket boundSocket() throws IOException
    {
        final Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return socket;
    }

    private static int get(final InetSocketAddress listener, final Socket from) throws IOException
    {
        try (RawHttp client = from == null ? new RawHttp(listener) : new RawHttp(listener, from))
        {
            return client.send("GET /hello HTTP/1.1\r\nHost: app\r\n\r\n").read().status();
        }
    }

    @Test
    void shouldClassifyHttpConnectionsByTheirDestinationAddressDestinationPortAndSourcePort() throws IOException
    {
        final InetSocketAddress a = dataPlane.listenerAddress("a");
        final InetSocketAddress b = dataPlane.listenerAddress("b");
        final Socket fromKnownPort = boundSocket();
        final int sourcePort = fromKnownPort.getLocalPort();
        classify(
            rule(URLLC, "127.0.0.1/32", new PortRange(sourcePort, sourcePort), "127.0.0.3/32",
                new PortRange(b.getPort(), b.getPort())),
            rule(EMBB, null, null, "127.0.0.3/32", null),
            rule(MIOT, null, null, null, new PortRange(a.getPort(), a.getPort())));

        assertThat(get(b, fromKnownPort)).isEqualTo(200);
        assertThat(get(b, null)).isEqualTo(200);
        assertThat(get(a, null)).isEqualTo(200);
        assertThat(get(a, null)).isEqualTo(200);

        assertThat(dataPlane.sliceStats().slice(URLLC).requests()).as("the whole 5-tuple").isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(EMBB).requests()).as("to 127.0.0.3 from another source port")
            .isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(MIOT).requests()).as("to listener a's port").isEqualTo(2);
        assertThat(dataPlane.sliceStats().unclassified().requests()).isZero();
    }

    @Test
    void shouldClassifyL4ConnectionsByTheirFiveTuple() throws IOException
    {
        final InetSocketAddress tcp = dataPlane.listenerAddress("tcp");
        final Socket fromKnownPort = boundSocket();
        final int sourcePort = fromKnownPort.getLocalPort();
        classify(
            rule(URLLC, null, new PortRange(sourcePort, sourcePort), null,
                new PortRange(tcp.getPort(), tcp.getPort())),
            rule(EMBB, null, null, "127.0.0.3/32", null));

        assertThat(get(tcp, fromKnownPort)).as("relayed to the backend").isEqualTo(200);
        assertThat(get(tcp, null)).isEqualTo(200);

        Await.until("both L4 connections admitted", Duration.ofSeconds(10), () ->
            dataPlane.qos().stats(URLLC).count(QosOutcome.ADMITTED) + dataPlane.qos().stats(EMBB)
                .count(QosOutcome.ADMITTED) == 2);
        assertThat(dataPlane.qos().stats(URLLC).count(QosOutcome.ADMITTED)).as("its source and destination ports")
            .isEqualTo(1);
        assertThat(dataPlane.qos().stats(EMBB).count(QosOutcome.ADMITTED)).as("another source port").isEqualTo(1);
    }
}
