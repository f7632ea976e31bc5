package io.mecmesh.dataplane.exchange;

import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.accesslog.ExchangeLog;
import io.mecmesh.dataplane.balance.Balancer;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.route.RouteAction;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;

import static java.util.Objects.requireNonNull;

/**
 * What the stages of one channel (an HTTP/1.1 connection, or an HTTP/2 stream) learn about the request in flight,
 * passed to each stage's constructor by the assembler instead of channel attributes: the snapshot the request runs
 * with (taken once, by the classify stage, so that its classifier, route and policy record come from one
 * configuration version), its slice and its route, and what the access log will say of it ({@link #log()}, written
 * by the stage that ends the exchange: forward, or a stage that answers locally). The request's policy records are
 * wrapped here once, over the snapshot's table: the slice's {@code (slice, 0)} when the slice is set, the route's
 * {@code (slice, route)} when the route is; overload, admit and forward read them here. Its limits (timeout with
 * a {@code grpc-timeout}, retries, retry budget share, DSCP) are decided once, by the admit stage
 * ({@link #decideLimits}). One exchange at a time per
 * channel: it is begun again at each request head, nothing is allocated per request. Confined to the channel's event
 * loop.
 */
public final class Exchange
{
    /** The lowest 5QI priority level (TS 23.501: 1 to 127). */
    private static final int PRIORITY_LOWEST = 127;

    private final SliceStats unclassified;
    private final ExchangeLog log;
    private final Balancer balancer = new Balancer();
    private Responder responder;
    private Snapshot snapshot;
    private int sliceId;
    private SliceStats sliceStats;
    private boolean sliceByRule;
    private final PolicyFlyweight sliceRecord = new PolicyFlyweight();
    private final PolicyFlyweight routeRecord = new PolicyFlyweight();
    private boolean sliceRecordHit;
    private boolean routeRecordHit;
    private int ruleRouteId;
    private int recordRouteId;
    private Route route;
    private boolean limitsDecided;
    private long timeoutMs;
    private int maxRetries;
    private int retryBudgetPercent;
    private int dscp;
    private boolean responsePaced;

    /**
     * @param unclassified the statistics of slice 0, the slice of a request before it is classified.
     */
    public Exchange(final SliceStats unclassified)
    {
        this(unclassified, AccessLog.detached());
    }

    /**
     * @param unclassified the statistics of slice 0, the slice of a request before it is classified.
     * @param accessLog    where the record of each exchange goes when it ends.
     */
    public Exchange(final SliceStats unclassified, final AccessLog accessLog)
    {
        this.unclassified = requireNonNull(unclassified, "unclassified");
        this.sliceStats = unclassified;
        this.log = new ExchangeLog(requireNonNull(accessLog, "accessLog"));
    }

    /**
     * Begins the exchange of a new request head: the snapshot it runs with, slice 0, no route yet.
     *
     * @param snapshot the current snapshot, read once for the request.
     */
    public void begin(final Snapshot snapshot)
    {
        this.snapshot = requireNonNull(snapshot, "snapshot");
        this.sliceId = 0;
        this.sliceStats = unclassified;
        this.sliceByRule = false;
        this.sliceRecordHit = false;
        this.routeRecordHit = false;
        this.ruleRouteId = 0;
        this.recordRouteId = 0;
        this.route = null;
        this.limitsDecided = false;
        log.begin(System.nanoTime());
    }

    /**
     * @return the snapshot the request runs with, {@code null} before the first request head.
     */
    public Snapshot snapshot()
    {
        return snapshot;
    }

    /**
     * The slice an explicit classification rule gave the request: the route's slice does not replace it.
     *
     * @param sliceId the request's slice (packed S-NSSAI).
     * @param stats   that slice's statistics.
     */
    public void slice(final int sliceId, final SliceStats stats)
    {
        slice(sliceId, stats, true);
    }

    /**
     * The slice the classify stage found for the request (see the precedence in
     * {@code ClassificationConfig}).
     *
     * @param sliceId the request's slice (packed S-NSSAI; 0 when unclassified).
     * @param stats   that slice's statistics.
     * @param byRule  true when an explicit rule gave it; false for the default slice or unclassified, which the
     *                slice of the request's route then replaces ({@link #route(Route)}).
     */
    public void slice(final int sliceId, final SliceStats stats, final boolean byRule)
    {
        this.sliceId = sliceId;
        this.sliceStats = requireNonNull(stats, "stats");
        this.sliceByRule = byRule;
        this.sliceRecordHit = wrap(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, sliceRecord);
    }

    /**
     * @return the request's slice, 0 when unclassified.
     */
    public int sliceId()
    {
        return sliceId;
    }

    /**
     * @return the statistics of the request's slice.
     */
    public SliceStats sliceStats()
    {
        return sliceStats;
    }

