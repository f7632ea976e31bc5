package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.identity.SpiffeId;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.mecmesh.dataplane.authz.AuthorizationPolicy.Decision.ALLOWED;
import static io.mecmesh.dataplane.authz.AuthorizationPolicy.Decision.DENIED_NO_ALLOW_RULE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A service's {@code allowedCallerPrefixes} compiled into the routes of the node that runs it: node-b runs cdn, node-a
 * reaches it over a mesh hop. Only cdn's routes on node-b carry the policy; node-a forwards to node-b, which checks
 * the hop's node SVID.
 */
class AuthorizationCompileTest
{
    private static final CompilerSettings WITH_CA = CompilerSettings.DEFAULT.withTrustDomain("mesh.example");
    private static final SpiffeId NODE_A = SpiffeId.parse("spiffe://mesh.example/site/site-a/node/node-a");
    private static final SpiffeId NODE_D = SpiffeId.parse("spiffe://mesh.example/site/site-d/node/node-d");

    @Test
    void shouldEnforceAllowedCallerPrefixesOnTheRoutesOfTheNodeThatRunsTheService()
    {
        final CompiledMesh mesh = new MeshCompiler().compile(withCdnCallers("spiffe://mesh.example/site/site-a/"),
            WITH_CA);

        final AuthorizationPolicy onB = route(mesh, "node-b", "cdn.example").authorization();
        assertThat(onB.check(NODE_A, "GET", "/")).as("a hop from an allowed node").isEqualTo(ALLOWED);
        assertThat(onB.check(NODE_D, "GET", "/")).as("a hop from another node of the trust domain")
            .isEqualTo(DENIED_NO_ALLOW_RULE);
        assertThat(onB.check(SpiffeId.parse("spiffe://mesh.example/site/site-ab/node/x"), "GET", "/"))
            .as("prefixes match whole segments").isEqualTo(DENIED_NO_ALLOW_RULE);
        assertThat(onB.check(null, "GET", "/")).as("node-b's own plain listener: not a mesh caller")
            .isEqualTo(ALLOWED);

        assertThat(route(mesh, "node-a", "cdn.example").authorization())
            .as("node-a forwards over the hop; node-b checks").isEqualTo(AuthorizationPolicy.ALLOW_ALL);
        assertThat(route(mesh, "node-b", "video.example").authorization())
            .as("video sets no prefixes").isEqualTo(AuthorizationPolicy.ALLOW_ALL);
    }

    @Test
    void shouldCarryTheRoutePolicyThroughDistribution()
    {
        final NodeMeshConfig nodeB = new MeshCompiler().compile(withCdnCallers("spiffe://mesh.example/site/site-a"),
            WITH_CA).nodes().get("node-b");

        assertThat(MeshConfigCodec.decode(MeshConfigCodec.encode(nodeB)).meshConfig().routes())
            .isEqualTo(nodeB.meshConfig().routes());
    }

    @Test
    void shouldChangeTheNodesContentWhenItsServicesCallersChange()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh before = compiler.compile(withCdnCallers("spiffe://mesh.example/site/site-a"), WITH_CA);
        final CompiledMesh after = compiler.compile(withCdnCallers("spiffe://mesh.example/site/site-d"), before,
            WITH_CA);

        assertThat(after.nodes().get("node-b").contentHash()).isNotEqualTo(before.nodes().get("node-b").contentHash());
        assertThat(route(after, "node-b", "cdn.example").authorization().check(NODE_D, "GET", "/"))
            .isEqualTo(ALLOWED);
    }

    @Test
    void shouldGiveAServiceWithoutCallersOfItsOwnItsSlicesCallers()
    {
        final DesiredState state = withCdnCallers("spiffe://mesh.example/site/site-a")
            .apply(new Command.PutSlice(Slice.builder(ModelFixtures.EMBB, "embb-video", FiveQiTable.standard().get(9))
                .authorization(new io.mecmesh.slicemanager.model.AuthorizationPolicy(
                    List.of("spiffe://mesh.example/site/site-d"))).build()));

        final CompiledMesh mesh = new MeshCompiler().compile(state, WITH_CA);

        final AuthorizationPolicy video = route(mesh, "node-a", "video.example").authorization();
        assertThat(video.check(NODE_D, "GET", "/")).as("video (node-a) sets no callers: its slice's").isEqualTo(ALLOWED);
        assertThat(video.check(NODE_A, "GET", "/")).isEqualTo(DENIED_NO_ALLOW_RULE);
        final AuthorizationPolicy cdn = route(mesh, "node-b", "cdn.example").authorization();
        assertThat(cdn.check(NODE_A, "GET", "/")).as("cdn's own callers replace its slice's").isEqualTo(ALLOWED);
        assertThat(cdn.check(NODE_D, "GET", "/")).isEqualTo(DENIED_NO_ALLOW_RULE);
    }

    @Test
    void shouldRefuseAPrefixThatIsNotASpiffeId()
    {
        assertThatThrownBy(() -> new io.mecmesh.slicemanager.model.AuthorizationPolicy(
            List.of("spiffe://Mesh Example/x")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedCallerPrefixes[0]");
        assertThatThrownBy(() -> new io.mecmesh.slicemanager.model.AuthorizationPolicy(
            List.of("spiffe://UPPER.example/x")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedCallerPrefixes[0]");
    }

    private static DesiredState withCdnCallers(final String prefix)
    {
        final Service cdn = ModelFixtures.cdn();
        return ModelFixtures.state()
            .apply(new Command.PutService(Service.builder(cdn.name(), ModelFixtures.embb())
                .endpoint("10.0.1.11", 8081, "site-a", "metro-1")
                .route("cdn.example", "/")
                .authorization(new io.mecmesh.slicemanager.model.AuthorizationPolicy(List.of(prefix)))
                .build()))
            .apply(new Command.PutNode(new Node("node-b", "site-b", "metro-1", List.of("cdn"),
                Optional.of(new MeshEndpoint("10.0.0.2", 15443)))));
    }

    private static RouteConfig route(final CompiledMesh mesh, final String node, final String host)
    {
        return mesh.nodes().get(node).meshConfig().routes().stream()
            .filter(route -> route.match().authority().equals(host)).findFirst().orElseThrow();
    }
}
