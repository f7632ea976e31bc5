package io.mecmesh.dataplane.classify;

import io.mecmesh.dataplane.DataPlane;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.testing.RawHttp;
import io.mecmesh.dataplane.testing.TestBackend;
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classify stage and the per-slice policy table on the request path, end to end on loopback: a request from a
 * slice's source prefix or with a slice's header is classified into it and runs with the slice policy's timeout
 * (200 ms) instead of its route's (15 s); unclassified traffic keeps the route's own settings.
 */
class ClassificationIntegrationTest
{
    private static final int EMBB = 1 << 24 | 0x0000A1;
    private static final int URLLC = 2 << 24 | 0x0000B2;
    private static final int ROUTE_ID = 7;
    private static final long ROUTE_TIMEOUT_MS = 15_000;

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private TestBackend backend;
    private DataPlane dataPlane;
    private InetAddress ueAddress;
    private MeshConfig config;

    @BeforeEach
    void start() throws IOException
    {
        ueAddress = InetAddress.getByName("127.0.0.2");
        backend = new TestBackend("slow");
        final RouteConfig route = new RouteConfig("r", RouteMatch.prefix("*", "/"),
            new RouteAction.Forward(List.of(new WeightedCluster("slow", 1)), ROUTE_TIMEOUT_MS, 0, RetryPolicy.NONE),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL).withPolicyRouteId(ROUTE_ID);
        final RouteConfig retried = new RouteConfig("retried", RouteMatch.prefix("*", "/status/"),
            new RouteAction.Forward(List.of(new WeightedCluster("slow", 1)), ROUTE_TIMEOUT_MS, 0, RetryPolicy.DEFAULT),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL).withPolicyRouteId(ROUTE_ID + 1);
        config = new MeshConfig(1, TransportKind.AUTO, 1, Locality.UNKNOWN,
            List.of(ListenerConfig.of("ingress", "127.0.0.1", 0)), List.of(retried, route),
            List.of(ClusterConfig.of("slow", List.of(new Endpoint("127.0.0.1", backend.port())))))
            .withClassification(new ClassificationConfig(List.of(
                ClassificationRule.sourceCidrs(EMBB, "127.0.0.2/32"),
                ClassificationRule.header(URLLC, "x-slice", "urllc"))));
        dataPlane = DataPlane.start(config, counters);
    }

    @AfterEach
    void stop()
    {
        if (dataPlane != null)
        {
            dataPlane.close();
        }
        backend.close();
    }

    /** EMBB: a slice default record of 200 ms; URLLC: a record for the route, 250 ms. */
    private static PolicyTable slicePolicies(final long version)
    {
        return new PolicyTableWriter(4)
            .add(policy(EMBB, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 200))
            .add(policy(URLLC, ROUTE_ID, 250))
            .add(policy(URLLC, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 14_000))
            .build(version);
    }

    private static SlicePolicy policy(final int sliceId, final int routeId, final long timeoutMs)
    {
        return new SlicePolicy(sliceId, routeId, 9, 46, 0, 0, 0, TimeUnit.MILLISECONDS.toNanos(timeoutMs), 0, 10, 0);
    }

    private RawHttp.Response get(final InetAddress from, final String path, final String extraHeader)
        throws IOException
    {
        try (RawHttp client = new RawHttp(dataPlane.listenerAddress("ingress"), from))
        {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: app\r\n" + extraHeader + "\r\n").read();
        }
    }

