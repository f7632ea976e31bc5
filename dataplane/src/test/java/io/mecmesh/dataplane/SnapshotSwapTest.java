package io.mecmesh.dataplane;

import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.Locality;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.error.DataPlaneException;
import io.mecmesh.dataplane.exchange.Snapshot;
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
import io.mecmesh.dataplane.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Routes, classifier, clusters and the per-slice policy table are one snapshot per configuration version: a reader
 * on another thread never sees the routes of one version with the table of another while versions are swapped,
 * a table of another version is refused, and a failed update leaves the whole previous snapshot current.
 */
class SnapshotSwapTest
{
    private static final int SLICE = 1 << 24 | 0x0000A1;
    private static final int SWAPS = 200;

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private DataPlane dataPlane;

    @BeforeEach
    void start()
    {
        dataPlane = DataPlane.start(config(1, List.of(ListenerConfig.of("ingress", "127.0.0.1", 0))), counters);
    }

    @AfterEach
    void stop()
    {
        dataPlane.close();
    }

    @Test
    void shouldNeverPairTheRoutesOfOneVersionWithThePolicyTableOfAnotherWhileSwapping() throws Exception
    {
        final AtomicBoolean swapping = new AtomicBoolean(true);
        final CompletableFuture<long[]> reader = CompletableFuture.supplyAsync(() ->
        {
            long reads = 0;
            long mismatches = 0;
            long lastVersion = 0;
            long versionsSeen = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (swapping.get() && System.nanoTime() - deadline < 0)
            {
                final Snapshot snapshot = dataPlane.snapshot();
                if (snapshot.routes().version() != snapshot.version()
                    || snapshot.version() > 1 && snapshot.policies().version() != snapshot.version())
                {
                    mismatches++;
                }
                if (snapshot.version() != lastVersion)
                {
                    versionsSeen++;
                    lastVersion = snapshot.version();
                }
                reads++;
            }
            return new long[] {reads, mismatches, versionsSeen};
        });
        final List<ListenerConfig> listeners = dataPlane.config().listeners();
        for (int version = 2; version <= SWAPS + 1; version++)
        {
            dataPlane.update(config(version, listeners), policies(version), DataPlane.DEFAULT_DRAIN_MS);
        }
        swapping.set(false);
        final long[] seen = reader.get(60, TimeUnit.SECONDS);

        assertThat(seen[1]).as("snapshots pairing routes and a table of different versions").isZero();
        assertThat(seen[2]).as("versions the reader saw go by").isGreaterThan(1);
        assertThat(dataPlane.snapshot().version()).isEqualTo(SWAPS + 1);
        assertThat(dataPlane.policyTable().version()).isEqualTo(SWAPS + 1);
    }

    @Test
    void shouldRefuseAPolicyTableOfAnotherVersionAndKeepTheRunningSnapshot()
    {
        final Snapshot before = dataPlane.snapshot();

        assertThatThrownBy(() -> dataPlane.update(config(2, dataPlane.config().listeners()), policies(3),
            DataPlane.DEFAULT_DRAIN_MS))
            .isInstanceOf(DataPlaneException.class)
            .hasMessageContaining("policies.version: 3")
            .satisfies(ex -> assertThat(((DataPlaneException)ex).category())
                .isEqualTo(DataPlaneException.Category.CONFIG));
        assertThat(dataPlane.snapshot()).isSameAs(before);
        assertThat(dataPlane.config().version()).isEqualTo(1);
    }

    @Test
    void shouldRestoreTheWholePreviousSnapshotWhenAListenerCannotBind() throws IOException
    {
        dataPlane.update(config(2, dataPlane.config().listeners()), policies(2), DataPlane.DEFAULT_DRAIN_MS);
        final Snapshot before = dataPlane.snapshot();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            final List<ListenerConfig> listeners = List.of(dataPlane.config().listeners().get(0),
                ListenerConfig.of("taken", "127.0.0.1", taken.getLocalPort()));

            assertThatThrownBy(() -> dataPlane.update(config(3, listeners), policies(3), DataPlane.DEFAULT_DRAIN_MS))
                .isInstanceOf(DataPlaneException.class);
        }
        assertThat(dataPlane.snapshot()).as("routes, classifier, clusters and table of version 2").isSameAs(before);
        assertThat(dataPlane.policyTable().version()).isEqualTo(2);
        assertThat(dataPlane.config().version()).isEqualTo(2);
    }

    private static MeshConfig config(final long version, final List<ListenerConfig> listeners)
    {
        final RouteConfig route = new RouteConfig("r", RouteMatch.prefix("*", "/"),
            new RouteAction.Forward(List.of(new WeightedCluster("backend", 1)), 1_000, 0, RetryPolicy.NONE),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL).withPolicyRouteId(7);
        return new MeshConfig(version, TransportKind.AUTO, 1, Locality.UNKNOWN, listeners, List.of(route),
            List.of(ClusterConfig.of("backend", List.of(new Endpoint("127.0.0.1", 9)))));
    }

    private static PolicyTable policies(final long version)
    {
        return new PolicyTableWriter(1)
            .add(new SlicePolicy(SLICE, 7, 9, 46, 0, 0, 0, TimeUnit.MILLISECONDS.toNanos(200), 0, 10, 0))
            .build(version);
    }
}
