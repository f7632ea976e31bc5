package io.mecmesh.dataplane.cluster;

import io.mecmesh.dataplane.counters.Overflow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CircuitBreakersTest
{
    private final Cluster cluster = Cluster.resolve(ClusterConfig.of("c", List.of(new Endpoint("127.0.0.1", 8080)))
        .withCircuitBreakers(new CircuitBreakers(1, 2, 3, 0)));

    @Test
    void shouldRefuseASlotOverEachLimitAndCountIt()
    {
        assertThat(cluster.tryAcquire(Overflow.CONNECTIONS)).isTrue();
        assertThat(cluster.tryAcquire(Overflow.CONNECTIONS)).isFalse();
        assertThat(cluster.tryAcquire(Overflow.PENDING)).isTrue();
        assertThat(cluster.tryAcquire(Overflow.PENDING)).isTrue();
        assertThat(cluster.tryAcquire(Overflow.PENDING)).isFalse();
        for (int i = 0; i < 3; i++)
        {
            assertThat(cluster.tryAcquire(Overflow.REQUESTS)).isTrue();
        }
        assertThat(cluster.tryAcquire(Overflow.REQUESTS)).isFalse();
        assertThat(cluster.tryAcquire(Overflow.RETRIES)).as("maxRetries 0: no retry at all").isFalse();

        assertThat(cluster.inUse(Overflow.CONNECTIONS)).isEqualTo(1);
        assertThat(cluster.inUse(Overflow.PENDING)).isEqualTo(2);
        assertThat(cluster.inUse(Overflow.REQUESTS)).isEqualTo(3);
        assertThat(cluster.inUse(Overflow.RETRIES)).isZero();
        for (final Overflow breaker : Overflow.values())
        {
            assertThat(cluster.stats().circuitOpen(breaker)).as(breaker.label()).isEqualTo(1);
        }
    }

    @Test
    void shouldGiveASlotBackOnRelease()
    {
        assertThat(cluster.tryAcquire(Overflow.CONNECTIONS)).isTrue();
        cluster.release(Overflow.CONNECTIONS);

        assertThat(cluster.tryAcquire(Overflow.CONNECTIONS)).isTrue();
        assertThat(cluster.stats().circuitOpen(Overflow.CONNECTIONS)).isZero();
    }

    @Test
    void shouldKeepTheDefaultsWhenNoneAreConfiguredAndRejectNonsense()
    {
        assertThat(ClusterConfig.of("c", List.of(new Endpoint("127.0.0.1", 8080))).circuitBreakers())
            .isEqualTo(new CircuitBreakers(1024, 1024, 1024, 3));
        assertThatThrownBy(() -> new CircuitBreakers(0, 1, 1, 1)).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> new CircuitBreakers(1, -1, 1, 1)).hasMessageContaining("maxPendingRequests");
        assertThatThrownBy(() -> new CircuitBreakers(1, 1, 0, 1)).hasMessageContaining("maxRequests");
        assertThatThrownBy(() -> new CircuitBreakers(1, 1, 1, -1)).hasMessageContaining("maxRetries");
    }
}
