package io.mecmesh.perf.bench;

import io.mecmesh.perf.controlplane.SyntheticMesh;
import io.mecmesh.slicemanager.compiler.CompiledMesh;
import io.mecmesh.slicemanager.compiler.CompilerSettings;
import io.mecmesh.slicemanager.compiler.MeshCompiler;
import io.mecmesh.slicemanager.model.DesiredState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The slice manager's compiler ({@link MeshCompiler}) on a {@link SyntheticMesh}: by default issue 6's 10,000
 * services across 100 slices and 100 nodes, each node seeing two slices (200 services in its configuration).
 *
 * <ul>
 *   <li>{@link #fullCompile()}: every node compiled from scratch (what the slice manager does at start or when the
 *       shared settings change): routes, clusters, policy records and the SHA-256 content hash of each node.</li>
 *   <li>{@link #oneServiceChange()}: the incremental path after one service's endpoint port changed, as the slice
 *       manager runs it after a {@code PutService}: the comparison of the new desired state with the previous one,
 *       and the recompilation of the nodes that see the service's slice ({@code slicesPerNode} nodes); the others
 *       keep their configuration object.</li>
 * </ul>
 * Leaves out validating and journaling the command (the state is built once, in the set-up) and distributing the
 * result. The compiler is a pure function of its inputs, so every invocation does the same work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class MeshCompilerBenchmark
{
    private static final int CHANGED_PORT = 9090;

    @Param("10000")
    int services;

    @Param("100")
    int slices;

    @Param("100")
    int nodes;

    @Param("2")
    int slicesPerNode;

    private final MeshCompiler compiler = new MeshCompiler();
    private DesiredState state;
    private CompiledMesh compiled;
    private DesiredState changed;

    @Setup
    public void setUp()
    {
        final SyntheticMesh mesh = new SyntheticMesh(services, slices, nodes, slicesPerNode);
        state = mesh.state();
        compiled = compiler.compile(state, CompilerSettings.DEFAULT);
        if (compiled.nodes().size() != Math.min(nodes, services))
        {
            throw new IllegalStateException("compiled " + compiled.nodes().size() + " nodes, expected "
                + Math.min(nodes, services));
        }
        final int service = services / 2;
        changed = state.apply(mesh.putService(service, CHANGED_PORT));
        final long before = compiler.nodeCompilations();
        final CompiledMesh incremental = compiler.compile(changed, compiled, CompilerSettings.DEFAULT);
        final long recompiled = compiler.nodeCompilations() - before;
        final long seeing = incremental.nodes().values().stream()
            .filter(node -> node.meshConfig().clusters().stream()
                .anyMatch(cluster -> cluster.name().equals(SyntheticMesh.serviceName(service))))
            .count();
        if (recompiled != seeing || seeing == 0)
        {
            throw new IllegalStateException("a one-service change recompiled " + recompiled + " nodes, but "
                + seeing + " nodes see the service");
        }
    }

    /**
     * @return every node's configuration, compiled from scratch.
     */
    @Benchmark
    public CompiledMesh fullCompile()
    {
        return compiler.compile(state, CompilerSettings.DEFAULT);
    }

    /**
     * @return every node's configuration after one service changed, only the affected nodes recompiled.
     */
    @Benchmark
    public CompiledMesh oneServiceChange()
    {
        return compiler.compile(changed, compiled, CompilerSettings.DEFAULT);
    }
}
