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
        return cluster("c", 8080, activePerLoop, queuedPerLoop);
    }

    private static Cluster cluster(final String name, final int port, final int activePerLoop,
        final int queuedPerLoop)
    {
        return Cluster.resolve(ClusterConfig.of(name, List.of(new Endpoint("127.0.0.1", port)))
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

    @Test
    void shouldKeepALowerLevelWaitingWhileAHigherOneIsActiveEvenWithSlotsFree()
    {
        final Cluster cluster = cluster(4, 8);
        final Balancer urllc = balancer("urllc");
        final Balancer embb = balancer("embb");
        assertThat(urllc.begin(cluster, new DefaultHttpHeaders(), 19, 0)).isEqualTo(Balancer.BEGUN);

        assertThat(embb.begin(cluster, new DefaultHttpHeaders(), 90, 0)).isEqualTo(Balancer.WAITING);
        assertThat(queues.of(cluster).active()).isEqualTo(1);
        urllc.end();

        assertThat(events).containsExactly("embb started");
        embb.end();
        assertThat(queues.of(cluster).active()).isZero();
    }

    @Test
    void shouldLetALowerLevelFillAQuarterOfTheSlotsWithinASecondOfAHigherOneAndEverySlotAfter()
    {
        final Cluster cluster = cluster(8, 16);
        final Balancer urllc = balancer("urllc");
        urllc.begin(cluster, new DefaultHttpHeaders(), 19, 0);
        urllc.end();
        final ActiveRequests share = queues.of(cluster);
        final long nowNs = System.nanoTime();

        assertThat(share.tryTake(90, nowNs)).isTrue();
        assertThat(share.tryTake(90, nowNs)).isTrue();
        assertThat(share.tryTake(90, nowNs)).as("a quarter of 8 slots taken by the lower level").isFalse();
        assertThat(share.tryTake(19, nowNs)).as("the higher level still has the others").isTrue();
        share.release(19, nowNs);
        assertThat(share.tryTake(90, nowNs + 2 * SECOND_NS)).as("a second after the higher level's last request")
            .isTrue();
        assertThat(share.active()).isEqualTo(3);
    }

    @Test
    void shouldLetAHigherLevelOvertakeLowerOnesWaitingForTheSameBackend()
    {
        final Cluster cluster = cluster(4, 8);
        final Balancer earlier = balancer("earlier");
        earlier.begin(cluster, new DefaultHttpHeaders(), 19, 0);
        earlier.end();
        final Balancer first = balancer("first");
        assertThat(first.begin(cluster, new DefaultHttpHeaders(), 90, 0)).isEqualTo(Balancer.BEGUN);
        final Balancer waitingLow = balancer("low");
        assertThat(waitingLow.begin(cluster, new DefaultHttpHeaders(), 90, 0)).as("a quarter of the slots")
            .isEqualTo(Balancer.WAITING);

        final Balancer urllc = balancer("urllc");
        assertThat(urllc.begin(cluster, new DefaultHttpHeaders(), 19, 0)).as("not behind the waiting eMBB")
            .isEqualTo(Balancer.BEGUN);
        assertThat(waitingLow.waiting()).isTrue();
    }

    @Test
    void shouldShareOneLimitBetweenClustersOfTheSameBackend()
    {
        final Cluster urllc = cluster("urllc", 8080, 4, 8);
        final Cluster embb = cluster("embb", 8080, 4, 8);
        final Cluster elsewhere = cluster("other", 8081, 4, 8);

        assertThat(queues.of(urllc)).isSameAs(queues.of(embb));
        assertThat(queues.of(elsewhere)).isNotSameAs(queues.of(urllc));
        final Balancer high = balancer("high");
        high.begin(urllc, new DefaultHttpHeaders(), 19, 0);
        assertThat(balancer("low").begin(embb, new DefaultHttpHeaders(), 90, 0))
            .as("the eMBB service waits for the URLLC one on their shared backend").isEqualTo(Balancer.WAITING);
    }

    @Test
    void shouldRefuseALowerLevelAtOnceWhenAsManyAsTheLimitWaitBehindAHigherOne()
    {
        final Cluster cluster = cluster(6, 64);
        final Balancer urllc = balancer("urllc");
        urllc.begin(cluster, new DefaultHttpHeaders(), 19, 0);
        for (int i = 0; i < 6; i++)
        {
            assertThat(balancer("embb").begin(cluster, new DefaultHttpHeaders(), 90, 0)).isEqualTo(Balancer.WAITING);
        }

        final Balancer shed = balancer("embb-shed");
        assertThat(shed.begin(cluster, new DefaultHttpHeaders(), 90, 0)).as("six (the limit) wait already")
            .isEqualTo(Balancer.REFUSED);
        shed.end();
        assertThat(balancer("urllc-2").begin(cluster, new DefaultHttpHeaders(), 19, 0)).isEqualTo(Balancer.BEGUN);
        assertThat(queues.of(cluster).waiting()).isEqualTo(6);
    }
}
