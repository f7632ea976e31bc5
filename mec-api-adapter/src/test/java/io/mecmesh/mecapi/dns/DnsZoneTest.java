package io.mecmesh.mecapi.dns;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.compiler.NodeDnsRule;
import io.mecmesh.slicemanager.model.DnsRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The names a node answers: its rules, then its routes' exact hosts with its plain listener's address. */
class DnsZoneTest
{
    private static MeshConfig mesh(final String listenerAddress)
    {
        return new MeshConfig(3, TransportKind.NIO, 1, List.of(ListenerConfig.of("in", listenerAddress, 15001)),
            List.of(new RouteConfig("video.mesh", "/", "video"), new RouteConfig("rule.mec.example", "/", "video")),
            List.of(new ClusterConfig("video", List.of(new Endpoint("127.0.0.1", 18080)), 1000, 4, 60_000)));
    }

    @Test
    void shouldLeaveOutARuleWhoseAddressIsNoLiteralAndLetARuleShadowAMeshName()
    {
        final DnsZone zone = DnsZone.of(List.of(
            new NodeDnsRule("app", "bad", "bad.mec.example", DnsRule.IpAddressType.IP_V6, ":::::", Optional.empty()),
            new NodeDnsRule("app", "good", "rule.mec.example", DnsRule.IpAddressType.IP_V4, "192.0.2.1",
                Optional.of(7))), mesh("0.0.0.0"), 60);

        assertThat(zone.lookup("bad.mec.example")).isEmpty();
        assertThat(zone.lookup("rule.mec.example")).extracting(DnsZone.Record::source).containsExactly("rule app/good");
        assertThat(zone.lookup("video.mesh")).singleElement().satisfies(record ->
        {
            assertThat(record.address().getHostAddress()).as("a wildcard bind answers loopback")
                .isEqualTo("127.0.0.1");
            assertThat(record.ttl()).isEqualTo(60);
        });
        assertThat(zone.version()).isEqualTo(3);
    }
}
