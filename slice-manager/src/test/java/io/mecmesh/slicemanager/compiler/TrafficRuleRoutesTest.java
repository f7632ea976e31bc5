package io.mecmesh.slicemanager.compiler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.slicemanager.mec.MecRulesJson;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.ModelFixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** MEC 011 traffic rules of an application instance compiled into the routes of the node that hosts it. */
class TrafficRuleRoutesTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String APP = """
        {"id":"app-1","name":"video-analytics","node":"node-a","slice":"1-0000a1",
         "spiffeId":"spiffe://mesh.example/app/video-analytics","endpoints":[{"address":"127.0.0.1","port":18080}],
         "trafficRules":[
          {"trafficRuleId":"r-low","filterType":"FLOW","priority":5,
           "trafficFilter":[{"dstAddress":["192.0.2.10/32"]}],"action":"DROP","state":"ACTIVE"},
          {"trafficRuleId":"r-high","filterType":"FLOW","priority":0,
           "trafficFilter":[{"dstAddress":["192.0.2.10","10.0.0.0/8"]},{"srcAddress":["10.1.1.1"]}],
           "action":"ACTION","state":"STATE"}]}""";

    private final MeshCompiler compiler = new MeshCompiler();

    private static AppInstance app(final String action, final String state)
    {
        try
        {
            return MecRulesJson.appInstance(JSON.readTree(APP.replace("ACTION", action).replace("STATE", state)), "");
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static List<RouteConfig> mecRoutes(final CompiledMesh mesh, final String node)
    {
        return mesh.nodes().get(node).meshConfig().routes().stream()
            .filter(route -> route.name().startsWith("mec-")).toList();
    }

    @Test
    void shouldForwardTheRuleOfHighestPriorityToTheApplicationsEndpointsBeforeTheServiceRoutes()
    {
        final DesiredState state = ModelFixtures.state().apply(new Command.PutApp(app("FORWARD_DECAPSULATED",
            "ACTIVE")));

        final CompiledMesh mesh = compiler.compile(state, CompilerSettings.DEFAULT);
        final List<RouteConfig> routes = mesh.nodes().get("node-a").meshConfig().routes();

        assertThat(mecRoutes(mesh, "node-a")).hasSize(2);
        assertThat(routes.get(0).match().authority()).isEqualTo("192.0.2.10");
        assertThat(routes.get(0).name()).contains("r-high");
        assertThat(((RouteAction.Forward)routes.get(0).action()).clusters())
            .containsExactly(new WeightedCluster("mec-app-video-analytics", 1));
        assertThat(routes.get(1).name()).contains("r-low");
        assertThat(routes.get(1).action()).isInstanceOf(RouteAction.Respond.class);
        assertThat(((RouteAction.Respond)routes.get(1).action()).status()).isEqualTo(403);
        assertThat(routes.get(2).name()).doesNotStartWith("mec-");
        assertThat(mesh.nodes().get("node-a").meshConfig().clusters()).extracting(ClusterConfig::name)
            .contains("mec-app-video-analytics");
        assertThat(mecRoutes(mesh, "node-b")).as("only the hosting node").isEmpty();
    }

    @Test
    void shouldLeaveTheMeshRouteForPassthroughAndInactiveRules()
    {
        final CompiledMesh passthrough = compiler.compile(ModelFixtures.state()
            .apply(new Command.PutApp(app("PASSTHROUGH", "ACTIVE"))), CompilerSettings.DEFAULT);
        final CompiledMesh inactive = compiler.compile(ModelFixtures.state()
            .apply(new Command.PutApp(app("FORWARD_DECAPSULATED", "INACTIVE"))), CompilerSettings.DEFAULT);

        assertThat(mecRoutes(passthrough, "node-a")).extracting(RouteConfig::name)
            .singleElement().asString().contains("r-low");
        assertThat(mecRoutes(inactive, "node-a")).extracting(RouteConfig::name)
            .singleElement().asString().contains("r-low");
    }

    @Test
    void shouldRecompileOnlyTheHostingNodeWhenARuleChanges()
    {
        final DesiredState before = ModelFixtures.state().apply(new Command.PutApp(app("FORWARD_DECAPSULATED",
            "ACTIVE")));
        final CompiledMesh first = compiler.compile(before, CompilerSettings.DEFAULT);
        final DesiredState after = before.apply(new Command.PutApp(app("FORWARD_DECAPSULATED", "INACTIVE")));

        final CompiledMesh second = compiler.compile(after, first, CompilerSettings.DEFAULT);

        assertThat(second.nodes().get("node-a").version()).isEqualTo(after.sequence());
        assertThat(mecRoutes(second, "node-a")).hasSize(1);
        assertThat(second.nodes().get("node-b")).isSameAs(first.nodes().get("node-b"));
    }
}
