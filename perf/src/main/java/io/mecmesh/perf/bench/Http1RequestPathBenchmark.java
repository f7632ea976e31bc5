package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.qos.QosRuntime;
import io.mecmesh.dataplane.stage.admit.AdmitHandler;
import io.mecmesh.dataplane.stage.classify.ClassifyHandler;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.http1.Http1ServerCodec;
import io.mecmesh.dataplane.listener.ConnectionGuard;
import io.mecmesh.dataplane.listener.Http1ListenerHandler;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.stage.respond.RespondHandler;
import io.mecmesh.dataplane.stage.route.RouteHandler;
import io.mecmesh.dataplane.route.RouteTable;
import io.mecmesh.dataplane.transport.Transport;
import io.mecmesh.dataplane.transport.TransportKind;
import io.mecmesh.dataplane.upstream.ForwardHandler;
import io.mecmesh.dataplane.upstream.UpstreamPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The downstream HTTP/1.1 request path of the data plane in an {@link EmbeddedChannel}: the handlers
 * {@code PipelineAssembler} installs, in its order, with the listener's decoder settings and reads on demand
 * ({@code AUTO_READ} off):
 *
 * <pre>
 *   ConnectionGuard → Http1ServerCodec → FlowControlHandler → Http1ListenerHandler → RespondHandler → ClassifyHandler
 *     → RouteHandler → AnsweringHandler
 * </pre>
 *
 * One operation: the bytes of a 250-byte keep-alive GET go in, are decoded, counted, routed (32 virtual hosts),
 * stripped of hop-by-hop headers and answered with a 1 KiB response, whose encoded bytes come out and are
 * released.
 *
 * <p>{@link #getForwardedThroughUpstream} measures the whole path instead, the upstream stage included: the
 * {@code ForwardHandler} (route timeout 15 s armed and disarmed, retry policy, outlier bookkeeping) leases a
 * keep-alive upstream connection that is another {@code EmbeddedChannel} adopted by the {@code UpstreamPool}
 * (client codec and upstream handler, as on a socket), the request is encoded to it, and the upstream's encoded
 * 1 KiB response is decoded and forwarded downstream. What it leaves out: socket I/O, TLS, the selector.
 *
 * <p>What {@link #getRoutedAndAnswered} leaves out: the upstream stage. {@code ForwardHandler} leases connections from an
 * {@code UpstreamPool}, which opens real sockets on a real event loop; the dataplane has no seam yet to give it an
 * embedded upstream channel. So the upstream leg (encoding the request to the upstream with
 * {@code Http1ClientCodec}, decoding its response, the pool's lease and release) is not measured here; the
 * {@link AnsweringHandler} builds the response object directly. Socket I/O and the event loop's selector are left
 * out too: the side-by-side comparison ({@code perf/compare.sh}) measures those.
 *
 * <p>Threads: the benchmark runs on Netty {@code FastThreadLocalThread}s ({@link FastThreadLocalExecutor}, chosen
 * with {@code -Djmh.executor=CUSTOM} in the fork's prepended JVM flags, so that a {@code -jvmArgsAppend} on the
 * command line, e.g. for a JFR recording, keeps it; {@code -jvmArgsAppend -Djmh.executor=PLATFORM} measures on JMH's
 * plain threads instead), as the data plane's event loops do. Netty's
 * {@code Recycler} pools only on such threads: on JMH's own worker threads every pooled object of the path
 * (outbound-buffer entries, retained slices and duplicates, the flow-control queue, the HTTP/1.1 codecs' heads and
 * body parts) would be allocated anew each time, which production never does. The bytes per operation
 * ({@code -prof gc}) are therefore those of the event loop.
 *
 * <p>Leak detection: off, as the packaged launcher runs the appliance ({@code -Dio.netty.leakDetection.level=disabled});
 * at Netty's default level its sampled records (stack traces of 1 in 128 pooled buffers) are the path's only
 * allocation, about 35 B/op. {@code -jvmArgsAppend -Dio.netty.leakDetection.level=simple} measures with them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = {"-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.mecmesh.perf.bench.FastThreadLocalExecutor", "-Dio.netty.leakDetection.level=disabled"},
    jvmArgsAppend = {"-Xms256m", "-Xmx256m", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
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
        final SliceStatsRegistry registry = new SliceStatsRegistry();
        final Exchange exchange = new Exchange(registry.unclassified());
        final Snapshots snapshots = BenchSnapshots.of(table, registry);
        answering = new AnsweringHandler(body, exchange);
        final ListenerConfig listener = ListenerConfig.of("bench", "127.0.0.1", 0);
        final Http1ListenerHandler listenerStage = new Http1ListenerHandler(listener, counters);
        channel = new EmbeddedChannel(false, false);
        channel.config().setAutoRead(false);
        channel.pipeline()
            .addLast("guard", new ConnectionGuard(listener, counters, listenerStage::onBytesReceived))
            .addLast("http1-codec", new Http1ServerCodec(Http1CodecBenchmark.decoderConfig()))
            .addLast("flow-control", new FlowControlHandler())
            .addLast("listener", listenerStage)
            .addLast("respond", new RespondHandler(exchange))
            .addLast("classify", new ClassifyHandler("bench", snapshots, exchange))
            .addLast("route", new RouteHandler(exchange, counters))
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
        BenchMessages.readInbound(channel, request.retainedDuplicate());
        return BenchMessages.drainOutbound(channel);
    }

    /**
     * One request through every stage, the upstream leg included.
     *
     * @param path the forwarding pipeline.
     * @return bytes sent downstream.
     */
    @Benchmark
    public int getForwardedThroughUpstream(final ForwardedPath path)
    {
        return path.exchange();
    }

    /** The downstream pipeline of {@code PipelineAssembler} ending in the real {@link ForwardHandler}. */
    @State(Scope.Thread)
    public static class ForwardedPath
    {
        private EmbeddedChannel downstream;
        private EmbeddedChannel upstream;
        private DataPlaneCounters counters;
        private ByteBuf request;
        private ByteBuf response;

        @Setup
        public void setUp() throws Exception
        {
            final Cluster cluster = Cluster.resolve(
                ClusterConfig.of("local-app", List.of(new Endpoint("127.0.0.1", 8080))));
            final List<RouteConfig> routes = new ArrayList<>();
            for (int i = 0; i < 32; i++)
            {
                final String host = "svc-" + i + ".edge-1.mec.example";
                routes.add(new RouteConfig(host, "/", "local-app"));
                routes.add(new RouteConfig(host, "/api/", "local-app"));
            }
            final RouteTable table = RouteTable.build(routes, Map.of("local-app", cluster));
            request = new BenchMessages(PooledByteBufAllocator.DEFAULT).requestBytes();
            final ByteBuf body = new BenchMessages(PooledByteBufAllocator.DEFAULT).body();
            final byte[] head = ("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Thu, 26 Nov 2026 08:00:00 GMT\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Length: " + BenchMessages.BODY_BYTES + "\r\n"
                + "Last-Modified: Thu, 26 Nov 2026 07:00:00 GMT\r\nETag: \"6925b4f0-400\"\r\n"
                + "Accept-Ranges: bytes\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            response = PooledByteBufAllocator.DEFAULT.directBuffer(head.length + body.readableBytes())
                .writeBytes(head).writeBytes(body);
            body.release();

            counters = new DataPlaneCounters();
            final ListenerConfig listener = ListenerConfig.of("bench", "127.0.0.1", 0);
            final Http1ListenerHandler listenerStage = new Http1ListenerHandler(listener, counters);
            downstream = new EmbeddedChannel(false, false);
            downstream.config().setAutoRead(false);
            upstream = new EmbeddedChannel();
            // The pool's event loop only schedules its deadline wheel's tick here; nothing runs it.
            final SliceStatsRegistry registry = new SliceStatsRegistry();
            final Exchange exchange = new Exchange(registry.unclassified());
            final Snapshots snapshots = BenchSnapshots.of(table, registry);
            final UpstreamPool pool = new UpstreamPool(upstream.eventLoop(), Transport.select(TransportKind.NIO),
                counters);
            downstream.pipeline()
                .addLast("guard", new ConnectionGuard(listener, counters, listenerStage::onBytesReceived))
                .addLast("http1-codec", new Http1ServerCodec(Http1CodecBenchmark.decoderConfig()))
                .addLast("flow-control", new FlowControlHandler())
                .addLast("listener", listenerStage)
                .addLast("respond", new RespondHandler(exchange))
                .addLast("classify", new ClassifyHandler("bench", snapshots, exchange))
                .addLast("route", new RouteHandler(exchange, counters))
                .addLast("admit", new AdmitHandler(new QosRuntime(System::nanoTime, 1).newLoop(), snapshots,
                    exchange))
                .addLast("upstream", new ForwardHandler(pool, counters, exchange));
            pool.adoptHttp1(cluster.endpoints().get(0), upstream);
            downstream.register();

            final int bytes = exchange();
            if (counters.get(DataPlaneCounter.RESPONSES_2XX) != 1 || bytes < BenchMessages.BODY_BYTES)
            {
                throw new IllegalStateException("request not forwarded and answered: 2xx "
                    + counters.get(DataPlaneCounter.RESPONSES_2XX) + ", response bytes " + bytes);
            }
        }

        @TearDown
        public void tearDown()
        {
            final boolean leftOver = downstream.finishAndReleaseAll() | upstream.finishAndReleaseAll();
            request.release();
            response.release();
            if (leftOver)
            {
                throw new IllegalStateException("the pipeline left messages unread");
            }
        }

        int exchange()
        {
            BenchMessages.readInbound(downstream, request.retainedDuplicate());
            if (BenchMessages.drainOutbound(upstream) == 0)
            {
                throw new IllegalStateException("nothing forwarded upstream");
            }
            BenchMessages.readInbound(upstream, response.retainedDuplicate());
            return BenchMessages.drainOutbound(downstream);
        }
    }
}