    /**
     * Records the request's route (the route stage, before admit). When no explicit rule classified the request and
     * the route is a compiled route of a slice's service, the request moves into the route's slice (explicit rule >
     * route's slice > default slice > unclassified): its count moves from the slice the classify stage counted it in
     * to the route's. Allocates nothing.
     *
     * @param route the route the request was given.
     */
    public void route(final Route route)
    {
        this.route = requireNonNull(route, "route");
        final int routeId = route.config().policyRouteId();
        if (!sliceByRule && snapshot != null)
        {
            final RouteSlices routeSlices = snapshot.routeSlices();
            final int routeSliceId = routeSlices.sliceId(routeId);
            if (routeSliceId != 0 && routeSliceId != sliceId)
            {
                sliceStats.onRequestMoved();
                sliceId = routeSliceId;
                sliceStats = routeSlices.stats(routeId);
                sliceStats.onRequest();
                sliceRecordHit = wrap(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, sliceRecord);
            }
        }
        recordRouteId = ruleRouteId != SlicePolicy.SLICE_DEFAULT_ROUTE_ID ? ruleRouteId : routeId;
        routeRecordHit = recordRouteId != SlicePolicy.SLICE_DEFAULT_ROUTE_ID
            && wrap(sliceId, recordRouteId, routeRecord);
    }

    /**
     * The policy record the classification rule that matched gives the request's traffic (a MEC 015 session's: the
     * classify stage, before route): {@link #route(Route)} then wraps {@code (slice, routeId)} in place of the
     * route's own record, so the admit stage charges the session's buckets.
     *
     * @param routeId the rule's record route id, 0 for none (the route's record applies).
     */
    public void ruleRecord(final int routeId)
    {
        this.ruleRouteId = routeId;
    }

    /**
     * @return the route id of the {@code (slice, route)} record the request runs with: the matching rule's (a
     *         session's) when it names one, else its route's; 0 before {@link #route(Route)}.
     */
    public int recordRouteId()
    {
        return recordRouteId;
    }

    /**
     * @return true when the policy table has the {@code (slice, 0)} record of the request's slice.
     */
    public boolean sliceRecordHit()
    {
        return sliceRecordHit;
    }

    /**
     * @return the {@code (slice, 0)} record of the request's slice; valid only while {@link #sliceRecordHit()}.
     */
    public PolicyFlyweight sliceRecord()
    {
        return sliceRecord;
    }

    /**
     * @return true when the policy table has the {@code (slice, route)} record of the request's slice and route.
     */
    public boolean routeRecordHit()
    {
        return routeRecordHit;
    }

    /**
     * @return the {@code (slice, route)} record; valid only while {@link #routeRecordHit()}.
     */
    public PolicyFlyweight routeRecord()
    {
        return routeRecord;
    }

    /**
     * @return true when the request runs with a policy record (its route's, else its slice's).
     */
    public boolean policyHit()
    {
        return routeRecordHit || sliceRecordHit;
    }

    /**
     * @return the record the request runs with: its route's, else its slice's; valid only while {@link #policyHit()}.
     */
    public PolicyFlyweight policy()
    {
        return routeRecordHit ? routeRecord : sliceRecord;
    }

    /**
     * @return the request's 5QI priority level from its policy record (1 highest), the lowest (127) without one:
     *     the order in which it leaves a wait queue (the balance step's, issue 13 item 9).
     */
    public int priorityLevel()
    {
        return policyHit() ? Math.max(1, Math.min(PRIORITY_LOWEST, policy().priorityLevel())) : PRIORITY_LOWEST;
    }

    /**
     * Decides the limits of the forwarded request, once per request (a second call does nothing): the admit stage
     * calls it at the head's arrival, and every pipeline that forwards has one. With a policy
     * record (the route's, else the slice's): its request timeout, retries, retry budget share and DSCP; without:
     * the route's timeout and retries, the route's budget share, DSCP 0. A {@code grpc-timeout} may only shorten
     * the timeout. Allocates nothing.
     *
     * @param grpcTimeout the request's {@code grpc-timeout} value, {@code null} when absent.
     */
    public void decideLimits(final CharSequence grpcTimeout)
    {
        if (limitsDecided)
        {
            return;
        }
        limitsDecided = true;
        long routeTimeoutMs = 0;
        maxRetries = 0;
        if (route != null && route.action() instanceof RouteAction.Forward forward)
        {
            routeTimeoutMs = forward.timeoutMs();
            maxRetries = forward.retry().maxRetries();
        }
        retryBudgetPercent = -1;
        dscp = 0;
        if (policyHit())
        {
            final PolicyFlyweight record = policy();
            routeTimeoutMs = (record.requestTimeoutNs() + 999_999L) / 1_000_000L;
            maxRetries = record.maxRetries();
            retryBudgetPercent = record.retryBudgetPercent();
            dscp = record.dscp();
        }
        timeoutMs = GrpcTimeout.shorten(routeTimeoutMs, grpcTimeout);
    }

