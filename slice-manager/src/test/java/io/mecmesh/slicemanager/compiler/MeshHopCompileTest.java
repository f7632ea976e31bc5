package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.ClusterTls;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.tls.TlsConfig;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MeshEndpoint;
import io.mecmesh.slicemanager.model.ModelFixtures;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Protocol;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.ServiceEndpoint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiled mesh hops: node-a and node-b both see the eMBB slice; video runs on node-a, cdn on node-b. With a trust
 * domain and node-b's mesh endpoint, node-a reaches cdn through node-b over mutual TLS.
 */
class MeshHopCompileTest
{
    private static final String TRUST_DOMAIN = "mesh.example";
    private static final CompilerSettings WITH_CA = CompilerSettings.DEFAULT.withTrustDomain(TRUST_DOMAIN);

    @Test
    void shouldSendCallsToAServiceOnAnotherNodeThroughThatNodesMeshEndpointOverMutualTls()
    {
        final DesiredState state = ModelFixtures.state().apply(new Command.PutNode(
            node("node-b", "site-b", "cdn", 15443)));

        final CompiledMesh mesh = new MeshCompiler().compile(state, WITH_CA);

        final ClusterConfig cdn = cluster(mesh, "node-a", "cdn");
        assertThat(cdn.endpoints()).containsExactly(
            new Endpoint("10.0.0.2", 15443, new Locality("site-b", "metro-1"), 1));
        final ClusterTls tls = cdn.tls().orElseThrow();
        assertThat(tls.tls().isNodeIdentity()).as("this node's identity, resolved on the edge").isTrue();
        assertThat(tls.tls().mode()).isEqualTo(TlsConfig.Mode.MESH);
        assertThat(tls.expectedPeer()).hasToString("spiffe://mesh.example/site/site-b/node/node-b");
        assertThat(tls.sni()).isEqualTo("cdn");

        assertThat(cluster(mesh, "node-a", "video").tls()).as("video runs on node-a itself").isEmpty();
        assertThat(cluster(mesh, "node-b", "cdn").endpoints()).as("where cdn runs: its own endpoints")
            .extracting(Endpoint::host).containsExactlyElementsOf(ModelFixtures.cdn().endpoints().stream()
                .map(e -> e.address()).sorted().toList());
        assertThat(cluster(mesh, "node-b", "video").tls()).as("node-a declares no mesh endpoint").isEmpty();

        final NodeMeshConfig nodeA = mesh.nodes().get("node-a");
        assertThat(MeshConfigCodec.decode(MeshConfigCodec.encode(nodeA)).meshConfig().clusters())
            .as("the hop survives distribution").isEqualTo(nodeA.meshConfig().clusters());
    }

    @Test
    void shouldCompileNoHopWithoutATrustDomain()
    {
        final DesiredState state = ModelFixtures.state().apply(new Command.PutNode(
            node("node-b", "site-b", "cdn", 15443)));

        final ClusterConfig cdn = cluster(new MeshCompiler().compile(state, CompilerSettings.DEFAULT), "node-a", "cdn");

        assertThat(cdn.tls()).isEmpty();
        assertThat(cdn.endpoints()).extracting(Endpoint::port).doesNotContain(15443);
    }

    @Test
    void shouldExpectAnyNodeOfTheTrustDomainWhenSeveralNodesRunTheService()
    {
        final DesiredState state = ModelFixtures.state()
            .apply(new Command.PutNode(node("node-b", "site-b", "cdn", 15443)))
            .apply(new Command.PutNode(node("node-d", "site-d", "cdn", 15444)));

        final ClusterConfig cdn = cluster(new MeshCompiler().compile(state, WITH_CA), "node-a", "cdn");

        assertThat(cdn.endpoints()).extracting(Endpoint::port).containsExactly(15443, 15444);
        assertThat(cdn.tls().orElseThrow().expectedPeer().isTrustDomainId()).isTrue();
    }

    @Test
    void shouldRecompileTheNodesThatCallAServiceWhenItsNodesMeshEndpointChanges()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final DesiredState before = ModelFixtures.state().apply(new Command.PutNode(
            node("node-b", "site-b", "cdn", 15443)));
        final CompiledMesh first = compiler.compile(before, WITH_CA);
        final DesiredState after = before.apply(new Command.PutNode(node("node-b", "site-b", "cdn", 16443)));

        final CompiledMesh second = compiler.compile(after, first, WITH_CA);

        assertThat(cluster(second, "node-a", "cdn").endpoints()).extracting(Endpoint::port).containsExactly(16443);
        assertThat(second.nodes().get("node-a").version()).isGreaterThan(first.nodes().get("node-a").version());
        assertThat(second.nodes().get("node-c")).as("node-c sees another slice: not recompiled")
            .isSameAs(first.nodes().get("node-c"));
    }

    @Test
    void shouldSpeakHttp2ToAServiceWhoseEndpointsAllDo()
    {
        final Service cdn = ModelFixtures.cdn();
        final Service.Builder h2 = Service.builder("cdn", ModelFixtures.embb());
        cdn.routes().forEach(route -> h2.route(route.host(), route.pathPrefix()));
        h2.endpoint(new ServiceEndpoint("10.1.0.1", 8443, Protocol.HTTP2, "site-b", "metro-1", 1));
        final DesiredState allHttp2 = ModelFixtures.state().apply(new Command.PutService(h2.build()));
        final DesiredState mixed = allHttp2.apply(new Command.PutService(Service.builder("cdn", ModelFixtures.embb())
            .route("cdn.example", "/")
            .endpoint(new ServiceEndpoint("10.1.0.1", 8443, Protocol.HTTP2, "site-b", "metro-1", 1))
            .endpoint(new ServiceEndpoint("10.1.0.2", 8080, Protocol.HTTP1, "site-b", "metro-1", 1)).build()));
        final DesiredState withHop = allHttp2.apply(new Command.PutNode(node("node-b", "site-b", "cdn", 15443)));

        assertThat(cluster(new MeshCompiler().compile(allHttp2, CompilerSettings.DEFAULT), "node-b", "cdn").protocol())
            .isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(cluster(new MeshCompiler().compile(mixed, CompilerSettings.DEFAULT), "node-b", "cdn").protocol())
            .as("HTTP/1.1 unless every endpoint speaks HTTP/2").isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(cluster(new MeshCompiler().compile(withHop, WITH_CA), "node-a", "cdn").protocol())
            .as("the hop too").isEqualTo(UpstreamProtocol.HTTP2);
        assertThat(cluster(new MeshCompiler().compile(ModelFixtures.state(), CompilerSettings.DEFAULT), "node-b",
            "cdn").protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    }

    private static Node node(final String id, final String site, final String service, final int meshPort)
    {
        return new Node(id, site, "metro-1", List.of(service),
            Optional.of(new MeshEndpoint("node-b".equals(id) ? "10.0.0.2" : "10.0.0.4", meshPort)));
    }

    private static ClusterConfig cluster(final CompiledMesh mesh, final String node, final String name)
    {
        return mesh.nodes().get(node).meshConfig().clusters().stream()
            .filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
