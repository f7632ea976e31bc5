package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.LoopQos;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.QosOutcome;
import io.mecmesh.dataplane.qos.QosRuntime;
import io.mecmesh.dataplane.qos.SliceQosConfig;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the admit stage decides per request when the request is admitted at once, as {@code AdmitHandler.onRequest}
 * does it: the slice's settings, the (slice, 0) and (slice, route) records found in a table of 20 slices × 50
 * routes (in {@link #admit}; {@link #admitWithRecordsWrapped} leaves them out, as the exchange wraps them once for
 * every stage), one token from the slice's requests/s bucket (through the loop's shard; the shared budget is touched once
 * per chunk), one response-body part charged to the slice's and the route's downlink buckets, and the counters.
 * The rates are high enough that no request waits. Leaves out the Netty pipeline around it (a channelRead and a
 * write, measured by Http1RequestPathBenchmark) and shaping and pacing, which wait on a timer. Run with
 * {@code -prof gc}: the bar is 50 ns/op and 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AdmitBenchmark
{
    static final int SLICES = 20;
    static final int ROUTES = 50;

    private final PolicyFlyweight sliceRecord = new PolicyFlyweight();
    private final PolicyFlyweight routeRecord = new PolicyFlyweight();
    private PolicyTable table;
    private LoopQos loop;
    private int sliceId;
    private int routeId = 17;

    private static int sliceId(final int slice)
    {
        return 1 << 24 | slice;
    }

    @Setup
    public void setUp()
    {
        final PolicyTableWriter writer = new PolicyTableWriter(SLICES * (ROUTES + 1));
        final List<SliceQosConfig> slices = new ArrayList<>();
        for (int slice = 1; slice <= SLICES; slice++)
        {
            for (int route = 0; route <= ROUTES; route++)
            {
                writer.add(new SlicePolicy(sliceId(slice), route, 10, 46, 1L << 40, 1L << 40, 1L << 30,
                    200_000_000L, 1, 20, 0));
            }
            slices.add(new SliceQosConfig(sliceId(slice), QosMode.SHAPE, 100, 1L << 40, 0, 0, 0));
        }
        table = writer.build(1);
        final QosRuntime runtime = new QosRuntime(System::nanoTime, 2);
        runtime.configure(new QosConfig(0, slices));
        loop = runtime.newLoop();
        sliceId = sliceId(14);
        if (admit() != 1)
        {
            throw new IllegalStateException("the request was not admitted at once");
        }
    }

    /** With the two record lookups, which the exchange now makes once for every stage (at classify and route). */
    @Benchmark
    public int admit()
    {
        int offset = table.find(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID);
        sliceRecord.wrap(table.buffer(), offset);
        offset = table.find(sliceId, routeId);
        routeRecord.wrap(table.buffer(), offset);
        return admitWithRecordsWrapped();
    }

    /** The admit stage's own part: the records already wrapped in the exchange, as AdmitHandler reads them. */
    @Benchmark
    public int admitWithRecordsWrapped()
    {
        final long nowNs = loop.nanoTime();
        final SliceQosConfig slice = loop.slice(sliceId);
        final long rps = slice.requestsPerSecond();
        if (!loop.tryAcquire(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, LoopQos.REQUESTS, rps,
            Math.max(1, rps / 10), 1, nowNs))
        {
            return 0;
        }
        loop.count(sliceId, QosOutcome.ADMITTED);
        final boolean sent = loop.tryAcquire(sliceId, 0, LoopQos.DOWNLINK,
            sliceRecord.downlinkRateBytesPerSecond(), sliceRecord.burstBytes(), 16_384, nowNs)
            && loop.tryAcquire(sliceId, routeId, LoopQos.DOWNLINK, routeRecord.downlinkRateBytesPerSecond(),
            routeRecord.burstBytes(), 16_384, nowNs);
        loop.countBytes(sliceId, LoopQos.DOWNLINK, 16_384);
        return sent ? 1 : 0;
    }
}
