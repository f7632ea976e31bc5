package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The per-slice policy lookup the request path makes once per request (slice and route to policy record): an
 * off-heap table of 100 slices × 100 routes, read through a flyweight. Measures the lookup and one field read;
 * leaves out classification (which slice and route a request is on).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PolicyTableBenchmark
{
    static final int SLICES = 100;
    static final int ROUTES = 100;

    private final PolicyFlyweight flyweight = new PolicyFlyweight();
    private PolicyTable table;
    private int sliceId = 77;
    private int routeId = 42;
    private int missingRouteId = 4242;

    @Setup
    public void setUp()
    {
        final PolicyTableWriter writer = new PolicyTableWriter(SLICES * (ROUTES + 1));
        for (int slice = 1; slice <= SLICES; slice++)
        {
            for (int route = 0; route <= ROUTES; route++)
            {
                writer.add(new SlicePolicy(slice, route, 1 + (slice % 90), slice % 64, 1_000_000L * slice,
                    1_000_000L * slice, 64 * 1024, 1_000_000_000L, 2, 20, route));
            }
        }
        table = writer.build(1);
        if (!table.lookup(sliceId, routeId, flyweight) || flyweight.authorizationSetId() != routeId)
        {
            throw new IllegalStateException("the policy of slice " + sliceId + " route " + routeId + " is missing");
        }
    }

    /**
     * @return the DSCP of a route's policy.
     */
    @Benchmark
    public int lookupRoutePolicy()
    {
        return table.lookup(sliceId, routeId, flyweight) ? flyweight.dscp() : -1;
    }

    /**
     * @return the DSCP of the slice's default, for a route with no policy of its own.
     */
    @Benchmark
    public int lookupFallingBackToSliceDefault()
    {
        return table.lookup(sliceId, missingRouteId, flyweight) ? flyweight.dscp() : -1;
    }
}
