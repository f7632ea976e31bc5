package io.mecmesh.perf.loadgen;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * What one run of the load generator does, validated once. Built from the command line by {@link LoadGenOptions}.
 *
 * @param target        the only address contacted.
 * @param ratePerSecond open loop: requests per second over all connections (ignored in closed loop).
 * @param connections   TCP connections.
 * @param durationNs    length of the measurement window.
 * @param warmupNs      load before the measurement window, not measured.
 * @param bodySize      request body bytes; a POST when greater than 0, else a GET.
 * @param http2         HTTP/2 (prior knowledge on cleartext, ALPN {@code h2} on TLS) instead of HTTP/1.1.
 * @param streams       HTTP/2: requests in flight per connection.
 * @param tls           connect with TLS.
 * @param certificate   mTLS: client certificate chain (PEM).
 * @param privateKey    mTLS: client private key (PEM, PKCS#8).
 * @param caBundle      CA certificates that verify the server (PEM); the JDK's trust store when empty.
 * @param closedLoop    each in-flight slot sends its next request as soon as the previous one completes.
 * @param hlogFile      where to write the latency log, one interval per second.
 * @param jsonFile      where to write the JSON summary.
 * @param quiet         no progress line.
 * @param threads       event-loop threads.
 * @param timeoutNs     a request without response after this long counts as a timeout; also the connect timeout
 *                      and how long in-flight requests may drain after the window.
 * @param watchCpu      the core whose busy share is reported per second of the window (the load generator's and
 *                      origin's core), or empty.
 * @param watchPids     processes whose CPU time is reported beside the generator's own (the origin), maybe none.
 */
record LoadGenConfig(
    TargetUrl target,
    double ratePerSecond,
    int connections,
    long durationNs,
    long warmupNs,
    int bodySize,
    boolean http2,
    int streams,
    boolean tls,
    Optional<Path> certificate,
    Optional<Path> privateKey,
    Optional<Path> caBundle,
    boolean closedLoop,
    Optional<Path> hlogFile,
    Optional<Path> jsonFile,
    boolean quiet,
    int threads,
    long timeoutNs,
    OptionalInt watchCpu,
    List<Long> watchPids)
{
    /** Upper bound of one run (warm-up plus window), so that every loop is bounded. */
    static final long MAX_RUN_NS = 24L * 3600 * 1_000_000_000L;

    LoadGenConfig
    {
        requireNonNull(target, "target");
        requireNonNull(certificate, "certificate");
        requireNonNull(privateKey, "privateKey");
        requireNonNull(caBundle, "caBundle");
        requireNonNull(hlogFile, "hlogFile");
        requireNonNull(jsonFile, "jsonFile");
        requireNonNull(watchCpu, "watchCpu");
        watchPids = List.copyOf(requireNonNull(watchPids, "watchPids"));
        if (!closedLoop && !(ratePerSecond > 0 && ratePerSecond <= 10_000_000))
        {
            throw new IllegalArgumentException("rate: must be in (0, 10000000] req/s, got " + ratePerSecond);
        }
        if (connections < 1 || connections > 100_000)
        {
            throw new IllegalArgumentException("connections: must be in [1, 100000], got " + connections);
        }
        if (durationNs <= 0 || warmupNs < 0 || durationNs + warmupNs > MAX_RUN_NS)
        {
            throw new IllegalArgumentException("duration/warmup: duration > 0, warmup >= 0, together <= 24h");
        }
        if (bodySize < 0)
        {
            throw new IllegalArgumentException("body-size: must be >= 0, got " + bodySize);
        }
        if (streams < 1 || (!http2 && streams != 1))
        {
            throw new IllegalArgumentException("streams: must be >= 1, and more than 1 only with --http2");
        }
        if (certificate.isPresent() != privateKey.isPresent())
        {
            throw new IllegalArgumentException("cert/key: give both the client certificate and its key, or neither");
        }
        if (!tls && (certificate.isPresent() || caBundle.isPresent()))
        {
            throw new IllegalArgumentException("cert/key/cacert: need --tls or an https:// url");
        }
        if (tls != target.isHttps() && target.isHttps())
        {
            throw new IllegalArgumentException("tls: an https:// url always uses TLS");
        }
        if (threads < 1 || threads > 256)
        {
            throw new IllegalArgumentException("threads: must be in [1, 256], got " + threads);
        }
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeout: must be > 0");
        }
        if (watchCpu.isPresent() && (watchCpu.getAsInt() < 0 || watchCpu.getAsInt() > 4095))
        {
            throw new IllegalArgumentException("watch-cpu: must be in [0, 4095], got " + watchCpu.getAsInt());
        }
        for (final long pid : watchPids)
        {
            if (pid < 1)
            {
                throw new IllegalArgumentException("watch-pid: must be a process id >= 1, got " + pid);
            }
        }
    }

    /**
     * @return event loops actually used: never more than the connections.
     */
    int eventLoops()
    {
        return Math.min(threads, connections);
    }
}
