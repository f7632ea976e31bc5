package io.mecmesh.slicemanager.compiler;

import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.FiveQiTable;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Service;
import io.mecmesh.slicemanager.model.Slice;
import io.mecmesh.slicemanager.model.Snssai;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalCompileTest
{
    private static final int SLICES = 10;
    private static final int SERVICES_PER_SLICE = 100;
    private static final int NODES = 100;

    private static Slice slice(final int i)
    {
        return Slice.builder(new Snssai(1, i), "slice-" + i, FiveQiTable.standard().get(9)).build();
    }

    private static Service service(final int sliceIndex, final int j, final int port)
    {
        return Service.builder("svc-" + sliceIndex + "-" + j, slice(sliceIndex))
            .endpoint("10." + sliceIndex + "." + (j / 250) + "." + (j % 250 + 1), port, "site-" + j % 5, "metro-1")
            .route("svc-" + sliceIndex + "-" + j + ".example", "/")
            .build();
    }

    /** Node n hosts two services of slice n % 10, so 10 nodes see each slice. */
    private static DesiredState state()
    {
        DesiredState state = DesiredState.empty();
        for (int i = 0; i < SLICES; i++)
        {
            state = state.apply(new Command.PutSlice(slice(i)));
            for (int j = 0; j < SERVICES_PER_SLICE; j++)
            {
                state = state.apply(new Command.PutService(service(i, j, 8080)));
            }
        }
        for (int n = 0; n < NODES; n++)
        {
            final int sliceIndex = n % SLICES;
            final List<String> placed = new ArrayList<>(List.of("svc-" + sliceIndex + "-" + n % SERVICES_PER_SLICE,
                "svc-" + sliceIndex + "-" + (n + 1) % SERVICES_PER_SLICE));
            state = state.apply(new Command.PutNode(new Node("node-" + n, "site-" + n % 5, "metro-1", placed)));
        }
        return state;
    }

    @Test
    void shouldRecompileOnlyTheTenNodesThatSeeTheSliceOfAChangedService()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh full = compiler.compile(state(), CompilerSettings.DEFAULT);
        assertThat(compiler.nodeCompilations()).isEqualTo(NODES);
        assertThat(full.nodes().get("node-3").meshConfig().clusters()).hasSize(SERVICES_PER_SLICE);

        final DesiredState changed = full.source().apply(new Command.PutService(service(3, 42, 9090)));
        final CompiledMesh incremental = compiler.compile(changed, full, CompilerSettings.DEFAULT);

        assertThat(compiler.nodeCompilations() - NODES).isEqualTo(NODES / SLICES);
        for (int n = 0; n < NODES; n++)
        {
            final NodeMeshConfig before = full.nodes().get("node-" + n);
            final NodeMeshConfig after = incremental.nodes().get("node-" + n);
            if (n % SLICES == 3)
            {
                assertThat(after.version()).as("node-%d", n).isEqualTo(changed.sequence());
                assertThat(after.contentHash()).isNotEqualTo(before.contentHash());
            }
            else
            {
                assertThat(after).as("node-%d", n).isSameAs(before);
            }
        }
    }

    @Test
    void shouldGiveTheSameContentHashAsAFullCompileOfTheSameState()
    {
        final MeshCompiler compiler = new MeshCompiler();
        final CompiledMesh full = compiler.compile(state(), CompilerSettings.DEFAULT);
        final DesiredState changed = full.source().apply(new Command.PutService(service(7, 1, 9090)));

        final CompiledMesh incremental = compiler.compile(changed, full, CompilerSettings.DEFAULT);
        final CompiledMesh fromScratch = new MeshCompiler().compile(changed, CompilerSettings.DEFAULT);

        for (final String node : fromScratch.nodes().keySet())
        {
            assertThat(incremental.nodes().get(node).contentHash()).as(node)
                .isEqualTo(fromScratch.nodes().get(node).contentHash());
        }
    }
}
