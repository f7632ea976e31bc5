package io.mecmesh.perf.bench;

import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteTable;
import io.netty.handler.codec.http.DefaultHttpRequest;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Route lookup ({@link RouteTable#find}), the request classification that runs once per request head: a table of
 * 32 virtual hosts with 4 path prefixes each, plus 2 routes for any host.
 *
 * <p>Measures the lookup alone, with the authority and path already decoded as the route stage sees them
 * ({@code Host} header value with a port, origin-form path). Leaves out header decoding and the attribute write.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouteTableBenchmark
{
    static final int HOSTS = 32;

    // Inputs in fields, not constants, so that the JIT cannot fold the lookup.
    private String lastHostAuthority = "SVC-31.edge-1.mec.example:8080";
    private String lastHostPath = "/api/v1/orders/4711";
    private String firstHostAuthority = "svc-0.edge-1.mec.example";
    private String firstHostPath = "/index.html";
    private String unknownAuthority = "unknown.example:443";
    private String unknownPath = "/healthz";
    private RouteTable table;
    private RequestHead request;

    /**
     * The table the request-path benchmarks route with: {@link #HOSTS} hosts with {@code /} and {@code /api/}.
     *
     * @return the table.
     */
    static RouteTable requestPathTable()
    {
        final Cluster cluster = Cluster.resolve(ClusterConfig.of("local-app", List.of(new Endpoint("127.0.0.1", 8080))));
        final List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++)
        {
            final String host = "svc-" + i + ".edge-1.mec.example";
            routes.add(new RouteConfig(host, "/", "local-app"));
            routes.add(new RouteConfig(host, "/api/", "local-app"));
        }
        return RouteTable.build(routes, Map.of("local-app", cluster));
    }

    @Setup
    public void setUp()
    {
        final Cluster cluster = Cluster.resolve(ClusterConfig.of("local-app", List.of(new Endpoint("127.0.0.1", 8080))));
        final List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++)
        {
            final String host = "svc-" + i + ".edge-1.mec.example";
            routes.add(new RouteConfig(host, "/", "local-app"));
            routes.add(new RouteConfig(host, "/api/", "local-app"));
            routes.add(new RouteConfig(host, "/api/v1/", "local-app"));
            routes.add(new RouteConfig(host, "/api/v1/orders/", "local-app"));
        }
        routes.add(new RouteConfig(RouteConfig.ANY_HOST, "/healthz", "local-app"));
        routes.add(new RouteConfig(RouteConfig.ANY_HOST, "/", "local-app"));
        table = RouteTable.build(routes, Map.of("local-app", cluster));
        final HttpRequest netty = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, lastHostPath);
        netty.headers().set("host", lastHostAuthority);
        request = new NettyRequestHead().wrap(netty);
        if (table.find(request, lastHostAuthority, lastHostPath) != table.find(lastHostAuthority, lastHostPath))
        {
            throw new IllegalStateException("lookup with and without the request head disagree");
        }
    }

    /**
     * The last virtual host, mixed case, with a port: every host before it is compared and rejected by length
     * or by content, then the longest of four prefixes matches.
     */
    @Benchmark
    public Route findLastHostLongestPrefix()
    {
        return table.find(lastHostAuthority, lastHostPath);
    }

    /**
     * As {@link #findLastHostLongestPrefix}, with the request head, as the route stage calls it (routes may match
     * on method and headers; none of these do).
     */
    @Benchmark
    public Route findLastHostWithRequestHead()
    {
        return table.find(request, lastHostAuthority, lastHostPath);
    }

    /** The first virtual host, shortest prefix: the cheap case. */
    @Benchmark
    public Route findFirstHostRootPrefix()
    {
        return table.find(firstHostAuthority, firstHostPath);
    }

    /** An unknown host: every virtual host is rejected, then the any-host routes match. */
    @Benchmark
    public Route findUnknownHostFallsBackToAnyHost()
    {
        return table.find(unknownAuthority, unknownPath);
    }
}
