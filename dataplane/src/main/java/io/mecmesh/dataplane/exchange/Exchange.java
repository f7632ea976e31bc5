package io.mecmesh.dataplane.exchange;

import io.mecmesh.dataplane.accesslog.AccessLog;
import io.mecmesh.dataplane.accesslog.ExchangeLog;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.route.Route;
import io.mecmesh.dataplane.tls.PeerIdentity;
import io.netty.channel.Channel;

import static java.util.Objects.requireNonNull;

/**
 * What the stages of one channel (an HTTP/1.1 connection, or an HTTP/2 stream) learn about the request in flight,
 * passed to each stage's constructor by the assembler instead of channel attributes: the snapshot the request runs
 * with (taken once, by the classify stage, so that its classifier, route and policy record come from one
 * configuration version), its slice and its route, and what the access log will say of it ({@link #log()}, written
 * by the stage that ends the exchange: forward, or a stage that answers locally). One exchange at a time per
 * channel: it is begun again at each request head, nothing is allocated per request. Confined to the channel's event
 * loop.
 */
public final class Exchange
{
    private final SliceStats unclassified;
    private final ExchangeLog log;
    private Snapshot snapshot;
    private int sliceId;
    private SliceStats sliceStats;
    private boolean sliceByRule;
    private Route route;
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
        this.route = null;
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
        if (sliceByRule || snapshot == null)
        {
            return;
        }
        final RouteSlices routeSlices = snapshot.routeSlices();
        final int routeId = route.config().policyRouteId();
        final int routeSliceId = routeSlices.sliceId(routeId);
        if (routeSliceId != 0 && routeSliceId != sliceId)
        {
            sliceStats.onRequestMoved();
            sliceId = routeSliceId;
            sliceStats = routeSlices.stats(routeId);
            sliceStats.onRequest();
        }
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
}
