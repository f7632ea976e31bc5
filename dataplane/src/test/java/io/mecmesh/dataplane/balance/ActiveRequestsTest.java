package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.cluster.CircuitBreakers;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.counters.DataPlaneCounter;
import io.mecmesh.dataplane.counters.DataPlaneCounters;
import io.mecmesh.dataplane.counters.Overflow;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ActiveRequestsTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    private final DataPlaneCounters counters = new DataPlaneCounters();
    private final ClusterQueues queues = new ClusterQueues(counters);
    private final List<String> events = new ArrayList<>();

    private static Cluster cluster(final int activePerLoop, final int queuedPerLoop)
    {
        return Cluster.resolve(ClusterConfig.of("c", List.of(new Endpoint("127.0.0.1", 8080)))
            .withCircuitBreakers(new CircuitBreakers(4, 1, 100, 1, activePerLoop, queuedPerLoop)));
    }

    private Balancer balancer(final String name)
    {
        return new Balancer().bind(queues, granted -> events.add(name + (granted ? " started" : " expired")));
    }

    @Test
    void shouldGiveAFreedSlotToTheHighestPriorityWaiterBeforeAnEarlierLowPriorityOne()
    {
        final Cluster cluster = cluster(1, 8);
        final Balancer holder = balancer("holder");
        final Balancer low = balancer("low");
        final Balancer high = balancer("high");
        assertThat(holder.begin(cluster, new DefaultHttpHeaders(), 80, 0)).isEqualTo(Balancer.BEGUN);
        assertThat(low.begin(cluster, new DefaultHttpHeaders(), 80, 0)).isEqualTo(Balancer.WAITING);
        assertThat(high.begin(cluster, new DefaultHttpHeaders(), 1, 0)).isEqualTo(Balancer.WAITING);

        holder.end();

        assertThat(events).containsExactly("high started");
        assertThat(low.waiting()).isTrue();
        high.end();
        assertThat(events).containsExactly("high started", "low started");
        assertThat(queues.of(cluster).active()).isEqualTo(1);
        low.end();
        assertThat(queues.of(cluster).active()).isZero();
        assertThat(cluster.inUse(Overflow.REQUESTS)).isZero();
    }

    @Test
    void shouldExpireAWaiterWhoseDeadlinePassedWithoutGivingItTheSlot()
    {
        final Cluster cluster = cluster(1, 8);
        final Balancer holder = balancer("holder");
        final Balancer late = balancer("late");
        final Balancer patient = balancer("patient");
        holder.begin(cluster, new DefaultHttpHeaders(), 1, 0);
        late.begin(cluster, new DefaultHttpHeaders(), 1, 5);
        patient.begin(cluster, new DefaultHttpHeaders(), 90, 0);
        final ActiveRequests share = queues.of(cluster);

        share.wake(System.nanoTime() + SECOND_NS);

        assertThat(events).containsExactly("late expired");
        assertThat(late.waiting()).isFalse();
        assertThat(share.expiredTotal()).isEqualTo(1);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_QUEUE_EXPIRED)).isEqualTo(1);
        assertThat(counters.get(DataPlaneCounter.UPSTREAM_QUEUED)).isEqualTo(2);
        assertThat(share.active()).as("the holder's slot only").isEqualTo(1);
        late.end();
        assertThat(share.active()).isEqualTo(1);
        holder.end();
        assertThat(events).containsExactly("late expired", "patient started");
    }

    @Test
    void shouldServeALowerPriorityLevelBeforeEveryHigherOneIsDone()
    {
        final Cluster cluster = cluster(1, 32);
        final Balancer holder = balancer("holder");
        holder.begin(cluster, new DefaultHttpHeaders(), 1, 0);
        final List<Balancer> waiting = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            final Balancer high = balancer("high");
            high.begin(cluster, new DefaultHttpHeaders(), 1, 0);
            waiting.add(high);
        }
        for (int i = 0; i < 3; i++)
        {
            final Balancer low = balancer("low");
            low.begin(cluster, new DefaultHttpHeaders(), 64, 0);
            waiting.add(low);
        }

        holder.end();
        for (int i = 0; i < 9; i++)
        {
            final Balancer running = waiting.stream().filter(b -> !b.waiting() && b.cluster() != null).findFirst()
                .orElseThrow();
            waiting.remove(running);
            running.end();
        }

        assertThat(events).hasSize(9);
        assertThat(events.subList(0, 6)).as("weights 127 and 64: about two high turns per low turn")
            .contains("low started")
            .filteredOn("high started"::equals).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldRefuseARequestWhenTheWaitQueueIsFullAndGiveBackItsRequestSlot()
    {
        final Cluster cluster = cluster(1, 1);
        final Balancer holder = balancer("holder");
        final Balancer waiter = balancer("waiter");
        final Balancer refused = balancer("refused");
        holder.begin(cluster, new DefaultHttpHeaders(), 1, 0);
        waiter.begin(cluster, new DefaultHttpHeaders(), 1, 0);

        assertThat(refused.begin(cluster, new DefaultHttpHeaders(), 1, 0)).isEqualTo(Balancer.REFUSED);
        refused.end();

        assertThat(cluster.inUse(Overflow.REQUESTS)).isEqualTo(2);
        assertThat(queues.of(cluster).waiting()).isEqualTo(1);
    }

    @Test
    void shouldForgetAWaiterWhoseExchangeEndedAndHandTheSlotOnWhenAStartedOneEndsAtOnce()
    {
        final Cluster cluster = cluster(1, 8);
        final Balancer holder = balancer("holder");
        final Balancer gone = balancer("gone");
        final Balancer last = balancer("last");
        final Balancer[] failsAtOnce = new Balancer[1];
        failsAtOnce[0] = new Balancer().bind(queues, granted ->
        {
            events.add("fails started");
            failsAtOnce[0].end();
        });
        holder.begin(cluster, new DefaultHttpHeaders(), 1, 0);
        gone.begin(cluster, new DefaultHttpHeaders(), 1, 0);
        failsAtOnce[0].begin(cluster, new DefaultHttpHeaders(), 2, 0);
        last.begin(cluster, new DefaultHttpHeaders(), 3, 0);

        gone.end();
        holder.end();

        assertThat(events).containsExactly("fails started", "last started");
        assertThat(queues.of(cluster).active()).isEqualTo(1);
        assertThat(queues.of(cluster).waiting()).isZero();
    }

    @Test
    void shouldNotQueueOnAClusterWithoutTheLimit()
    {
        final Cluster cluster = Cluster.resolve(ClusterConfig.of("c", List.of(new Endpoint("127.0.0.1", 8080))));
        final Balancer balancer = balancer("b");

        assertThat(balancer.begin(cluster, new DefaultHttpHeaders(), 1, 0)).isEqualTo(Balancer.BEGUN);
        assertThat(queues.of(cluster)).isNull();
        balancer.end();
        assertThat(cluster.inUse(Overflow.REQUESTS)).isZero();
    }
}
