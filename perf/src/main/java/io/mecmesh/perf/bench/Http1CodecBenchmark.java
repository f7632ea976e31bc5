package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.listener.ListenerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 decoding and encoding through Netty's {@link HttpServerCodec} in an {@link EmbeddedChannel}, configured
 * as the data plane's listener configures it (validated headers, 8 KiB request line, 16 KiB of headers).
 *
 * <ul>
 *   <li>{@link #exchange}: one request decoded and its response encoded by one {@code HttpServerCodec}, the
 *   codec's whole work per request on a keep-alive connection.</li>
 *   <li>{@link #decodeRequest}: the bytes of a 250-byte keep-alive GET in one buffer → the request head and its
 *   empty last content, which are released. Through {@link HttpRequestDecoder}, the class the codec's inbound half
 *   extends: the codec itself refuses more than 128 requests in a row without a response (pipelining limit).</li>
 *   <li>{@link #encodeResponse}: a 200 response with seven headers and a 1 KiB body (a retained duplicate of one
 *   direct buffer, so the body is not copied by the benchmark) → the bytes written, which are released.</li>
 * </ul>
 * Leaves out the socket read/write and the pipeline stages after the codec.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class Http1CodecBenchmark
{
    private EmbeddedChannel decoder;
    private EmbeddedChannel encoder;
    private EmbeddedChannel codec;
    private ByteBuf request;
    private ByteBuf body;

    @Setup
    public void setUp()
    {
        decoder = new EmbeddedChannel(new HttpRequestDecoder(decoderConfig()));
        codec = new EmbeddedChannel(new HttpServerCodec(decoderConfig()));
        encoder = new EmbeddedChannel(new HttpServerCodec(decoderConfig()));
        request = new BenchMessages(PooledByteBufAllocator.DEFAULT).requestBytes();
        body = new BenchMessages(PooledByteBufAllocator.DEFAULT).body();

        decoder.writeInbound(request.retainedDuplicate());
        final Object head = decoder.readInbound();
        final Object last = decoder.readInbound();
        try
        {
            if (!(head instanceof HttpRequest) || !(last instanceof LastHttpContent)
                || ((HttpRequest)head).decoderResult().isFailure())
            {
                throw new IllegalStateException("request not decoded: " + head + ", " + last);
            }
        }
        finally
        {
            ReferenceCountUtil.release(head);
            ReferenceCountUtil.release(last);
        }
        encoder.writeOutbound(BenchMessages.response(body.retainedDuplicate()));
        final ByteBuf first = encoder.readOutbound();
        try
        {
            if (!BenchMessages.firstLine(first).equals("HTTP/1.1 200 OK"))
            {
                throw new IllegalStateException("response not encoded: " + BenchMessages.firstLine(first));
            }
        }
        finally
        {
            first.release();
        }
        BenchMessages.drainOutbound(encoder);
        if (exchange(null) < BenchMessages.BODY_BYTES)
        {
            throw new IllegalStateException("exchange wrote no response");
        }
    }

    @TearDown
    public void tearDown()
    {
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        codec.finishAndReleaseAll();
        request.release();
        body.release();
    }

    @Benchmark
    public int exchange(final Blackhole blackhole)
    {
        codec.writeInbound(request.retainedDuplicate());
        drainInbound(codec, blackhole);
        codec.writeOutbound(BenchMessages.response(body.retainedDuplicate()));
        return BenchMessages.drainOutbound(codec);
    }

    @Benchmark
    public void decodeRequest(final Blackhole blackhole)
    {
        decoder.writeInbound(request.retainedDuplicate());
        drainInbound(decoder, blackhole);
    }

    @Benchmark
    public int encodeResponse()
    {
        encoder.writeOutbound(BenchMessages.response(body.retainedDuplicate()));
        return BenchMessages.drainOutbound(encoder);
    }

    private static void drainInbound(final EmbeddedChannel channel, final Blackhole blackhole)
    {
        Object msg;
        while ((msg = channel.readInbound()) != null)
        {
            if (msg instanceof HttpRequest && blackhole != null)
            {
                blackhole.consume(((HttpRequest)msg).headers());
            }
            if (msg instanceof HttpContent)
            {
                ((HttpContent)msg).release();
            }
        }
    }

    /**
     * The listener's decoder settings with the default limits: a copy of {@code PipelineAssembler.decoderConfig},
     * which is package-private in dataplane (keep the two in step).
     */
    static HttpDecoderConfig decoderConfig()
    {
        return new HttpDecoderConfig()
            .setMaxInitialLineLength(ListenerConfig.DEFAULT_MAX_REQUEST_LINE_BYTES)
            .setMaxHeaderSize(ListenerConfig.DEFAULT_MAX_HEADER_BYTES)
            .setMaxChunkSize(16 * 1024)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
    }
}
