package io.mecmesh.slicemanager.compiler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.slicemanager.journal.JournalCodec;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.mec.MecServicesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.BitRates;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.BwAllocation.Direction;
import io.mecmesh.slicemanager.model.BwAllocation.RequestType;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.CommandRejectedException;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MEC 015 bandwidth allocations in the desired state (validated against the slice's MBR and a GBR slice's link
 * capacity, journaled, ended with their application) and compiled into the rates of the policy records of the
 * application's routes on its node.
 */
class BwAllocationCompileTest
{
    private static final MecService REGISTERED = registered();

    private final MeshCompiler compiler = new MeshCompiler();

    private static MecService registered()
    {
        try
        {
            return MecServicesJson.service(new ObjectMapper().readTree("""
                {"serName":"video-app","version":"1","state":"ACTIVE","serializer":"JSON",
                 "transportInfo":{"id":"t","name":"REST","type":"REST_HTTP","protocol":"HTTP","version":"2.0",
                  "endpoint":{"uris":["http://127.0.0.1:18080/"]},"security":{}}}"""), "", "svc-1");
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** The fixtures' state, and app-1 on node-a with one registered service (mesh service mec-svc-1). */
    private static DesiredState withApp()
    {
        final DesiredState base = ModelFixtures.state();
        final Service mesh = Service.builder(REGISTERED.meshName(), ModelFixtures.embb())
            .route(REGISTERED.host(), "/").endpoint("127.0.0.1", 18080, "site-a", "metro-1").build();
        final Node node = base.nodes().get("node-a");
        final List<String> placed = new ArrayList<>(node.services());
        placed.add(mesh.name());
        return base.apply(new Command.Batch(List.of(new Command.PutService(mesh),
            new Command.PutNode(new Node(node.id(), node.site(), node.zone(), placed, node.mesh())),
            new Command.PutApp(new AppInstance("app-1", "video-app", "node-a", ModelFixtures.EMBB,
                "spiffe://mesh.example/app/video-app", List.of(), List.of(), List.of(), List.of(REGISTERED),
                false)))));
    }

    private static BwAllocation downlink(final String id, final long bps)
    {
        return new BwAllocation(id, "app-1", RequestType.APPLICATION_SPECIFIC, bps, Direction.DOWNLINK, List.of());
    }

    private static SlicePolicy routeRecord(final CompiledMesh mesh, final String node, final String service)
    {
        final NodeMeshConfig config = mesh.nodes().get(node);
        final int routeId = config.routes().stream().filter(route -> route.service().equals(service)).findFirst()
            .orElseThrow().routeId();
        return config.policies().stream().filter(policy -> policy.routeId() == routeId).findFirst().orElseThrow();
    }

    @Test
    void shouldSetTheDownlinkRateOfTheApplicationsRoutesOnItsNodeOnly()
    {
        final DesiredState state = withApp().apply(new Command.PutBwAllocation(downlink("a-1", 1_000_000)));

        final CompiledMesh mesh = compiler.compile(state, CompilerSettings.DEFAULT);

        final SlicePolicy own = routeRecord(mesh, "node-a", "mec-svc-1");
        assertThat(own.downlinkRateBytesPerSecond()).isEqualTo(125_000);
        assertThat(own.uplinkRateBytesPerSecond()).as("no allocation asks for the uplink: the slice's MBR")
            .isEqualTo(50_000_000 / 8);
        assertThat(own.burstBytes()).isEqualTo(64 * 1024);
        assertThat(routeRecord(mesh, "node-b", "mec-svc-1").downlinkRateBytesPerSecond())
            .as("another node keeps the slice's rate").isEqualTo(200_000_000 / 8);
        assertThat(routeRecord(mesh, "node-a", "video").downlinkRateBytesPerSecond())
            .as("another service's route").isEqualTo(200_000_000 / 8);
    }

    @Test
    void shouldGiveTheApplicationsForwardTrafficRuleRoutesARecordWithTheAllocatedRate() throws Exception
    {
        final DesiredState base = withApp();
        final AppInstance app = base.apps().get("app-1");
        final AppInstance forwarding = new AppInstance(app.id(), app.name(), app.node(), app.slice(), app.spiffeId(),
            app.endpoints(), List.of(MecRulesJson.trafficRule(new ObjectMapper().readTree("""
                {"trafficRuleId":"r-1","filterType":"FLOW","priority":0,
                 "trafficFilter":[{"dstAddress":["192.0.2.10/32"]}],"action":"FORWARD_DECAPSULATED",
                 "state":"ACTIVE"}"""), "")), app.dnsRules(), app.services(), app.ready());
        final DesiredState withRule = base.apply(new Command.PutApp(forwarding));

        final CompiledMesh without = compiler.compile(withRule, CompilerSettings.DEFAULT);
        final CompiledMesh with = compiler.compile(withRule.apply(new Command.PutBwAllocation(
            downlink("a-1", 2_000_000))), without, CompilerSettings.DEFAULT);

        final NodeMeshConfig before = without.nodes().get("node-a");
        final NodeMeshConfig after = with.nodes().get("node-a");
        assertThat(before.meshConfig().routes().get(0).policyRouteId()).isEqualTo(SlicePolicy.SLICE_DEFAULT_ROUTE_ID);
        final int routeId = after.meshConfig().routes().get(0).policyRouteId();
        assertThat(after.meshConfig().routes().get(0).name()).contains("r-1");
        assertThat(routeId).isEqualTo(after.routes().size() + 1);
        final SlicePolicy record = after.policies().stream().filter(policy -> policy.routeId() == routeId)
            .findFirst().orElseThrow();
        assertThat(record.sliceId()).isEqualTo(ModelFixtures.EMBB.sliceId());
        assertThat(record.downlinkRateBytesPerSecond()).isEqualTo(250_000);
        assertThat(after.toPolicyTable()).isNotNull();
    }

    @Test
    void shouldRecompileTheNodeWhenAnAllocationChangesOrGoes()
    {
        final DesiredState allocated = withApp().apply(new Command.PutBwAllocation(downlink("a-1", 1_000_000)));
        final CompiledMesh first = compiler.compile(allocated, CompilerSettings.DEFAULT);

        final DesiredState patched = allocated.apply(new Command.PutBwAllocation(new BwAllocation("a-1", "app-1",
            RequestType.APPLICATION_SPECIFIC, 4_000_000, Direction.SYMMETRICAL, List.of())));
        final CompiledMesh second = compiler.compile(patched, first, CompilerSettings.DEFAULT);
        final CompiledMesh third = compiler.compile(patched.apply(new Command.DeleteBwAllocation("a-1")), second,
            CompilerSettings.DEFAULT);

        assertThat(routeRecord(second, "node-a", "mec-svc-1").downlinkRateBytesPerSecond()).isEqualTo(500_000);
        assertThat(routeRecord(second, "node-a", "mec-svc-1").uplinkRateBytesPerSecond()).isEqualTo(500_000);
        assertThat(second.nodes().get("node-a").version()).isGreaterThan(first.nodes().get("node-a").version());
        assertThat(routeRecord(third, "node-a", "mec-svc-1").downlinkRateBytesPerSecond())
            .isEqualTo(200_000_000 / 8);
    }

    private static BwAllocation session(final String id, final long bps, final String protocol)
    {
        return new BwAllocation(id, "app-1", RequestType.SESSION_SPECIFIC, bps, Direction.DOWNLINK,
            List.of(new BwAllocation.SessionFilter(Optional.of("10.45.0.7"), List.of("40001"),
                Optional.of("127.0.0.1"), List.of("10080"), Optional.of(protocol))));
    }

    @Test
    void shouldCompileASessionSpecificAllocationIntoARecordAndAFiveTupleRuleAheadOfTheSlicesRules()
    {
        final DesiredState state = withApp().apply(new Command.PutBwAllocation(session("s-1", 1_000_000, "6")));

        final CompiledMesh mesh = compiler.compile(state, CompilerSettings.DEFAULT);

        final NodeMeshConfig node = mesh.nodes().get("node-a");
        final ClassificationRule rule = node.meshConfig().classification().rules().get(0);
        assertThat(rule.sliceId()).isEqualTo(ModelFixtures.EMBB.sliceId());
        assertThat(rule.sourceCidrs()).containsExactly(SourcePrefix.parse("10.45.0.7/32"));
        assertThat(rule.sourcePorts()).contains(new PortRange(40001, 40001));
        assertThat(rule.destinationCidrs()).containsExactly(SourcePrefix.parse("127.0.0.1/32"));
        assertThat(rule.destinationPorts()).contains(new PortRange(10080, 10080));
        assertThat(rule.policyRouteId()).as("after the routes' records").isEqualTo(node.routes().size() + 1);
        final SlicePolicy record = node.policies().stream().filter(policy -> policy.routeId() == rule.policyRouteId())
            .findFirst().orElseThrow();
        assertThat(record.sliceId()).isEqualTo(ModelFixtures.EMBB.sliceId());
        assertThat(record.downlinkRateBytesPerSecond()).isEqualTo(125_000);
        assertThat(record.uplinkRateBytesPerSecond()).as("no allocation asks for the uplink: the slice's MBR")
            .isEqualTo(50_000_000 / 8);
        assertThat(routeRecord(mesh, "node-a", "mec-svc-1").downlinkRateBytesPerSecond())
            .as("the application's other traffic is not limited").isEqualTo(200_000_000 / 8);
        assertThat(mesh.nodes().get("node-b").meshConfig().classification().rules())
            .as("only the application's node").allMatch(each -> each.policyRouteId() == 0);
        assertThat(node.toPolicyTable()).isNotNull();
    }

    @Test
    void shouldRecompileTheNodeWhenASessionAllocationChangesAndNotCompileAUdpSession()
    {
        final CompiledMesh none = compiler.compile(withApp(), CompilerSettings.DEFAULT);
        final DesiredState allocated = withApp().apply(new Command.PutBwAllocation(session("s-1", 1_000_000, "6")));
        final CompiledMesh first = compiler.compile(allocated, none, CompilerSettings.DEFAULT);
        final CompiledMesh patched = compiler.compile(allocated.apply(new Command.PutBwAllocation(
            session("s-1", 4_000_000, "6"))), first, CompilerSettings.DEFAULT);
        final CompiledMesh udp = compiler.compile(withApp().apply(new Command.PutBwAllocation(
            session("s-1", 1_000_000, "17"))), none, CompilerSettings.DEFAULT);

        assertThat(first.nodes().get("node-a").contentHash()).isNotEqualTo(none.nodes().get("node-a").contentHash());
        final NodeMeshConfig node = patched.nodes().get("node-a");
        final int routeId = node.meshConfig().classification().rules().get(0).policyRouteId();
        assertThat(node.policies().stream().filter(policy -> policy.routeId() == routeId).findFirst().orElseThrow()
            .downlinkRateBytesPerSecond()).isEqualTo(500_000);
        assertThat(udp.nodes().get("node-a").meshConfig().classification().rules())
            .as("a UDP session: the mesh carries TCP only").allMatch(each -> each.policyRouteId() == 0);
        assertThat(udp.nodes().get("node-a").contentHash()).isEqualTo(none.nodes().get("node-a").contentHash());
    }

    @Test
    void shouldRefuseAnAllocationOverTheSlicesMbrAndLeaveTheStateUnchanged()
    {
        final DesiredState state = withApp();

        assertThatThrownBy(() -> state.apply(new Command.PutBwAllocation(downlink("a-1", 200_000_001))))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessageContaining("fixedAllocation")
            .hasMessageContaining("over the downlink MBR of slice 1-0000a1");
        assertThat(state.bwAllocations()).isEmpty();
    }

    @Test
    void shouldRefuseAnAllocationForAnUnknownInstance()
    {
        assertThatThrownBy(() -> withApp().apply(new Command.PutBwAllocation(new BwAllocation("a-1", "nobody",
            RequestType.APPLICATION_SPECIFIC, 1_000, Direction.UPLINK, List.of()))))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessageContaining("appInsId")
            .hasMessageContaining("nobody");
    }

    @Test
    void shouldRefuseAllocationsOfAGbrSliceOverTheNodesLinkCapacity()
    {
        final Slice urllc = ModelFixtures.urllc();
        assertThat(urllc.bitRates()).isEqualTo(new BitRates(10_000_000, 10_000_000, 5_000_000, 5_000_000));
        final DesiredState state = ModelFixtures.state().apply(new Command.Batch(List.of(
            new Command.PutNode(new Node("node-c", "site-c", "metro-2", List.of("plc"), Optional.empty(),
                12_000_000)),
            new Command.PutApp(new AppInstance("app-1", "plc-app", "node-c", ModelFixtures.URLLC,
                "spiffe://mesh.example/app/plc-app", List.of(), List.of(), List.of(), List.of(), false)))));
        final DesiredState first = state.apply(new Command.PutBwAllocation(new BwAllocation("a-1", "app-1",
            RequestType.APPLICATION_SPECIFIC, 4_000_000, Direction.SYMMETRICAL, List.of())));

        assertThatThrownBy(() -> first.apply(new Command.PutBwAllocation(new BwAllocation("a-2", "app-1",
            RequestType.APPLICATION_SPECIFIC, 5_000_000, Direction.DOWNLINK, List.of()))))
            .isInstanceOf(CommandRejectedException.class)
            .hasMessageContaining("13000000 bps")
            .hasMessageContaining("qos.linkCapacityBps 12000000");
        assertThat(first.apply(new Command.PutBwAllocation(new BwAllocation("a-2", "app-1",
            RequestType.APPLICATION_SPECIFIC, 4_000_000, Direction.DOWNLINK, List.of()))).bwAllocations())
            .containsKeys("a-1", "a-2");
    }

    @Test
    void shouldEndTheAllocationsOfADeletedInstance()
    {
        final DesiredState state = withApp().apply(new Command.PutBwAllocation(downlink("a-1", 1_000_000)));

        assertThat(state.apply(new Command.DeleteApp("app-1")).bwAllocations()).isEmpty();
    }

    @Test
    void shouldJournalAllocationCommandsAndSnapshotsThemAsTheyWere()
    {
        final BwAllocation session = new BwAllocation("s-1", "app-1", RequestType.SESSION_SPECIFIC, 2_000,
            Direction.UPLINK, List.of(new BwAllocation.SessionFilter(Optional.of("10.45.0.0/16"), List.of("1234"),
            Optional.of("192.0.2.1"), List.of(), Optional.empty())));
        final Command put = new Command.PutBwAllocation(session);
        final DesiredState state = withApp().apply(put).apply(new Command.PutBwAllocation(downlink("a-1", 9)));

        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(put))).isEqualTo(put);
        assertThat(JournalCodec.decodeCommand(JournalCodec.encode(new Command.DeleteBwAllocation("s-1"))))
            .isEqualTo(new Command.DeleteBwAllocation("s-1"));
        assertThat(JournalCodec.decodeState(JournalCodec.encode(state))).isEqualTo(state);
    }
}