    /**
     * The request waited this long before it went on (in the admit stage's shaping queue): the rest of its timeout
     * is what the forward stage arms.
     *
     * @param waitedNs how long it waited.
     */
    public void waited(final long waitedNs)
    {
        if (timeoutMs > 0 && waitedNs > 0)
        {
            timeoutMs = Math.max(1, timeoutMs - waitedNs / 1_000_000L);
        }
    }

    /**
     * @return the request's timeout from when the forward stage takes it, in milliseconds, 0 for none
     *     ({@link #decideLimits}).
     */
    public long timeoutMs()
    {
        return timeoutMs;
    }

    /**
     * @return how many times the request may be retried ({@link #decideLimits}).
     */
    public int maxRetries()
    {
        return maxRetries;
    }

    /**
     * @return the share of requests the route's retry budget grants in percent, -1 for the route's own
     *     ({@link #decideLimits}).
     */
    public int retryBudgetPercent()
    {
        return retryBudgetPercent;
    }

    /**
     * @return the DSCP the request's connections carry, 0 without a policy record ({@link #decideLimits}).
     */
    public int dscp()
    {
        return dscp;
    }

    private boolean wrap(final int sliceId, final int routeId, final PolicyFlyweight flyweight)
    {
        if (snapshot == null || sliceId == 0)
        {
            return false;
        }
        final PolicyTable table = snapshot.policies();
        final int offset = table.find(sliceId, routeId);
        if (offset == PolicyTable.NOT_FOUND)
        {
            return false;
        }
        flyweight.wrap(table.buffer(), offset);
        return true;
    }

    /**
     * @return true when an explicit classification rule gave the request its slice.
     */
    public boolean sliceByRule()
    {
        return sliceByRule;
    }

    /**
     * @return the route of the request in flight, {@code null} before the route stage gave it one.
     */
    public Route route()
    {
        return route;
    }

    /**
     * Set by the admit stage while it holds response parts of a channel that has no writability bit of its own (an
     * HTTP/2 stream): the forward stage reads no more of the response until it is cleared, which the admit stage
     * signals with a {@code channelWritabilityChanged} event. Kept across {@link #begin} (it is the channel's).
     *
     * @param paced true while response parts are held.
     */
    public void responsePaced(final boolean paced)
    {
        this.responsePaced = paced;
    }

    /**
     * @return true while the admit stage holds response parts for the slice's downlink rate.
     */
    public boolean responsePaced()
    {
        return responsePaced;
    }

    /**
     * @return what the access log will say of the exchange in flight.
     */
    public ExchangeLog log()
    {
        return log;
    }

    /**
     * The exchange ended: writes its access-log record (once; nothing when the access log is off).
     *
     * @param channel  the request's channel (its connection's peer is the caller).
     * @param endpoint the endpoint of the last attempt, {@code null} when none.
     */
    public void endLog(final Channel channel, final Object endpoint)
    {
        if (log.enabled())
        {
            log.end(sliceId, PeerIdentity.of(channel), route == null ? null : route.config().name(), endpoint);
        }
    }

    /**
     * The exchange ends with an answer from this appliance ({@code LOCAL}): writes its access-log record.
     *
     * @param channel the request's channel.
     * @param status  the status answered.
     */
    public void endLocally(final Channel channel, final int status)
    {
        log.onLocalAnswer(status);
        endLog(channel, null);
    }

    /**
     * @param responder the channel's respond stage, set once by it when it is built.
     */
    public void responder(final Responder responder)
    {
        this.responder = requireNonNull(responder, "responder");
    }

    /**
     * @return the channel's respond stage: how the connection goes on after a response.
     * @throws IllegalStateException when the channel's pipeline has no respond stage.
     */
    public Responder responder()
    {
        if (responder == null)
        {
            throw new IllegalStateException("no respond stage in this pipeline");
        }
        return responder;
    }

    /**
     * @return the balance step of the request in flight: endpoint per attempt and circuit-breaker slots.
     */
    public Balancer balancer()
    {
        return balancer;
    }

    /**
     * A stage answers the request itself (no route, refused, shed): the access-log record is written
     * ({@code LOCAL}, no endpoint), the response goes out through the respond stage, which drops the rest of the
     * request's body and keeps the connection when the client asked for it.
     *
     * @param ctx      the context of the stage that answers.
     * @param response the answer; ownership passes on.
     */
    public void answerLocally(final ChannelHandlerContext ctx, final FullHttpResponse response)
    {
        endLocally(ctx.channel(), response.status().code());
        responder().answer(ctx, response, true);
    }
}
