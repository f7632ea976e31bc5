package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.route.RouteTable;
import java.util.Map;
import io.mecmesh.dataplane.http.HeaderFields;
import io.mecmesh.dataplane.http.NettyHeaderFields;
import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.stage.classify.ClassifyHandler;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.PolicyTables;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The classify stage and the per-slice policy lookup, as the request path makes them once per request: 40 rules
 * (20 slices, each a source-prefix rule and a header rule), a policy table of 20 slices × 50 routes, a request
 * head of 8 headers. Measures:
 * <ul>
 *   <li>{@link #classifyAndLookUp}: the per-request part of classification (the connection's candidate rules are
 *   resolved once per connection, in setup) then the (slice, route) lookup with its fall-back to the slice
 *   default, the fields the forward stage reads, and the counters;</li>
 *   <li>{@link #unclassified}: a request no rule matches (every header rule tested) and its policy miss;</li>
 *   <li>{@link #classifyHandler}: the real {@link ClassifyHandler} on a channel (attribute lookups, the connection's
 *   cached resolution, the counters) passing the head on, plus the lookup.</li>
 * </ul>
 * Leaves out decoding the head (Http1CodecBenchmark) and routing (RouteTableBenchmark). Run with {@code -prof gc}:
 * the point is {@code gc.alloc.rate.norm} of 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClassifyBenchmark
{
    static final int SLICES = 20;
    static final int ROUTES = 50;

    private final PolicyFlyweight flyweight = new PolicyFlyweight();
    private final PolicyTables tables = new PolicyTables();
    private final SliceStatsRegistry registry = new SliceStatsRegistry();
    private Classifier classifier;
    private int[] candidates;
    private HttpHeaders classified;
    private HttpHeaders other;
    private HeaderFields classifiedFields;
    private HeaderFields otherFields;
    private HttpRequest request;
    private EmbeddedChannel channel;
    private Exchange exchange;
    private int routeId = 17;

    @Setup
    public void setUp() throws UnknownHostException
    {
        final List<ClassificationRule> rules = new ArrayList<>();
        for (int slice = 1; slice <= SLICES; slice++)
        {
            rules.add(ClassificationRule.sourceCidrs(sliceId(slice), "10." + slice + ".0.0/16"));
            rules.add(ClassificationRule.header(sliceId(slice), "x-slice", "slice-" + slice));
        }
        classifier = Classifier.build(new ClassificationConfig(rules), registry);
        candidates = classifier.candidates("ingress", InetAddress.getByName("192.0.2.10").getAddress(), null);
        final PolicyTableWriter writer = new PolicyTableWriter(SLICES * (ROUTES + 1));
        for (int slice = 1; slice <= SLICES; slice++)
        {
            for (int route = 0; route <= ROUTES; route += route == 0 ? 2 : 1)
            {
                writer.add(new SlicePolicy(sliceId(slice), route, 10, 46, 0, 0, 0, 200_000_000L + route, 1, 20, 0));
            }
        }
        tables.publish(writer.build(1));
        classified = headers("slice-14");
        other = headers("slice-none");
        classifiedFields = new NettyHeaderFields().wrap(classified);
        otherFields = new NettyHeaderFields().wrap(other);
        request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/orders/42", classified);
        exchange = new Exchange(registry.unclassified());
        channel = new EmbeddedChannel(new ClassifyHandler("ingress",
            BenchSnapshots.of(RouteTable.build(List.of(), Map.of()), classifier), exchange),
            new ChannelInboundHandlerAdapter()
            {
                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                {
                    // the request is reused: nothing to release
                }
            });
        if (classifyAndLookUp() != 200_000_000L + routeId || unclassified() != -1 || classifyHandler() == -1)
        {
            throw new IllegalStateException("the benchmark's rules or table do not classify as expected");
        }
    }

    @TearDown
    public void tearDown()
    {
        channel.finishAndReleaseAll();
    }

    private static int sliceId(final int slice)
    {
        return 1 << 24 | slice;
    }

    private static HttpHeaders headers(final String slice)
    {
        final HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
        headers.add("host", "orders.example");
        headers.add("user-agent", "bench/1.0");
        headers.add("accept", "application/json");
        headers.add("accept-encoding", "gzip");
        headers.add("x-request-id", "0f8fad5b-d9cb-469f-a165-70867728950e");
        headers.add("x-slice", slice);
        headers.add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        headers.add("content-length", "0");
        return headers;
    }

    /**
     * @return the request timeout of the record found.
     */
    @Benchmark
    public long classifyAndLookUp()
    {
        final int rule = classifier.classify(candidates, classifiedFields);
        return lookUp(classifier.sliceId(rule), rule);
    }

    /**
     * @return -1: no rule, no record.
     */
    @Benchmark
    public long unclassified()
    {
        final int rule = classifier.classify(candidates, otherFields);
        return lookUp(classifier.sliceId(rule), rule);
    }

    /**
     * @return the request timeout of the record found.
     */
    @Benchmark
    public long classifyHandler()
    {
        channel.pipeline().fireChannelRead(request);
        final PolicyTable table = tables.current();
        final boolean hit = table.lookup(exchange.sliceId(), routeId, flyweight);
        exchange.sliceStats().onPolicyLookup(hit);
        return hit ? flyweight.requestTimeoutNs() : -1;
    }

    private long lookUp(final int sliceId, final int rule)
    {
        final PolicyTable table = tables.current();
        final boolean hit = table.lookup(sliceId, routeId, flyweight);
        classifier.stats(rule).onPolicyLookup(hit);
        return hit ? flyweight.requestTimeoutNs() : -1;
    }
}
