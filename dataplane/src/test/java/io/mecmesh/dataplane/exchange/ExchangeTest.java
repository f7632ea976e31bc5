package io.mecmesh.dataplane.exchange;

import io.mecmesh.dataplane.classify.ClassificationConfig;
import io.mecmesh.dataplane.classify.Classifier;
import io.mecmesh.dataplane.classify.SliceStatsRegistry;
import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.ClusterConfig;
import io.mecmesh.dataplane.cluster.Endpoint;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.PolicyTableWriter;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.HeaderRewrite;
import io.mecmesh.dataplane.route.RetryPolicy;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.dataplane.route.RouteMatch;
import io.mecmesh.dataplane.route.RouteTable;
import io.mecmesh.dataplane.route.WeightedCluster;
import io.mecmesh.dataplane.authz.AuthorizationPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exchange wraps a request's policy records once and decides its limits once: what the overload, admit and
 * forward stages read instead of looking the table up themselves.
 */
class ExchangeTest
{
    private static final int EMBB = 1 << 24 | 0x000001;
    private static final int URLLC = 2 << 24 | 0x000002;
    private static final int ROUTE_ID = 7;
    private static final int SESSION_ID = 9;
    private static final long ROUTE_TIMEOUT_MS = 15_000;

    private final SliceStatsRegistry registry = new SliceStatsRegistry();
    private final Snapshot snapshot = snapshot();
    private final Exchange exchange = new Exchange(registry.unclassified());

    private Snapshot snapshot()
    {
        final Cluster cluster = Cluster.resolve(ClusterConfig.of("c", List.of(new Endpoint("127.0.0.1", 9))));
        final RouteTable routes = RouteTable.build(List.of(
            route("/slice/", ROUTE_ID), route("/", 0)), Map.of("c", cluster));
        final PolicyTable table = new PolicyTableWriter(8)
            .add(new SlicePolicy(URLLC, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 20, 34, 0, 0, 0, ms(1000), 3, 20, 0))
            .add(new SlicePolicy(URLLC, ROUTE_ID, 18, 46, 0, 0, 0, ms(250), 1, 5, 0))
            .add(new SlicePolicy(EMBB, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, 80, 10, 0, 0, 0, ms(2000), 0, 10, 0))
            .add(new SlicePolicy(URLLC, SESSION_ID, 18, 46, 125_000, 250_000, 65_536, ms(500), 2, 5, 0))
            .build(1);
        return new Snapshot(1, routes, Classifier.build(ClassificationConfig.NONE, registry), table,
            Map.of("c", cluster));
    }

    private static RouteConfig route(final String prefix, final int policyRouteId)
    {
        return new RouteConfig("r" + policyRouteId, RouteMatch.prefix("*", prefix),
            new RouteAction.Forward(List.of(new WeightedCluster("c", 1)), ROUTE_TIMEOUT_MS, 0, RetryPolicy.DEFAULT),
            HeaderRewrite.NONE, HeaderRewrite.NONE, AuthorizationPolicy.ALLOW_ALL).withPolicyRouteId(policyRouteId);
    }

