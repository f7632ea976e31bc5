package io.mecmesh.perf.bench;

import io.mecmesh.perf.controlplane.SyntheticMesh;
import io.mecmesh.slicemanager.model.Command;
import io.mecmesh.slicemanager.model.DesiredState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The desired state's {@code apply} (validation included) at issue 6's scale: what the slice manager's conductor
 * does for every command before it is journaled.
 *
 * <ul>
 *   <li>{@link #putOneService}: one service changed in a state of {@code services} services (an operator's or a
 *   MEC application's single change).</li>
 *   <li>{@link #applyWholeMeshAsOneBatch}: every slice, service and node of the mesh as one batch on an empty state
 *   ({@code mecmesh apply -f} of a whole inventory).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DesiredStateApplyBenchmark
{
    @Param({"10000"})
    public int services;

    private SyntheticMesh mesh;
    private DesiredState state;
    private Command.Batch everything;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        mesh = new SyntheticMesh(services, 100, 100, 2);
        final List<Command> commands = mesh.commands();
        everything = new Command.Batch(commands);
        state = DesiredState.empty().apply(everything);
    }

    @Benchmark
    public DesiredState putOneService()
    {
        next++;
        return state.apply(mesh.putService(next % services, 9000 + next % 1000));
    }

    @Benchmark
    public DesiredState applyWholeMeshAsOneBatch()
    {
        return DesiredState.empty().apply(everything);
    }
}