    @Test
    void shouldApplyTheSliceDefaultTimeoutToRequestsFromTheSlicesSourcePrefix() throws IOException
    {
        dataPlane.publishPolicyTable(slicePolicies(1));

        final long start = System.nanoTime();
        final RawHttp.Response response = get(ueAddress, "/delay/3000", "");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.status()).isEqualTo(504);
        assertThat(elapsedMs).as("the slice's 200 ms, not the route's 15 s nor the backend's 3 s")
            .isGreaterThanOrEqualTo(190).isLessThan(2500);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_TIMEOUTS)).isEqualTo(1);
        final SliceStats embb = dataPlane.sliceStats().slice(EMBB);
        assertThat(embb.requests()).isEqualTo(1);
        assertThat(embb.policyHits()).isEqualTo(1);
        assertThat(embb.policyMisses()).isZero();
        assertThat(dataPlane.sliceStats().unclassified().requests()).isZero();
        assertThat(dataPlane.sliceStats().slice(URLLC).requests()).as("the rule wins over the route's slice")
            .isZero();
    }

    @Test
    void shouldApplyTheRoutesRecordToRequestsClassifiedByHeader() throws IOException
    {
        dataPlane.publishPolicyTable(slicePolicies(1));

        final long start = System.nanoTime();
        final RawHttp.Response response = get(InetAddress.getLoopbackAddress(), "/delay/3000", "x-slice: urllc\r\n");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.status()).isEqualTo(504);
        assertThat(elapsedMs).as("the (slice, route) record's 250 ms wins over the slice default's 14 s")
            .isGreaterThanOrEqualTo(240).isLessThan(2500);
        assertThat(dataPlane.sliceStats().slice(URLLC).requests()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(URLLC).policyHits()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(EMBB).requests()).isZero();
    }

    @Test
    void shouldClassifyHttp2StreamsByTheirConnectionsSourceAndTheirOwnHeaders() throws Exception
    {
        dataPlane.publishPolicyTable(slicePolicies(1));
        final String url = "http://127.0.0.1:" + dataPlane.listenerAddress("ingress").getPort() + "/delay/3000";

        final String fromUe = run("curl", "--http2-prior-knowledge", "-sS", "-o", "/dev/null", "-w",
            "%{http_version} %{http_code}", "--max-time", "20", "--interface", "127.0.0.2", url);
        // Four streams, two at a time, on one connection: the connection is resolved once, each stream classified.
        final String byHeader = run("h2load", "-n", "4", "-c", "1", "-m", "2", "-t", "1", "-H", "x-slice: urllc", url);

        assertThat(fromUe).isEqualTo("2 504");
        assertThat(byHeader).as("h2load counts a 5xx as failed").contains("4 done, 0 succeeded, 4 failed, 0 errored")
            .contains("status codes: 0 2xx, 0 3xx, 0 4xx, 4 5xx");
        assertThat(dataPlane.sliceStats().slice(EMBB).requests()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(EMBB).policyHits()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(URLLC).requests()).isEqualTo(4);
        assertThat(dataPlane.sliceStats().slice(URLLC).policyHits()).isEqualTo(4);
        assertThat(dataPlane.sliceStats().unclassified().requests()).isZero();
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_TIMEOUTS)).isEqualTo(5);
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

    @Test
    void shouldKeepTheRoutesOwnSettingsForTrafficOfNoRuleOnARouteOfNoSlice() throws IOException
    {
        dataPlane.publishPolicyTable(new PolicyTableWriter(2)
            .add(policy(EMBB, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 200))
            .build(1));

        final RawHttp.Response response = get(InetAddress.getLoopbackAddress(), "/delay/600", "x-slice: embb\r\n");

        assertThat(response.status()).as("600 ms is within the route's 15 s").isEqualTo(200);
        assertThat(response.body()).isEqualTo("slow GET /delay/600");
        assertThat(dataPlane.sliceStats().unclassified().requests()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().unclassified().policyMisses()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slices()).extracting(SliceStats::sliceText)
            .containsExactly("unclassified", "1-0000a1", "2-0000b2");
    }

    @Test
    void shouldPutARequestNoRuleMatchesIntoTheSliceOfItsRoute() throws IOException
    {
        dataPlane.publishPolicyTable(slicePolicies(1));

        final long start = System.nanoTime();
        final RawHttp.Response response = get(InetAddress.getLoopbackAddress(), "/delay/3000", "");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.status()).isEqualTo(504);
        assertThat(elapsedMs).as("route 7's record is URLLC's (250 ms): the route's slice applies, not its 15 s")
            .isGreaterThanOrEqualTo(240).isLessThan(2500);
        assertThat(dataPlane.sliceStats().slice(URLLC).requests()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(URLLC).policyHits()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().unclassified().requests()).as("moved out of unclassified").isZero();
    }

    @Test
    void shouldPutARequestOfNoRuleOnARouteOfNoSliceIntoTheDefaultSlice() throws IOException
    {
        dataPlane.close();
        dataPlane = DataPlane.start(config.withClassification(config.classification().withDefaultSliceId(EMBB)),
            counters);
        dataPlane.publishPolicyTable(slicePolicies(1));

        final RawHttp.Response noSliceRoute = get(InetAddress.getLoopbackAddress(), "/status/503", "");
        final int tries = backend.requestLines().size();
        final long start = System.nanoTime();
        final RawHttp.Response sliceRoute = get(InetAddress.getLoopbackAddress(), "/delay/3000", "");
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(noSliceRoute.status()).isEqualTo(503);
        assertThat(tries).as("the default slice eMBB's record: no retry (the route's own policy retries twice)")
            .isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(EMBB).requests()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().slice(EMBB).policyHits()).isEqualTo(1);
        assertThat(sliceRoute.status()).isEqualTo(504);
        assertThat(elapsedMs).as("the route's slice (URLLC, 250 ms) wins over the default slice (200 ms)")
            .isGreaterThanOrEqualTo(240).isLessThan(2500);
        assertThat(dataPlane.sliceStats().slice(URLLC).requests()).isEqualTo(1);
        assertThat(dataPlane.sliceStats().unclassified().requests()).isZero();
    }

    @Test
    void shouldTakeTheRetriesPerRequestFromTheSlicePolicy() throws IOException
    {
        dataPlane.publishPolicyTable(slicePolicies(1));

        final RawHttp.Response unclassified = get(InetAddress.getLoopbackAddress(), "/status/503", "");
        final int afterUnclassified = backend.requestLines().size();
        final RawHttp.Response fromUe = get(ueAddress, "/status/503", "");

        assertThat(unclassified.status()).isEqualTo(503);
        assertThat(afterUnclassified).as("the route's policy: 1 try + 2 retries on 503").isEqualTo(3);
        assertThat(fromUe.status()).isEqualTo(503);
        assertThat(backend.requestLines().size() - afterUnclassified).as("the eMBB policy: no retry").isEqualTo(1);
    }

    @Test
    void shouldApplyANewlyPublishedTableToNewRequestsUnderLoad() throws Exception
    {
        assertThat(dataPlane.policyTable().recordCount()).as("no table before the first publication").isZero();
        final ExecutorService clients = Executors.newFixedThreadPool(4);
        try
        {
            final List<Future<List<long[]>>> results = new ArrayList<>();
            final long publishAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            for (int c = 0; c < 4; c++)
            {
                results.add(clients.submit(() -> load(publishAt + TimeUnit.MILLISECONDS.toNanos(2500))));
            }
            while (System.nanoTime() - publishAt < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            // A request that reaches the data plane while the call runs may see either table: judged by neither.
            final long publishing = System.nanoTime();
            dataPlane.publishPolicyTable(slicePolicies(2));
            final long published = System.nanoTime();

            int before = 0;
            int after = 0;
            for (final Future<List<long[]>> result : results)
            {
                for (final long[] exchange : result.get(30, TimeUnit.SECONDS))
                {
                    final long sentNs = exchange[0];
                    final long receivedNs = exchange[1];
                    final int status = (int)exchange[2];
                    if (receivedNs - publishing < 0)
                    {
                        assertThat(status).as("answered before the table was published: the route's 15 s")
                            .isEqualTo(200);
                        before++;
                    }
                    else if (sentNs - published > 0)
                    {
                        assertThat(status).as("sent after the table was published: the slice's 200 ms")
                            .isEqualTo(504);
                        after++;
                    }
                }
            }
            assertThat(before).isPositive();
            assertThat(after).isPositive();
            assertThat(dataPlane.sliceStats().slice(EMBB).policyHits()).isGreaterThanOrEqualTo(after);
            assertThat(dataPlane.sliceStats().slice(EMBB).policyMisses()).isGreaterThanOrEqualTo(before);
        }
        finally
        {
            clients.shutdownNow();
        }
    }

    /** Requests from the slice's source prefix, one at a time on new connections, until {@code untilNs}. */
    private List<long[]> load(final long untilNs) throws IOException
    {
        final List<long[]> exchanges = new ArrayList<>();
        for (int i = 0; i < 100 && System.nanoTime() - untilNs < 0; i++)
        {
            final long sent = System.nanoTime();
            final RawHttp.Response response = get(ueAddress, "/delay/400", "");
            exchanges.add(new long[] {sent, System.nanoTime(), response.status()});
        }
        return exchanges;
    }

}
