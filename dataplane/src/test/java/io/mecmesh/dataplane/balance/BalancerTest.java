package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.counters.Overflow;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BalancerTest
{
    private final Cluster cluster = Cluster.resolve(ClusterConfig.of("c",
            List.of(new Endpoint("127.0.0.1", 8080), new Endpoint("127.0.0.1", 8081)))
        .withCircuitBreakers(new CircuitBreakers(4, 1, 2, 1)));

    @Test
    void shouldGiveBackEverySlotItHoldsExactlyOnceAtTheEnd()
    {
        final Balancer balancer = new Balancer();
        assertThat(balancer.begin(cluster, new DefaultHttpHeaders())).isTrue();
        assertThat(balancer.holdPending()).isTrue();
        assertThat(balancer.holdPending()).as("one pending slot per exchange").isTrue();
        assertThat(balancer.holdRetry()).isTrue();
        assertThat(cluster.inUse(Overflow.REQUESTS)).isEqualTo(1);
        assertThat(cluster.inUse(Overflow.PENDING)).isEqualTo(1);
        assertThat(cluster.inUse(Overflow.RETRIES)).isEqualTo(1);

        balancer.end();
        balancer.end();

        for (final Overflow breaker : Overflow.values())
        {
            assertThat(cluster.inUse(breaker)).as(breaker.label()).isZero();
        }
    }

    @Test
    void shouldRefuseARequestOverTheRequestBreakerAndHoldNothing()
    {
        final Balancer first = new Balancer();
        final Balancer second = new Balancer();
        final Balancer third = new Balancer();
        assertThat(first.begin(cluster, new DefaultHttpHeaders())).isTrue();
        assertThat(second.begin(cluster, new DefaultHttpHeaders())).isTrue();

        assertThat(third.begin(cluster, new DefaultHttpHeaders())).isFalse();
        third.end();

        assertThat(cluster.inUse(Overflow.REQUESTS)).isEqualTo(2);
        assertThat(cluster.stats().circuitOpen(Overflow.REQUESTS)).isEqualTo(1);
    }

    @Test
    void shouldGiveBackARetrySlotTakenForARetryThatIsNotMade()
    {
        final Balancer balancer = new Balancer();
        balancer.begin(cluster, new DefaultHttpHeaders());
        assertThat(balancer.holdRetry()).isTrue();

        balancer.cancelRetry(true);

        assertThat(balancer.holdsRetry()).isFalse();
        assertThat(cluster.inUse(Overflow.RETRIES)).isZero();
    }

    @Test
    void shouldPickAnotherEndpointForTheAttemptAfterOneFailed()
    {
        final Balancer balancer = new Balancer();
        balancer.begin(cluster, new DefaultHttpHeaders());
        final EndpointState failed = balancer.pick(null, 0L);
        assertThat(balancer.attemptOpen()).isTrue();

        balancer.fail();

        assertThat(balancer.attemptOpen()).isFalse();
        for (int i = 0; i < 20; i++)
        {
            assertThat(balancer.pick(null, 0L)).isNotSameAs(failed);
            balancer.abandon();
        }
    }
}
