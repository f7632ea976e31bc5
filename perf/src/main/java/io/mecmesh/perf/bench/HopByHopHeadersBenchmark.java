package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.http.HopByHopHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
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
 * Header rewriting: {@link HopByHopHeaders#remove}, run on every request and response the proxy forwards.
 *
 * <p>The removal works in place, so each operation first copies a template (the headers of a decoded request);
 * {@link #copyOnly} measures that copy alone: subtract it from the others for the cost of the removal itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HopByHopHeadersBenchmark
{
    private HttpHeaders keepAliveRequest;
    private HttpHeaders listedTokensRequest;

    @Setup
    public void setUp()
    {
        keepAliveRequest = requestHeaders("keep-alive");
        listedTokensRequest = requestHeaders("keep-alive, x-trace-hop, x-debug");
        listedTokensRequest.set("keep-alive", "timeout=5").set("x-trace-hop", "1").set("x-debug", "on");
        final HttpHeaders check = listedTokensRequest.copy();
        HopByHopHeaders.remove(check);
        if (check.contains("connection") || check.contains("x-trace-hop") || check.contains("keep-alive")
            || !check.contains("host"))
        {
            throw new IllegalStateException("hop-by-hop headers not removed: " + check);
        }
    }

    @Benchmark
    public HttpHeaders copyOnly()
    {
        return keepAliveRequest.copy();
    }

    /** The common case: {@code Connection: keep-alive}, nothing else hop-by-hop. */
    @Benchmark
    public HttpHeaders removeFromKeepAliveRequest()
    {
        final HttpHeaders headers = keepAliveRequest.copy();
        HopByHopHeaders.remove(headers);
        return headers;
    }

    /** {@code Connection} lists three tokens (split on commas, each removed), plus {@code Keep-Alive}. */
    @Benchmark
    public HttpHeaders removeListedTokens()
    {
        final HttpHeaders headers = listedTokensRequest.copy();
        HopByHopHeaders.remove(headers);
        return headers;
    }

    private static HttpHeaders requestHeaders(final String connection)
    {
        return DefaultHttpHeadersFactory.headersFactory().newHeaders()
            .set("host", "svc-3.edge-1.mec.example:15001")
            .set("user-agent", "mecmesh-loadgen/0.1")
            .set("accept", "application/json")
            .set("accept-encoding", "gzip, deflate")
            .set("connection", connection)
            .set("x-request-id", "6f1c2a9e-55a1-4a0e-9d43-1b2c3d4e5f60");
    }
}
