package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.stage.classify.ClassifyHandler;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.Http2StreamListenerHandler;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.stage.respond.RespondHandler;
import io.mecmesh.dataplane.stage.route.RouteHandler;
import io.mecmesh.dataplane.route.RouteTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
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
 * The downstream HTTP/2 request path through the data plane's stream stages, on {@link EmbeddedChannel}s: a client
 * HTTP/2 codec opens a stream and sends a GET whose headers end it; the server side runs Netty's HTTP/2 frame codec
 * and multiplexer and, per stream, the frame-to-HTTP conversion, {@link Http2StreamListenerHandler} and
 * {@link RouteHandler}, then a handler that answers 1 KiB in place of the upstream stage. Measures one whole stream
 * (open, request frames, response frames, close) including both sides' frame coding; leaves out sockets, TLS and
 * the upstream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class Http2RequestPathBenchmark
{
    private EmbeddedChannel server;
    private EmbeddedChannel client;
    private DataPlaneCounters counters;
    private ByteBuf body;
    private ResponseSink sink;
    private Http2Headers requestHeaders;

    @Setup
    public void setUp()
    {
        final RouteTable table = RouteTableBenchmark.requestPathTable();
        body = new BenchMessages(PooledByteBufAllocator.DEFAULT).body();
        counters = new DataPlaneCounters();
        final ListenerConfig listener = ListenerConfig.of("bench", "127.0.0.1", 0);
        final SliceStatsRegistry registry = new SliceStatsRegistry();
        final Snapshots snapshots = BenchSnapshots.of(table, registry);

        server = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(),
            new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>()
            {
                @Override
                protected void initChannel(final Http2StreamChannel stream)
                {
                    stream.config().setAutoRead(false);
                    final Exchange exchange = new Exchange(registry.unclassified());
                    stream.pipeline()
                        .addLast(new Http2StreamFrameToHttpObjectCodec(true, true))
                        .addLast(new Http2StreamListenerHandler(listener, counters))
                        .addLast(new RespondHandler(exchange))
                        .addLast(new ClassifyHandler("bench", snapshots, exchange))
                        .addLast(new RouteHandler(exchange, counters))
                        .addLast(new AnsweringHandler(body, exchange));
                }
            }));
        sink = new ResponseSink();
        client = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(), new Http2MultiplexHandler(sink));
        settle();
        requestHeaders = new DefaultHttp2Headers().method("GET").scheme("http").path("/api/v1/orders/4711")
            .authority("svc-31.edge-1.mec.example:8080");

        final int bytes = exchange();
        if (counters.get(DataPlaneCounter.REQUESTS) != 1 || counters.get(DataPlaneCounter.RESPONSES_2XX) != 1
            || bytes < BenchMessages.BODY_BYTES)
        {
            throw new IllegalStateException("stream not routed and answered: requests "
                + counters.get(DataPlaneCounter.REQUESTS) + ", 2xx " + counters.get(DataPlaneCounter.RESPONSES_2XX)
                + ", response body bytes " + bytes);
        }
    }

    @TearDown
    public void tearDown()
    {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
        body.release();
    }

    /**
     * @return the response body bytes the client received.
     */
    @Benchmark
    public int getRoutedAndAnswered()
    {
        return exchange();
    }

    private int exchange()
    {
        sink.bodyBytes = 0;
        final Http2StreamChannel stream = new Http2StreamChannelBootstrap(client).handler(sink).open().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(requestHeaders, true));
        settle();
        return sink.bodyBytes;
    }

    /** Moves bytes both ways until neither side has anything more to say. */
    private void settle()
    {
        for (int round = 0; round < 16; round++)
        {
            client.runPendingTasks();
            server.runPendingTasks();
            final boolean moved = shuttle(client, server) | shuttle(server, client);
            if (!moved)
            {
                return;
            }
        }
    }

    private static boolean shuttle(final EmbeddedChannel from, final EmbeddedChannel to)
    {
        boolean moved = false;
        ByteBuf bytes;
        while ((bytes = from.readOutbound()) != null)
        {
            moved = true;
            to.writeInbound(bytes);
        }
        return moved;
    }

    /** The client streams' handler: counts the response body and releases every frame. */
    @ChannelHandler.Sharable
    private static final class ResponseSink extends ChannelInboundHandlerAdapter
    {
        int bodyBytes;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof Http2DataFrame data)
            {
                bodyBytes += data.content().readableBytes();
            }
            if (msg instanceof Http2StreamFrame frame && frame.stream() != null && msg instanceof Http2DataFrame data
                && data.isEndStream())
            {
                ctx.close();
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
