package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Service;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MeshCompilerTest
{
    private final CompilerSettings settings = CompilerSettings.DEFAULT;

    @Test
    void shouldGiveEachNodeTheRoutesAndClustersOfTheSlicesItsServicesBelongTo()
    {
        final CompiledMesh mesh = new MeshCompiler().compile(ModelFixtures.state(), settings);

        final NodeMeshConfig nodeA = mesh.nodes().get("node-a");
        assertThat(nodeA.meshConfig().clusters()).extracting(ClusterConfig::name).containsExactly("cdn", "video");
        assertThat(nodeA.routes()).extracting(RouteBinding::host, RouteBinding::pathPrefix, RouteBinding::service)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("cdn.example", "/", "cdn"),
                org.assertj.core.groups.Tuple.tuple("video.example", "/static/", "cdn"),
                org.assertj.core.groups.Tuple.tuple("video.example", "/", "video"));
        assertThat(nodeA.routes()).extracting(RouteBinding::routeId).containsExactly(1, 2, 3);
        assertThat(nodeA.meshConfig().routes()).hasSize(3);
        assertThat(nodeA.meshConfig().listeners()).isEqualTo(settings.listeners());

        final NodeMeshConfig nodeC = mesh.nodes().get("node-c");
        assertThat(nodeC.meshConfig().clusters()).extracting(ClusterConfig::name).containsExactly("plc");
        assertThat(nodeC.authorizationSets()).hasSize(1);
    }

    @Test
    void shouldCompilePolicyRecordsThatTheDataPlaneTableServes()
    {
        final NodeMeshConfig nodeC = new MeshCompiler().compile(ModelFixtures.state(), settings).nodes().get("node-c");
        final PolicyTable table = nodeC.toPolicyTable();
        final PolicyFlyweight policy = new PolicyFlyweight();
        final int sliceId = ModelFixtures.URLLC.sliceId();

        assertThat(nodeC.policies()).hasSize(2);
        assertThat(table.version()).isEqualTo(nodeC.version());
        assertThat(table.lookup(sliceId, 1, policy)).isTrue();
        assertThat(policy.priorityLevel()).isEqualTo(19);
        assertThat(policy.dscp()).isEqualTo(46);
        assertThat(policy.requestTimeoutNs()).isEqualTo(200_000_000L);
        assertThat(policy.maxRetries()).isEqualTo(1);
        assertThat(policy.uplinkRateBytesPerSecond()).isEqualTo(1_250_000L);
        assertThat(policy.burstBytes()).as("a tenth of a second at 1.25 MB/s").isEqualTo(125_000);
        assertThat(policy.authorizationSetId()).isEqualTo(1);
        assertThat(table.lookup(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, policy)).isTrue();
        assertThat(policy.authorizationSetId()).isZero();
    }

    @Test
    void shouldGiveEachRouteItsServicesTimeoutsAndRetriesDerivedFromTheSlice()
    {
        final NodeMeshConfig nodeC = new MeshCompiler().compile(ModelFixtures.state(), settings).nodes().get("node-c");
        final Service plc = ModelFixtures.plc();

        final RouteAction.Forward forward = (RouteAction.Forward)nodeC.meshConfig().routes().get(0).action();
        assertThat(forward.clusterNames()).containsExactly("plc");
        assertThat(forward.timeoutMs()).isEqualTo(plc.timeouts().requestTimeoutMs());
        assertThat(forward.perTryTimeoutMs()).isEqualTo(plc.timeouts().perTryTimeoutMs());
        assertThat(forward.retry().maxRetries()).isEqualTo(plc.retries().maxRetries());
        assertThat(forward.retry().budgetRatio()).isEqualTo(plc.retries().budgetPercent() / 100.0);
        assertThat(plc.timeouts().requestTimeoutMs()).as("URLLC (5QI 82) gets a much shorter deadline than eMBB")
            .isLessThan(ModelFixtures.video().timeouts().requestTimeoutMs());
    }

    @Test
    void shouldBeDeterministic()
    {
        final CompiledMesh first = new MeshCompiler().compile(ModelFixtures.state(), settings);
        final CompiledMesh second = new MeshCompiler().compile(ModelFixtures.state(), settings);

        assertThat(second.nodes()).isEqualTo(first.nodes());
        assertThat(first.nodes().values()).extracting(NodeMeshConfig::contentHash).doesNotHaveDuplicates()
            .allMatch(hash -> hash.matches("[0-9a-f]{64}"));
        assertThat(first.nodes().values()).extracting(NodeMeshConfig::version).containsOnly(8L);
    }

    @Test
    void shouldRecompileOnlyTheNodesThatSeeAChangedService()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh before = compiler.compile(ModelFixtures.state(), settings);
        assertThat(compiler.nodeCompilations()).isEqualTo(3);

        final Service plc = ModelFixtures.plc();
        final Service moved = new Service(plc.name(), plc.slice(), plc.endpoints(),
            java.util.List.of(new io.mecmesh.slicemanager.model.ServiceRoute("plc.example", "/v2/control/")),
            plc.authorization(), plc.timeouts(), plc.retries());
        final DesiredState changed = ModelFixtures.state().apply(new Command.PutService(moved));
        final CompiledMesh after = compiler.compile(changed, before, settings);

        assertThat(compiler.nodeCompilations()).isEqualTo(4);
        assertThat(after.nodes().get("node-a")).isSameAs(before.nodes().get("node-a"));
        assertThat(after.nodes().get("node-b")).isSameAs(before.nodes().get("node-b"));
        assertThat(after.nodes().get("node-c").version()).isEqualTo(9);
        assertThat(after.nodes().get("node-c").contentHash()).isNotEqualTo(before.nodes().get("node-c").contentHash());
    }

    @Test
    void shouldGiveAServicesClusterItsActiveRequestLimitAndChangeTheContentHash()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh before = compiler.compile(ModelFixtures.state(), settings);
        final Service plc = ModelFixtures.plc();
        final Service limited = new Service(plc.name(), plc.slice(), plc.endpoints(), plc.routes(),
            plc.authorization(), plc.timeouts(), plc.retries(), 3);

        final CompiledMesh after = compiler.compile(ModelFixtures.state().apply(new Command.PutService(limited)),
            before, settings);

        final String host = after.nodes().entrySet().stream()
            .filter(node -> node.getValue().meshConfig().clusters().stream()
                .anyMatch(c -> c.name().equals("plc") && c.tls().isEmpty()))
            .map(java.util.Map.Entry::getKey).findFirst().orElseThrow();
        assertThat(after.nodes().get(host).meshConfig().clusters()).filteredOn(c -> c.name().equals("plc"))
            .extracting(c -> c.circuitBreakers().maxActiveRequestsPerLoop()).containsExactly(3);
        assertThat(after.nodes().get(host).contentHash()).isNotEqualTo(before.nodes().get(host).contentHash());
        assertThat(before.nodes().get(host).meshConfig().clusters()).filteredOn(c -> c.name().equals("plc"))
            .extracting(c -> c.circuitBreakers().maxActiveRequestsPerLoop()).containsExactly(0);
    }

    @Test
    void shouldKeepTheVersionWhenARecompiledNodeComesOutTheSame()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh before = compiler.compile(ModelFixtures.state(), settings);
        final DesiredState same = ModelFixtures.state().apply(new Command.PutService(ModelFixtures.video()));

        final CompiledMesh after = compiler.compile(same, before, settings);

        assertThat(after.nodes().get("node-a")).isSameAs(before.nodes().get("node-a"));
        assertThat(after.nodes().get("node-a").version()).isEqualTo(8);
    }

    @Test
    void shouldIncreaseTheVersionOfAChangedNode()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh before = compiler.compile(ModelFixtures.state(), settings);
        final DesiredState changed = ModelFixtures.state()
            .apply(new Command.PutService(Service.builder("video", ModelFixtures.embb())
                .endpoint("10.0.1.10", 8080, "site-a", "metro-1").route("video.example", "/").build()));

        final CompiledMesh after = compiler.compile(changed, before, settings);

        assertThat(after.nodes().get("node-a").version()).isEqualTo(9).isGreaterThan(before.nodes().get("node-a")
            .version());
        assertThat(after.nodes().get("node-c")).isSameAs(before.nodes().get("node-c"));
    }

    @Test
    void shouldCompileTheVisibleSlicesClassificationRulesAndMarkEachRouteWithItsPolicyRouteId()
    {
        final DesiredState state = ModelFixtures.state().apply(new Command.PutNode(
            new io.mecmesh.slicemanager.model.Node("node-d", "site-a", "metro-1", java.util.List.of("plc", "video"))));

        final CompiledMesh mesh = new MeshCompiler().compile(state, settings);

        final NodeMeshConfig nodeD = mesh.nodes().get("node-d");
        final java.util.List<ClassificationRule> rules = nodeD.meshConfig().classification().rules();
        assertThat(rules).extracting(ClassificationRule::sliceId)
            .as("slice by slice in S-NSSAI order, with the slice ids of the policy records")
            .containsExactly(ModelFixtures.EMBB.sliceId(), ModelFixtures.URLLC.sliceId());
        assertThat(nodeD.policies()).extracting(SlicePolicy::sliceId)
            .contains(ModelFixtures.EMBB.sliceId(), ModelFixtures.URLLC.sliceId());
        assertThat(rules.get(0).sourceCidrs()).extracting(Object::toString).containsExactly("10.45.0.0/16");
        assertThat(rules.get(1).callerSpiffeIdPrefix()).contains("spiffe://mesh.example/slice/2-0000b2/");
        assertThat(nodeD.meshConfig().routes()).extracting(RouteConfig::policyRouteId)
            .containsExactlyElementsOf(nodeD.routes().stream().map(RouteBinding::routeId).toList());
        assertThat(nodeD.meshConfig().routes()).extracting(RouteConfig::policyRouteId).containsExactly(1, 2, 3, 4);

        assertThat(mesh.nodes().get("node-c").meshConfig().classification().rules())
            .as("node-c sees the URLLC slice only").extracting(ClassificationRule::sliceId)
            .containsExactly(ModelFixtures.URLLC.sliceId());
    }

    @Test
    void shouldRecompileTheNodesOfASliceWhoseClassificationChanged()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh before = compiler.compile(ModelFixtures.state(), settings);
        final io.mecmesh.slicemanager.model.Slice embb = ModelFixtures.embb();
        final io.mecmesh.slicemanager.model.Slice reclassified = new io.mecmesh.slicemanager.model.Slice(
            embb.snssai(), embb.name(), embb.fiveQi(), embb.priorityLevel(), embb.bitRates(), embb.dscp(),
            java.util.List.of(io.mecmesh.slicemanager.model.ClassificationRule.sourceCidrs("10.46.0.0/16")),
            embb.authorization());

        final CompiledMesh after = compiler.compile(ModelFixtures.state().apply(new Command.PutSlice(reclassified)),
            before, settings);

        final NodeMeshConfig nodeA = after.nodes().get("node-a");
        assertThat(nodeA.contentHash()).isNotEqualTo(before.nodes().get("node-a").contentHash());
        assertThat(nodeA.version()).isGreaterThan(before.nodes().get("node-a").version());
        assertThat(nodeA.meshConfig().classification().rules().get(0).sourceCidrs()).extracting(Object::toString)
            .containsExactly("10.46.0.0/16");
        assertThat(after.nodes().get("node-c")).isSameAs(before.nodes().get("node-c"));
    }
}
