package io.mecmesh.slicemanager.distribution;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.authz.AuthzRule;
import io.mecmesh.dataplane.authz.PrincipalMatch;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.classify.HeaderValue;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.OutlierDetection;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.HeaderMatch;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.PathMatch;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.compiler.NodeDnsRule;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.model.DnsRule;
import io.mecmesh.slicemanager.model.ModelFixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.SliceQosConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeshConfigCodecTest
{
    private static final int EMBB = 1 << 24 | 0x0000A1;
    private static final int URLLC = 2 << 24 | 0x0000B2;

    @Test
    void shouldRoundTripEveryCompiledNodeConfiguration()
    {
        final var nodes = new MeshCompiler().compile(ModelFixtures.state(), CompilerSettings.DEFAULT).nodes();

        assertThat(nodes).hasSize(3);
        for (final NodeMeshConfig config : nodes.values())
        {
            assertThat(MeshConfigCodec.decode(MeshConfigCodec.encode(config))).isEqualTo(config);
        }
    }

    @Test
    void shouldRoundTripEveryFieldOfTheDataPlaneConfiguration()
    {
        final NodeMeshConfig config = richConfig(headers("x-b", "2", "x-a", "1"));

        final NodeMeshConfig decoded = MeshConfigCodec.decode(MeshConfigCodec.encode(config));

        assertThat(decoded).isEqualTo(config);
        assertThat(decoded.meshConfig().listeners().get(1).tls()).isPresent();
        assertThat(decoded.meshConfig().clusters().get(0).tls().orElseThrow().expectedPeer())
            .isEqualTo(SpiffeId.parse("spiffe://mesh.example/slice/1-0000a1/app/video"));
        assertThat(decoded.meshConfig().routes()).extracting(route -> route.action().getClass().getSimpleName())
            .containsExactly("Forward", "Respond", "Redirect");
    }

    @Test
    void shouldEncodeEqualConfigurationsToEqualBytesWhateverTheMapOrder()
    {
        final byte[] first = MeshConfigCodec.encode(richConfig(headers("x-b", "2", "x-a", "1")));
        final byte[] second = MeshConfigCodec.encode(richConfig(headers("x-a", "1", "x-b", "2")));

        assertThat(second).isEqualTo(first);
        assertThat(MeshConfigCodec.encode(DistributionFixtures.config("node-a", 7)))
            .isEqualTo(MeshConfigCodec.encode(DistributionFixtures.config("node-a", 7)))
            .isNotEqualTo(MeshConfigCodec.encode(DistributionFixtures.config("node-a", 8)));
    }

    @Test
    void shouldCarryTheClassificationRulesAndEachRoutesPolicyRouteId()
    {
        final NodeMeshConfig config = richConfig(headers("x-a", "1"));

        final NodeMeshConfig decoded = MeshConfigCodec.decode(MeshConfigCodec.encode(config));

        assertThat(decoded.meshConfig().classification()).isEqualTo(config.meshConfig().classification());
        assertThat(decoded.meshConfig().classification().rules()).hasSize(4);
        assertThat(decoded.meshConfig().classification().rules().get(3).policyRouteId()).isEqualTo(9);
        assertThat(decoded.meshConfig().classification().rules().get(2).destinationPorts())
            .contains(new PortRange(8000, 8099));
        assertThat(decoded.meshConfig().classification().rules().get(0).sourceCidrs())
            .extracting(SourcePrefix::toString).containsExactly("10.45.0.0/16", "2001:db8:45:0:0:0:0:0/48");
        assertThat(decoded.meshConfig().routes()).extracting(RouteConfig::policyRouteId).containsExactly(7, 0, 0);
        final NodeMeshConfig compiled = new MeshCompiler().compile(ModelFixtures.state(), CompilerSettings.DEFAULT)
            .nodes().get("node-a");
        assertThat(MeshConfigCodec.decode(MeshConfigCodec.encode(compiled)).meshConfig().routes())
            .extracting(RouteConfig::policyRouteId).containsExactly(1, 2, 3);
    }

    @Test
    void shouldCarryTheNodesQosSettingsAndReadFormatTwoWithout()
    {
        final NodeMeshConfig base = withoutRules(DistributionFixtures.config("node-a", 3));
        final QosConfig qos = new QosConfig(1_000_000_000L, List.of(
            new SliceQosConfig(2 << 24 | 0xB2, QosMode.SHAPE, 250, 100, 2_000_000, 3_000_000, 7),
            SliceQosConfig.defaults(1 << 24 | 1)));
        final NodeMeshConfig config = new NodeMeshConfig("node-a", 3, base.contentHash(),
            base.meshConfig().withQos(qos), base.routes(), base.policies(), base.authorizationSets());

        final byte[] bytes = MeshConfigCodec.encode(config);

        assertThat(MeshConfigCodec.decode(bytes)).isEqualTo(config);
        assertThat(MeshConfigCodec.decode(bytes).meshConfig().qos()).isEqualTo(qos);
        final byte[] withoutQos = MeshConfigCodec.encode(new NodeMeshConfig("node-a", 3, base.contentHash(),
            base.meshConfig(), base.routes(), base.policies(), base.authorizationSets()));
        // Format 5's active-request limits and format 4's DNS rules (empty lists: 4 bytes each) and format 3's QoS
        // settings (8 + 4 bytes) cut off.
        final byte[] formatTwo = Arrays.copyOf(withoutQos, withoutQos.length - 20);
        formatTwo[0] = MeshConfigCodec.FORMAT_WITHOUT_QOS;
        assertThat(MeshConfigCodec.decode(formatTwo).meshConfig().qos()).isEqualTo(QosConfig.NONE);
    }

    @Test
    void shouldCarryTheNodesDnsRulesAndReadFormatThreeWithout()
    {
        final NodeMeshConfig base = withoutRules(DistributionFixtures.config("node-a", 3));
        final List<NodeDnsRule> rules = List.of(
            new NodeDnsRule("app-1", "dns-1", "Video.MEC.example.", DnsRule.IpAddressType.IP_V4, "192.0.2.10",
                Optional.of(30)),
            new NodeDnsRule("app-1", "dns-2", "video.mec.example", DnsRule.IpAddressType.IP_V6, "2001:db8::10",
                Optional.empty()));
        final NodeMeshConfig config = new NodeMeshConfig("node-a", 3, base.contentHash(), base.meshConfig(),
            base.routes(), base.policies(), base.authorizationSets(), rules);

        final byte[] bytes = MeshConfigCodec.encode(config);

        assertThat(MeshConfigCodec.decode(bytes)).isEqualTo(config);
        assertThat(MeshConfigCodec.decode(bytes).dnsRules()).extracting(NodeDnsRule::domainName)
            .containsExactly("video.mec.example", "video.mec.example");
        assertThat(MeshConfigCodec.decode(bytes).dnsRules().get(1).ttl()).isEmpty();
        final byte[] withoutDns = MeshConfigCodec.encode(base);
        final byte[] formatThree = Arrays.copyOf(withoutDns, withoutDns.length - 8);
        formatThree[0] = MeshConfigCodec.FORMAT_WITHOUT_DNS;
        assertThat(MeshConfigCodec.decode(formatThree)).isEqualTo(base);
    }

    @Test
    void shouldCarryAClustersActiveRequestLimitAndReadFormatFourWithout()
    {
        final NodeMeshConfig base = DistributionFixtures.config("node-a", 3);
        final List<ClusterConfig> limited = base.meshConfig().clusters().stream()
            .map(cluster -> cluster.withCircuitBreakers(new CircuitBreakers(1024, 1024, 1024, 3, 4, 64))).toList();
        assertThat(limited).isNotEmpty();
        final NodeMeshConfig config = new NodeMeshConfig("node-a", 3, base.contentHash(), new MeshConfig(
            base.meshConfig().version(), base.meshConfig().transport(), base.meshConfig().eventLoopThreads(),
            base.meshConfig().locality(), base.meshConfig().listeners(), base.meshConfig().routes(), limited)
            .withClassification(base.meshConfig().classification()).withQos(base.meshConfig().qos()),
            base.routes(), base.policies(), base.authorizationSets(), base.dnsRules());

        final NodeMeshConfig decoded = MeshConfigCodec.decode(MeshConfigCodec.encode(config));

        assertThat(decoded).isEqualTo(config);
        assertThat(decoded.meshConfig().clusters()).extracting(c -> c.circuitBreakers().maxActiveRequestsPerLoop())
            .containsOnly(4);
        // Without rules (whose encoding changed in format 6) and without the trailer (an empty list: int32 0).
        final NodeMeshConfig plain = withoutRules(base);
        final byte[] withoutLimits = MeshConfigCodec.encode(plain);
        final byte[] formatFour = Arrays.copyOf(withoutLimits, withoutLimits.length - 4);
        formatFour[0] = MeshConfigCodec.FORMAT_WITHOUT_ACTIVE_LIMIT;
        assertThat(MeshConfigCodec.decode(formatFour)).isEqualTo(plain);
    }

    @Test
    void shouldReadFormatFiveRulesWithoutFiveTupleCriteria()
    {
        final NodeMeshConfig base = DistributionFixtures.config("node-a", 3);
        final NodeMeshConfig config = new NodeMeshConfig("node-a", 3, base.contentHash(),
            base.meshConfig().withClassification(new ClassificationConfig(List.of(
                ClassificationRule.header(URLLC, "x-slice", "format-five-marker")))),
            base.routes(), base.policies(), base.authorizationSets());
        final byte[] formatSix = MeshConfigCodec.encode(config);
        // Format 6 writes after the rule's header: destinationCidrs (int32 0), two absent port ranges (byte 0 each);
        // format 7 then the rule's policy route id (int32).
        final byte[] marker = "format-five-marker".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final int end = indexOf(formatSix, marker) + marker.length;
        final java.io.ByteArrayOutputStream formatFive = new java.io.ByteArrayOutputStream();
        formatFive.write(formatSix, 0, end);
        formatFive.write(formatSix, end + 10, formatSix.length - end - 10);
        final byte[] bytes = formatFive.toByteArray();
        bytes[0] = MeshConfigCodec.FORMAT_WITHOUT_FIVE_TUPLE;

        assertThat(formatSix[0]).isEqualTo((byte)MeshConfigCodec.FORMAT);
        assertThat(MeshConfigCodec.decode(bytes)).isEqualTo(config);
        assertThat(MeshConfigCodec.decode(bytes).meshConfig().classification().rules().get(0).hasFiveTuple())
            .isFalse();
    }

    @Test
    void shouldCarryARulesPolicyRouteIdAndReadFormatSixRulesWithout() throws Exception
    {
        final NodeMeshConfig base = DistributionFixtures.config("node-a", 3);
        final ClassificationRule session = new ClassificationRule(URLLC, Optional.empty(),
            List.of(SourcePrefix.parse("10.45.0.7/32")), Optional.empty(), Optional.empty(), List.of(),
            Optional.empty(), Optional.of(new PortRange(40001, 40001)), 12);
        final NodeMeshConfig config = new NodeMeshConfig("node-a", 3, base.contentHash(),
            base.meshConfig().withClassification(new ClassificationConfig(List.of(session))),
            base.routes(), base.policies(), base.authorizationSets());
        final byte[] formatSeven = MeshConfigCodec.encode(config);
        // Format 7 ends the rule with its policy route id (int32 12) after the source port range 40001-40001.
        final byte[] tail = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(40001).putInt(40001).putInt(12).array();
        final int end = indexOf(formatSeven, tail) + 8;
        final java.io.ByteArrayOutputStream formatSix = new java.io.ByteArrayOutputStream();
        formatSix.write(formatSeven, 0, end);
        formatSix.write(formatSeven, end + 4, formatSeven.length - end - 4);
        final byte[] bytes = formatSix.toByteArray();
        bytes[0] = MeshConfigCodec.FORMAT_WITHOUT_RULE_RECORD;

        assertThat(MeshConfigCodec.decode(formatSeven)).isEqualTo(config);
        assertThat(MeshConfigCodec.decode(formatSeven).meshConfig().classification().rules().get(0).policyRouteId())
            .isEqualTo(12);
        assertThat(MeshConfigCodec.decode(bytes).meshConfig().classification().rules().get(0).policyRouteId())
            .isZero();
        assertThat(MeshConfigCodec.decode(bytes).meshConfig().classification().rules().get(0).sourcePorts())
            .contains(new PortRange(40001, 40001));
    }

    /** Without classification rules, whose encoding differs before format 6, so that cutting the tail is an older format. */
    private static NodeMeshConfig withoutRules(final NodeMeshConfig config)
    {
        return new NodeMeshConfig(config.nodeId(), config.version(), config.contentHash(),
            config.meshConfig().withClassification(ClassificationConfig.NONE), config.routes(), config.policies(),
            config.authorizationSets(), config.dnsRules());
    }

    private static int indexOf(final byte[] bytes, final byte[] part)
    {
        for (int i = 0; i + part.length <= bytes.length; i++)
        {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length))
            {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void shouldStillReadFormatOneWithoutClassificationOrRouteIds()
    {
        final NodeMeshConfig base = DistributionFixtures.config("node-a", 3);
        final RouteConfig health = new RouteConfig("health", new RouteMatch("*", PathMatch.exact("/healthz"),
            List.of(), List.of()), new RouteAction.Respond(200, "ok\n"), HeaderRewrite.NONE, HeaderRewrite.NONE);
        final NodeMeshConfig config = new NodeMeshConfig("node-a", 3, base.contentHash(),
            base.meshConfig().withRoutes(3, List.of(health), List.of()).withClassification(ClassificationConfig.NONE),
            List.of(), List.of(), List.of());
        final byte[] formatTwo = MeshConfigCodec.encode(config);
        // Format 2 ends: ... route, its policy route id, clusters count, rule count, bindings, policies, sets
        // (every list empty here); format 3 adds the QoS settings (8 + 4 bytes, no slices) after them. Format 1 is
        // format 2 without the policy route id and the rule count. Format 4 appends the DNS rules (4 bytes, none),
        // format 5 the active-request limits (4 bytes, none).
        final int length = formatTwo.length - 20;
        final java.io.ByteArrayOutputStream formatOne = new java.io.ByteArrayOutputStream();
        formatOne.write(formatTwo, 0, length - 24);
        formatOne.write(formatTwo, length - 20, 4);
        formatOne.write(formatTwo, length - 12, 12);
        final byte[] bytes = formatOne.toByteArray();
        bytes[0] = MeshConfigCodec.FORMAT_WITHOUT_CLASSIFICATION;

        assertThat(MeshConfigCodec.decode(bytes)).isEqualTo(config);
        assertThat(MeshConfigCodec.decode(bytes).meshConfig().classification()).isEqualTo(ClassificationConfig.NONE);
    }

    @Test
    void shouldRefuseTruncatedExtendedOrForeignFormatBytesWithAClearError()
    {
        final byte[] bytes = MeshConfigCodec.encode(DistributionFixtures.config("node-a", 3));

        assertThatThrownBy(() -> MeshConfigCodec.decode(Arrays.copyOf(bytes, bytes.length - 5)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeshConfigCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after the end");
        final byte[] otherFormat = bytes.clone();
        otherFormat[0] = 8;
        assertThatThrownBy(() -> MeshConfigCodec.decode(otherFormat))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format: expected 1 to 7, got 8");
        assertThatThrownBy(() -> MeshConfigCodec.decode(new byte[] {1, 0, 0, 0, 127, 127, 127, 127}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
    }

    private static Map<String, String> headers(final String... pairs)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static NodeMeshConfig richConfig(final Map<String, String> setHeaders)
    {
        final TlsConfig tls = new TlsConfig(Path.of("/etc/mecmesh/svid.pem"), Path.of("/etc/mecmesh/svid.key"),
            Path.of("/etc/mecmesh/bundle.pem"), TlsConfig.Mode.MESH);
        final ListenerConfig inbound = ListenerConfig.builder("inbound", "0.0.0.0", 15006).maxHeaderCount(50)
            .maxRequestBodyBytes(1024).requestHeaderTimeoutMs(5000).idleTimeoutMs(30_000).maxConnections(100)
            .maxRequestsPerConnection(1000).tls(tls).build();
        final ListenerConfig outbound = ListenerConfig.of("outbound", "127.0.0.1", 15001);
        final ClusterConfig video = new ClusterConfig("video", List.of(
            new Endpoint("10.0.0.1", 8080, new Locality("site-a", "zone-1"), 3),
            new Endpoint("fd00::1", 8443, Locality.UNKNOWN, 1)), 250, 8, 30_000, LbPolicy.RING_HASH, "x-user",
            40, new OutlierDetection(3, 10_000, 25), Optional.of(new ClusterTls(tls,
                SpiffeId.parse("spiffe://mesh.example/slice/1-0000a1/app/video"), "video.mesh")));
        final ClusterConfig cdn = ClusterConfig.of("cdn", List.of(new Endpoint("10.0.0.2", 80)));
        final AuthorizationPolicy authz = new AuthorizationPolicy(
            List.of(new AuthzRule(List.of(PrincipalMatch.parse("spiffe://mesh.example/slice/*"),
                PrincipalMatch.parse("spiffe://partner.example")), List.of("GET", "POST"), List.of("/api/"))),
            List.of(new AuthzRule(List.of(), List.of("DELETE"), List.of())));
        final RouteConfig forward = new RouteConfig("video",
            new RouteMatch("*.video.example", PathMatch.regex("^/v[0-9]+/"), List.of("GET"), List.of(
                new HeaderMatch("x-tier", HeaderMatch.Kind.EXACT, "gold"),
                new HeaderMatch("x-debug", HeaderMatch.Kind.ABSENT, ""))),
            new RouteAction.Forward(List.of(new WeightedCluster("video", 90), new WeightedCluster("cdn", 10)),
                2_000, 500, new RetryPolicy(3, Set.of(502, 503, 504), 10, 100, 0.35, 5, 4096)),
            new HeaderRewrite(setHeaders, List.of("x-internal")), HeaderRewrite.NONE, authz, 7);
        final RouteConfig respond = new RouteConfig("health", new RouteMatch("*", PathMatch.exact("/healthz"),
            List.of(), List.of()), new RouteAction.Respond(200, "ok\n"), HeaderRewrite.NONE, HeaderRewrite.NONE);
        final RouteConfig redirect = new RouteConfig("old", RouteMatch.prefix("old.example", "/"),
            new RouteAction.Redirect(308, "https", "new.example", "/moved"), HeaderRewrite.NONE,
            new HeaderRewrite(Map.of("x-moved", "yes"), List.of()));
        final MeshConfig mesh = new MeshConfig(42, TransportKind.EPOLL, 2, new Locality("site-a", "zone-1"),
            List.of(outbound, inbound), List.of(forward, respond, redirect), List.of(video, cdn))
            .withClassification(new ClassificationConfig(List.of(
                new ClassificationRule(EMBB, Optional.of("outbound"), List.of(SourcePrefix.parse("10.45.0.0/16"),
                    SourcePrefix.parse("2001:db8:45::/48")), Optional.empty(), Optional.empty()),
                new ClassificationRule(URLLC, Optional.empty(), List.of(),
                    Optional.of("spiffe://mesh.example/slice/2-0000b2/"), Optional.of(new HeaderValue("x-slice",
                    "urllc"))),
                new ClassificationRule(URLLC, Optional.empty(), List.of(SourcePrefix.parse("10.45.0.0/16")),
                    Optional.empty(), Optional.empty(), List.of(SourcePrefix.parse("127.0.0.3/32")),
                    Optional.of(new PortRange(8000, 8099)), Optional.of(new PortRange(40000, 40000))),
                new ClassificationRule(EMBB, Optional.empty(), List.of(SourcePrefix.parse("10.45.0.7/32")),
                    Optional.empty(), Optional.empty(), List.of(SourcePrefix.parse("127.0.0.1/32")),
                    Optional.of(new PortRange(8080, 8080)), Optional.of(new PortRange(40001, 40001)), 9))));
        final NodeMeshConfig compiled = DistributionFixtures.config("node-a", 42);
        return new NodeMeshConfig("node-a", 42, compiled.contentHash(), mesh, compiled.routes(), compiled.policies(),
            compiled.authorizationSets());
    }
}