    private static long ms(final long millis)
    {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private Route find(final String path)
    {
        return snapshot.routes().find("app", path);
    }

    @Test
    void shouldTakeTheLimitsFromTheRoutesRecordWrappedOnceAndShortenThemByGrpcTimeoutAndQueueing()
    {
        exchange.begin(snapshot);
        exchange.slice(URLLC, registry.slice(URLLC));
        exchange.route(find("/slice/x"));

        exchange.decideLimits("200m");
        exchange.decideLimits(null);
        exchange.waited(TimeUnit.MILLISECONDS.toNanos(50));

        assertThat(exchange.sliceRecordHit()).isTrue();
        assertThat(exchange.sliceRecord().priorityLevel()).as("what overload sheds by").isEqualTo(20);
        assertThat(exchange.routeRecordHit()).isTrue();
        assertThat(exchange.policy().routeId()).isEqualTo(ROUTE_ID);
        assertThat(exchange.timeoutMs()).as("the record's 250 ms, the grpc-timeout's 200 ms, 50 ms queued; decided"
            + " once").isEqualTo(150);
        assertThat(exchange.maxRetries()).isEqualTo(1);
        assertThat(exchange.retryBudgetPercent()).isEqualTo(5);
        assertThat(exchange.dscp()).isEqualTo(46);
    }

    @Test
    void shouldFallBackToTheSliceRecordWhenTheRouteHasNoneOfThatSlice()
    {
        exchange.begin(snapshot);
        exchange.slice(EMBB, registry.slice(EMBB));
        exchange.route(find("/slice/x"));
        exchange.decideLimits(null);

        assertThat(exchange.sliceId()).as("an explicit rule's slice is kept over the route's").isEqualTo(EMBB);
        assertThat(exchange.routeRecordHit()).isFalse();
        assertThat(exchange.policyHit()).isTrue();
        assertThat(exchange.timeoutMs()).isEqualTo(2000);
        assertThat(exchange.maxRetries()).isZero();
        assertThat(exchange.dscp()).isEqualTo(10);
    }

    @Test
    void shouldMoveARequestNoRuleClassifiedIntoItsRoutesSliceWithThatSlicesRecords()
    {
        exchange.begin(snapshot);
        registry.unclassified().onRequest();
        exchange.slice(0, registry.unclassified(), false);
        exchange.route(find("/slice/x"));
        exchange.decideLimits(null);

        assertThat(exchange.sliceId()).isEqualTo(URLLC);
        assertThat(exchange.sliceStats()).isSameAs(registry.slice(URLLC));
        assertThat(registry.slice(URLLC).requests()).isEqualTo(1);
        assertThat(registry.unclassified().requests()).isZero();
        assertThat(exchange.sliceRecord().priorityLevel()).isEqualTo(20);
        assertThat(exchange.timeoutMs()).isEqualTo(250);
    }

    @Test
    void shouldKeepTheRoutesOwnLimitsWithoutAnyRecordAndResetThemAtTheNextHead()
    {
        exchange.begin(snapshot);
        exchange.slice(URLLC, registry.slice(URLLC));
        exchange.route(find("/slice/x"));
        exchange.decideLimits(null);

        exchange.begin(snapshot);
        exchange.slice(0, registry.unclassified(), false);
        exchange.route(find("/other"));
        exchange.decideLimits("1S");

        assertThat(exchange.sliceId()).isZero();
        assertThat(exchange.policyHit()).isFalse();
        assertThat(exchange.timeoutMs()).isEqualTo(1000);
        assertThat(exchange.maxRetries()).isEqualTo(RetryPolicy.DEFAULT.maxRetries());
        assertThat(exchange.retryBudgetPercent()).isEqualTo(-1);
        assertThat(exchange.dscp()).isZero();
    }

    @Test
    void shouldRunARequestWhoseRuleNamesASessionRecordWithThatRecordInPlaceOfItsRoutesUntilTheNextHead()
    {
        exchange.begin(snapshot);
        exchange.slice(URLLC, registry.slice(URLLC));
        exchange.ruleRecord(SESSION_ID);
        exchange.route(find("/slice/x"));
        exchange.decideLimits(null);

        assertThat(exchange.recordRouteId()).isEqualTo(SESSION_ID);
        assertThat(exchange.routeRecordHit()).isTrue();
        assertThat(exchange.routeRecord().downlinkRateBytesPerSecond()).isEqualTo(250_000);
        assertThat(exchange.routeRecord().uplinkRateBytesPerSecond()).isEqualTo(125_000);
        assertThat(exchange.timeoutMs()).isEqualTo(500);

        exchange.begin(snapshot);
        exchange.slice(URLLC, registry.slice(URLLC));
        exchange.route(find("/slice/x"));

        assertThat(exchange.recordRouteId()).as("the next request of no session: its route's").isEqualTo(ROUTE_ID);
        assertThat(exchange.routeRecord().downlinkRateBytesPerSecond()).isZero();
    }
}
