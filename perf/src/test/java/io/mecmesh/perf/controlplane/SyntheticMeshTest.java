package io.mecmesh.perf.controlplane;

import io.mecmesh.slicemanager.compiler.CompiledMesh;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.Node;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyntheticMeshTest
{
    @Test
    void shouldPlaceEveryServiceOnceAndLetEveryNodeSeeTheConfiguredNumberOfSlices()
    {
        final SyntheticMesh mesh = new SyntheticMesh(400, 20, 20, 2);
        final DesiredState state = mesh.state();

        assertThat(state.slices()).hasSize(20);
        assertThat(state.services()).hasSize(400);
        assertThat(state.nodes()).hasSize(20);
        assertThat(state.nodes().values()).allSatisfy(node -> assertThat(node.services()).hasSize(20));
        assertThat(state.nodes().values().stream().mapToInt(node -> node.services().size()).sum()).isEqualTo(400);
        for (final Node node : state.nodes().values())
        {
            assertThat(node.services().stream().map(name -> state.services().get(name).slice()).distinct())
                .as(node.id()).hasSize(2);
        }
        final CompiledMesh compiled = new MeshCompiler().compile(state, CompilerSettings.DEFAULT);
        for (final NodeMeshConfig config : compiled.nodes().values())
        {
            assertThat(config.meshConfig().clusters()).as("two slices of 20 services").hasSize(40);
        }
    }

    @Test
    void shouldRecompileOnlyTheNodesThatSeeTheSliceOfAChangedService()
    {
        final SyntheticMesh mesh = new SyntheticMesh(400, 20, 20, 2);
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh full = compiler.compile(mesh.state(), CompilerSettings.DEFAULT);
        final long before = compiler.nodeCompilations();

        compiler.compile(full.source().apply(mesh.putService(123, 9999)), full, CompilerSettings.DEFAULT);

        assertThat(compiler.nodeCompilations() - before).isEqualTo(2);
    }

    @Test
    void shouldRefuseMoreSlicesPerNodeThanSlices()
    {
        assertThatThrownBy(() -> new SyntheticMesh(10, 2, 2, 3)).hasMessageContaining("slicesPerNode");
    }
}
