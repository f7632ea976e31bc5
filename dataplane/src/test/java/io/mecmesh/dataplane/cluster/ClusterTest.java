package io.mecmesh.dataplane.cluster;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The balancer, locality preference and outlier ejection, driven with a clock advanced by hand.
 */
class ClusterTest
{
    private static final Locality SITE_A = new Locality("site-a", "metro-1");
    private static final Locality SITE_B = new Locality("site-b", "metro-1");
    private static final Locality SITE_C = new Locality("site-c", "metro-2");

    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);

    private Cluster cluster(final LbPolicy policy, final String hashHeader, final List<Endpoint> endpoints,
        final Locality local)
    {
        return Cluster.resolve(new ClusterConfig("c", endpoints, 1000, 8, 60_000, policy, hashHeader, 70,
            new OutlierDetection(3, 10_000, 50), java.util.Optional.empty()), local, nowNs::get);
    }

    private static Endpoint endpoint(final String host, final Locality locality, final int weight)
    {
        return new Endpoint(host, 8080, locality, weight);
    }

    private static Map<String, Integer> distribution(final Cluster cluster, final int picks)
    {
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++)
        {
            counts.merge(cluster.pick().endpoint().host(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void shouldSpreadRoundRobinEvenlyByWeight()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1), endpoint("198.51.100.3", SITE_B, 2)),
            SITE_A);

        final Map<String, Integer> counts = distribution(cluster, 4000);

        assertThat(counts).containsEntry("198.51.100.1", 1000).containsEntry("198.51.100.2", 1000)
            .containsEntry("198.51.100.3", 2000);
    }

    @Test
    void shouldPreferTheLessBusyEndpointWithLeastRequest()
    {
        final Cluster cluster = cluster(LbPolicy.LEAST_REQUEST, "", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1)), SITE_A);
        final EndpointState busy = cluster.endpoints().get(0);
        for (int i = 0; i < 50; i++)
        {
            cluster.onAttemptStart(busy);
        }

        final Map<String, Integer> counts = distribution(cluster, 1000);

        assertThat(counts.getOrDefault("198.51.100.2", 0)).as("picks of the idle endpoint").isGreaterThan(700);
    }

    @Test
    void shouldSendTheSameKeyToTheSameEndpointWithRingHash()
    {
        final Cluster cluster = cluster(LbPolicy.RING_HASH, "x-user", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1), endpoint("198.51.100.3", SITE_B, 1)),
            SITE_A);
        final Map<String, String> firstChoice = new HashMap<>();
        final Map<String, Integer> spread = new HashMap<>();
        for (int user = 0; user < 3000; user++)
        {
            final String key = "user-" + user;
            final String host = cluster.pick(key, null).endpoint().host();
            firstChoice.put(key, host);
            spread.merge(host, 1, Integer::sum);
        }

        for (int user = 0; user < 3000; user++)
        {
            assertThat(cluster.pick("user-" + user, null).endpoint().host()).isEqualTo(firstChoice.get("user-" + user));
        }
        assertThat(spread.values()).allSatisfy(count -> assertThat(count).isCloseTo(1000, within(250)));
    }

    @Test
    void shouldMoveOnlyTheKeysOfAnEjectedEndpointWithRingHash()
    {
        final Cluster cluster = cluster(LbPolicy.RING_HASH, "x-user", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1), endpoint("198.51.100.3", SITE_B, 1)),
            SITE_A);
        final Map<String, String> before = new HashMap<>();
        for (int user = 0; user < 1000; user++)
        {
            before.put("user-" + user, cluster.pick("user-" + user, null).endpoint().host());
        }
        final EndpointState ejected = cluster.endpoints().get(0);
        failTimes(cluster, ejected, 3);

        for (final Map.Entry<String, String> entry : before.entrySet())
        {
            final String now = cluster.pick(entry.getKey(), null).endpoint().host();
            if (!entry.getValue().equals("198.51.100.1"))
            {
                assertThat(now).as("key %s of a healthy endpoint", entry.getKey()).isEqualTo(entry.getValue());
            }
            else
            {
                assertThat(now).isNotEqualTo("198.51.100.1");
            }
        }
    }

    @Test
    void shouldKeepTrafficInTheLocalSiteWhileItIsHealthy()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_A, 1), endpoint("198.51.100.2", SITE_A, 1),
            endpoint("198.51.100.3", SITE_B, 1), endpoint("198.51.100.4", SITE_C, 1)), SITE_A);

        assertThat(distribution(cluster, 100).keySet()).containsExactlyInAnyOrder("198.51.100.1", "198.51.100.2");
    }

    @Test
    void shouldSpillToTheZoneThenAnywhereWhenTheLocalSiteIsUnhealthy()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_A, 1), endpoint("198.51.100.2", SITE_A, 1),
            endpoint("198.51.100.3", SITE_B, 1), endpoint("198.51.100.4", SITE_C, 1)), SITE_A);

        failTimes(cluster, cluster.endpoints().get(0), 3);

        assertThat(distribution(cluster, 300).keySet())
            .as("half of site A is healthy, below 70%: the zone's site B joins")
            .containsExactlyInAnyOrder("198.51.100.2", "198.51.100.3");
    }

    @Test
    void shouldEjectAfterConsecutiveFailuresAndReturnAfterTheEjectionTime()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1)), SITE_A);
        final EndpointState flaky = cluster.endpoints().get(0);

        failTimes(cluster, flaky, 2);
        assertThat(flaky.isEjected(nowNs.get())).as("two failures, threshold three").isFalse();
        failTimes(cluster, flaky, 1);
        assertThat(flaky.isEjected(nowNs.get())).isTrue();
        assertThat(distribution(cluster, 20).keySet()).containsExactly("198.51.100.2");

        nowNs.addAndGet(10_000_000_000L);
        assertThat(flaky.isEjected(nowNs.get())).isFalse();
        assertThat(distribution(cluster, 20).keySet()).containsExactlyInAnyOrder("198.51.100.1", "198.51.100.2");

        failTimes(cluster, flaky, 3);
        nowNs.addAndGet(10_000_000_000L);
        assertThat(flaky.isEjected(nowNs.get())).as("a second ejection lasts twice as long").isTrue();
    }

    @Test
    void shouldNotEjectMoreThanTheMaximumShare()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1)), SITE_A);

        failTimes(cluster, cluster.endpoints().get(0), 3);
        failTimes(cluster, cluster.endpoints().get(1), 3);

        assertThat(cluster.endpoints().get(1).isEjected(nowNs.get())).as("50% are ejected already").isFalse();
    }

    @Test
    void shouldResetTheFailureCountOnSuccess()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1)), SITE_A);
        final EndpointState state = cluster.endpoints().get(0);

        failTimes(cluster, state, 2);
        cluster.onAttemptStart(state);
        cluster.onSuccess(state, 1_000_000);
        failTimes(cluster, state, 2);

        assertThat(state.isEjected(nowNs.get())).isFalse();
        assertThat(state.activeRequests()).isZero();
    }

    @Test
    void shouldAvoidTheEndpointARetryFailedOn()
    {
        final Cluster cluster = cluster(LbPolicy.ROUND_ROBIN, "", List.of(
            endpoint("198.51.100.1", SITE_B, 1), endpoint("198.51.100.2", SITE_B, 1)), SITE_A);
        final EndpointState failed = cluster.endpoints().get(0);

        for (int i = 0; i < 20; i++)
        {
            assertThat(cluster.pick(null, failed)).isNotSameAs(failed);
        }
    }

    private static void failTimes(final Cluster cluster, final EndpointState state, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            cluster.onAttemptStart(state);
            cluster.onFailure(state);
        }
    }
}
