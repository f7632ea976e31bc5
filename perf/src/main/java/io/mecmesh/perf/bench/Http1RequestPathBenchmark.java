package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ConnectionGuard;
import io.mecmesh.dataplane.listener.Http1ListenerHandler;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteHandler;
import io.mecmesh.dataplane.route.RouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
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

import java.util.concurrent.TimeUnit;

/**
 * The downstream HTTP/1.1 request path of the data plane in an {@link EmbeddedChannel}: the handlers
 * {@code PipelineAssembler} installs, in its order, with the listener's decoder settings and reads on demand
 * ({@code AUTO_READ} off):
 *
 * <pre>
 *   ConnectionGuard → HttpServerCodec → FlowControlHandler → Http1ListenerHandler → RouteHandler → AnsweringHandler
 * </pre>
 *
 * One operation: the bytes of a 250-byte keep-alive GET go in, are decoded, counted, routed (32 virtual hosts),
 * stripped of hop-by-hop headers and answered with a 1 KiB response, whose encoded bytes come out and are
 * released.
 *
 * <p>What it leaves out: the upstream stage. {@code ForwardHandler} leases connections from an
 * {@code UpstreamPool}, which opens real sockets on a real event loop; the dataplane has no seam yet to give it an
 * embedded upstream channel. So the upstream leg (encoding the request to the upstream with
 * {@code HttpClientCodec}, decoding its response, the pool's lease and release) is not measured here; the
 * {@link AnsweringHandler} builds the response object directly. Socket I/O and the event loop's selector are left
 * out too: the side-by-side comparison ({@code perf/compare.sh}) measures those.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class Http1RequestPathBenchmark
{
    private EmbeddedChannel channel;
    private DataPlaneCounters counters;
    private AnsweringHandler answering;
    private ByteBuf request;
    private ByteBuf body;

    @Setup
    public void setUp() throws Exception
    {
        final RouteTable table = RouteTableBenchmark.requestPathTable();

        request = new BenchMessages(PooledByteBufAllocator.DEFAULT).requestBytes();
        body = new BenchMessages(PooledByteBufAllocator.DEFAULT).body();
        counters = new DataPlaneCounters();
        answering = new AnsweringHandler(body);
        final ListenerConfig listener = ListenerConfig.of("bench", "127.0.0.1", 0);
        final Http1ListenerHandler listenerStage = new Http1ListenerHandler(listener, counters);
        channel = new EmbeddedChannel(false, false);
        channel.config().setAutoRead(false);
        channel.pipeline()
            .addLast("guard", new ConnectionGuard(listener, counters, listenerStage))
            .addLast("http1-codec", new HttpServerCodec(Http1CodecBenchmark.decoderConfig()))
            .addLast("flow-control", new FlowControlHandler())
            .addLast("listener", listenerStage)
            .addLast("route", new RouteHandler(() -> table, counters))
            .addLast("upstream", answering);
        channel.register();

        final int bytes = exchange();
        if (answering.routed() != 1 || counters.get(DataPlaneCounter.REQUESTS) != 1 || bytes < BenchMessages.BODY_BYTES)
        {
            throw new IllegalStateException("request not routed and answered: routed " + answering.routed()
                + ", requests " + counters.get(DataPlaneCounter.REQUESTS) + ", response bytes " + bytes);
        }
    }

    @TearDown
    public void tearDown()
    {
        final boolean leftOver = channel.finishAndReleaseAll();
        request.release();
        body.release();
        if (leftOver)
        {
            throw new IllegalStateException("the pipeline left messages unread");
        }
    }

    @Benchmark
    public int getRoutedAndAnswered()
    {
        return exchange();
    }

    private int exchange()
    {
        channel.writeInbound(request.retainedDuplicate());
        return BenchMessages.drainOutbound(channel);
    }
}
