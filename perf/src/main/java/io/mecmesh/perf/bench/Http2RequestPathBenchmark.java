package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.http2.Http2StreamCodec;
import io.mecmesh.dataplane.listener.Http2RequestHeadValidator;
import io.mecmesh.dataplane.listener.Http2StreamListenerHandler;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteTable;
import io.mecmesh.dataplane.stage.classify.ClassifyHandler;
import io.mecmesh.dataplane.stage.respond.RespondHandler;
import io.mecmesh.dataplane.stage.route.RouteHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
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
import java.util.concurrent.TimeUnit;

/**
 * The downstream HTTP/2 request path through the data plane's stream stages, on an {@link EmbeddedChannel}: the
 * server side as {@code PipelineAssembler} installs it (Netty's HTTP/2 frame codec and multiplexer and, per stream,
 * {@link Http2RequestHeadValidator}, {@link Http2StreamCodec}, {@link Http2StreamListenerHandler},
 * {@link RespondHandler}, {@link ClassifyHandler} and {@link RouteHandler}), then a handler that answers 1 KiB in
 * place of the upstream stage. One operation: the bytes of one HEADERS frame (a GET whose headers end the stream,
 * HPACK without the dynamic table, so every request encodes the same but for its stream id) go in, the stream is
 * opened, converted, counted, routed and answered, and the response frames' bytes come out and are released.
 * Like {@code Http1RequestPathBenchmark}, the client is bytes: only the data plane's side is measured (before
 * 2026-12-08 a Netty client codec and multiplexer opened each stream, and a detached access log was built per
 * stream, which is most of what the earlier figures measured). Leaves out sockets, TLS and the upstream.
 *
 * <p>Threads and leak detection as in {@code Http1RequestPathBenchmark}: Netty {@code FastThreadLocalThread}s, on
 * which its {@code Recycler} pools as on the event loops, and leak detection off as the launcher runs it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsPrepend = {"-Djmh.executor=CUSTOM",
    "-Djmh.executor.class=io.mecmesh.perf.bench.FastThreadLocalExecutor", "-Dio.netty.leakDetection.level=disabled"},
    jvmArgsAppend = {"-Xms256m", "-Xmx256m", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class Http2RequestPathBenchmark
{
    private static final int FRAME_HEADER_BYTES = 9;
    private static final int STREAM_ID_OFFSET = 5;

    private EmbeddedChannel server;
    private DataPlaneCounters counters;
    private ByteBuf body;
    private ByteBuf headersFrame;
    /** Netty keeps stream 1 for an HTTP/1.1 upgrade; its clients open streams from 3 on. */
    private int streamId = 3;

    @Setup
    public void setUp()
    {
        final RouteTable table = RouteTableBenchmark.requestPathTable();
        body = new BenchMessages(PooledByteBufAllocator.DEFAULT).body();
        counters = new DataPlaneCounters();
        final ListenerConfig listener = ListenerConfig.of("bench", "127.0.0.1", 0);
        final SliceStatsRegistry registry = new SliceStatsRegistry();
        final Snapshots snapshots = BenchSnapshots.of(table, registry);
        // One per listener in the data plane: every stream's exchange logs into it.
        final AccessLog accessLog = AccessLog.detached();
        final HttpResponse head = BenchMessages.responseHead();

        final Http2FrameCodec codec = Http2FrameCodecBuilder.forServer().validateHeaders(true).build();
        server = new EmbeddedChannel(codec,
            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>()
            {
                @Override
                protected void initChannel(final Http2StreamChannel stream)
                {
                    stream.config().setAutoRead(false);
                    final Exchange exchange = new Exchange(registry.unclassified(), accessLog);
                    stream.pipeline()
                        .addLast("request-head", new Http2RequestHeadValidator(counters))
                        .addLast("stream-codec", new Http2StreamCodec())
                        .addLast("listener", new Http2StreamListenerHandler(listener, counters))
                        .addLast("respond", new RespondHandler(exchange))
                        .addLast("classify", new ClassifyHandler("bench", snapshots, exchange))
                        .addLast("route", new RouteHandler(exchange, counters))
                        .addLast("upstream", new AnsweringHandler(body, head, exchange));
                }
            }));
        final ByteBuf preface = Unpooled.buffer();
        preface.writeBytes(Http2CodecUtil.connectionPrefaceBuf());
        // An empty SETTINGS frame, then the ACK of the server's.
        preface.writeMedium(0).writeByte(0x4).writeByte(0).writeInt(0);
        preface.writeMedium(0).writeByte(0x4).writeByte(0x1).writeInt(0);
        server.writeInbound(preface);
        BenchMessages.drainOutbound(server);
        headersFrame = requestHeadersFrame();

        final int bytes = exchange();
        if (counters.get(DataPlaneCounter.REQUESTS) != 1 || counters.get(DataPlaneCounter.RESPONSES_2XX) != 1
            || bytes < BenchMessages.BODY_BYTES)
        {
            throw new IllegalStateException("stream not routed and answered: requests "
                + counters.get(DataPlaneCounter.REQUESTS) + ", 2xx " + counters.get(DataPlaneCounter.RESPONSES_2XX)
                + ", response bytes " + bytes);
        }
        for (int i = 0; i < 1_000; i++)
        {
            exchange();
        }
        if (codec.connection().numActiveStreams() != 0 || counters.get(DataPlaneCounter.RESPONSES_2XX) != 1_001)
        {
            throw new IllegalStateException("streams left open: " + codec.connection().numActiveStreams()
                + ", 2xx " + counters.get(DataPlaneCounter.RESPONSES_2XX));
        }
    }

    @TearDown
    public void tearDown()
    {
        server.finishAndReleaseAll();
        headersFrame.release();
        body.release();
    }

    /**
     * @return the response bytes the server wrote.
     */
    @Benchmark
    public int getRoutedAndAnswered()
    {
        return exchange();
    }

    private int exchange()
    {
        headersFrame.setInt(STREAM_ID_OFFSET, streamId);
        streamId += 2;
        BenchMessages.readInbound(server, headersFrame.retainedDuplicate());
        server.runPendingTasks();
        return BenchMessages.drainOutbound(server);
    }

    /**
     * A HEADERS frame (END_STREAM, END_HEADERS) of a GET, its fields encoded without the HPACK dynamic table:
     * indexed {@code :method GET} and {@code :scheme http}, {@code :path} and {@code :authority} literal without
     * indexing with a static-table name, then three regular fields literal without indexing with a new name;
     * then a WINDOW_UPDATE of the connection by one response body (the one before).
     */
    private ByteBuf requestHeadersFrame()
    {
        final ByteBuf block = Unpooled.buffer();
        block.writeByte(0x82).writeByte(0x86);
        literal(block, 4, "/api/v1/orders/4711");
        literal(block, 1, "svc-31.edge-1.mec.example:8080");
        literal(block, "user-agent", "mecmesh-loadgen/0.1");
        literal(block, "accept", "application/json");
        literal(block, "x-request-id", "6f1c2a9e-55a1-4a0e-9d43-1b2c3d4e5f60");
        final ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(FRAME_HEADER_BYTES + block.readableBytes());
        frame.writeMedium(block.readableBytes()).writeByte(0x1).writeByte(0x1 | 0x4).writeInt(1).writeBytes(block);
        block.release();
        // The client reads every response at once: a WINDOW_UPDATE gives the connection's window back.
        frame.writeMedium(4).writeByte(0x8).writeByte(0).writeInt(0).writeInt(BenchMessages.BODY_BYTES);
        return frame;
    }

    private static void literal(final ByteBuf block, final int nameIndex, final String value)
    {
        block.writeByte(nameIndex);
        string(block, value);
    }

    private static void literal(final ByteBuf block, final String name, final String value)
    {
        block.writeByte(0);
        string(block, name);
        string(block, value);
    }

    private static void string(final ByteBuf block, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > 126)
        {
            throw new IllegalArgumentException("longer than one HPACK length byte: " + text);
        }
        block.writeByte(bytes.length).writeBytes(bytes);
    }
}
