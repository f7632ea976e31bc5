package io.mecmesh.dataplane.stage.admit;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.exchange.Exchange;
import io.mecmesh.dataplane.exchange.Snapshot;
import io.mecmesh.dataplane.exchange.Snapshots;
import io.mecmesh.dataplane.http.DirectResponse;
import io.mecmesh.dataplane.http.NettyRequestHead;
import io.mecmesh.dataplane.http.RequestHead;
import io.mecmesh.dataplane.http.TextFlyweight;
import io.mecmesh.dataplane.policy.PolicyFlyweight;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.LoopQos;
import io.mecmesh.dataplane.qos.PriorityWaitQueue;
import io.mecmesh.dataplane.qos.QosMode;
import io.mecmesh.dataplane.qos.QosOutcome;
import io.mecmesh.dataplane.qos.SliceQosConfig;
import io.mecmesh.dataplane.route.Route;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.agrona.collections.LongArrayQueue;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The admit stage (after classify and route, before upstream; HTTP/1.1 connections and HTTP/2 streams): enforces
 * the request's slice QoS from its policy records, the slice's default record ({@code (slice, 0)}: the slice-wide
 * buckets) and, when there is one, the route's record ({@code (slice, route)}: the service's buckets), and from the
 * slice's {@link SliceQosConfig}.
 * <ul>
 *   <li><b>Requests/s</b> ({@code requestsPerSecond}, slice-wide): over it, POLICE answers 429 with
 *   {@code Retry-After}; SHAPE holds the request head (nothing more is read) in the loop's
 *   {@link PriorityWaitQueue} by the record's priority level, up to {@code maxShapingWaitMs}, then polices it.</li>
 *   <li><b>Delay budget</b>: the request's timeout, decided here into the exchange ({@link Exchange#decideLimits}:
 *   the record's {@code requestTimeoutNs}, derived by the compiler from the 5QI's packet delay budget, 20 PDBs; else
 *   the route's timeout; shortened by a {@code grpc-timeout}) counts from the head's arrival; a request still queued
 *   when it passes gets 504 and never reaches the upstream (counted EXPIRED); one that waited goes on with the rest
 *   of it ({@link Exchange#waited}), which the forward stage arms.</li>
 *   <li><b>GBR</b> ({@code gbrUplinkBps + gbrDownlinkBps} of the slice): admitted against the node's
 *   {@code linkCapacityBps} once the rate allows it, else 503 with {@code Retry-After}; released when the response's
 *   last part is written or the channel closes.</li>
 *   <li><b>MBR pacing</b> (the records' uplink and downlink bytes/s and burst): uplink body bytes are charged as
 *   they pass and the next {@code read()} is withheld until the buckets cover them; downlink body writes over the
 *   buckets are held here and the channel is made unwritable (a user-defined writability bit), so the forward stage
 *   stops reading the upstream, as for any slow client, until the held parts went out. An HTTP/2 stream channel
 *   has no such bit: there the stage sets {@link Exchange#responsePaced} while it holds parts (the forward stage
 *   stops reading the upstream when it sees it after a write) and fires {@code channelWritabilityChanged} towards
 *   the forward stage once they went out.</li>
 *   <li><b>Rates follow the policy</b>: a transfer in flight is paced at the rates of the current policy records,
 *   not only those of its request head: when another snapshot was published since (a PATCHed MEC 015 allocation, a
 *   changed MBR), the next body part charged reads the records of the same slice and route from it (one acquire
 *   load per body part; a re-read only on a new snapshot). A limit added while a transfer runs applies to it too;
 *   one removed lifts it.</li>
 *   <li><b>MBR policing</b>: a POLICE slice with a bit rate refuses a new request with 429 and {@code Retry-After}
 *   while any channel of the same event loop holds the slice's response parts for its buckets (the slice is over
 *   its MBR there), so a flood past the MBR is refused early instead of every response being paced late. Per loop:
 *   with several loops each polices on its own backlog (the buckets themselves are shared, see RateShard).</li>
 * </ul>
 * A request answered here has its head released; the respond stage writes the answer and releases its body as it
 * arrives (the connection is kept when the client asked for keep-alive). Every other message is forwarded unchanged (ownership passes on); a held
 * request head, and held response parts, are owned here until forwarded, and released if the channel closes.
 * One instance per channel, confined to its event loop. Deciding a request that is admitted at once allocates
 * nothing; shaping and pacing schedule a timer.
 */
public final class AdmitHandler extends ChannelDuplexHandler
{
    /** User-defined writability bit this stage clears while it holds response parts. */
    static final int PACING_WRITABILITY_INDEX = 9;
    private static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final PriorityWaitQueue.Listener<Object> TURNS = new PriorityWaitQueue.Listener<>()
    {
        @Override
        public boolean onTurn(final Object item, final long nowNs)
        {
            return ((AdmitHandler)item).onTurn(nowNs);
        }

        @Override
        public void onExpired(final Object item, final long nowNs)
        {
            ((AdmitHandler)item).onExpired(nowNs);
        }
    };

    private final LoopQos loop;
    private final Snapshots snapshots;
    private final Exchange exchange;
    /** Reads the records of a newer snapshot ({@link #followPolicy}). */
    private final PolicyFlyweight reread = new PolicyFlyweight();
    /** Scratch view of a request's {@code grpc-timeout}. */
    private final TextFlyweight headerView = new TextFlyweight();
    /** Views heads that are not the codec's (HTTP/2 streams). */
    private final NettyRequestHead nettyHead = new NettyRequestHead();
    private final LongArrayQueue gbrByResponse = new LongArrayQueue(LongArrayQueue.MIN_CAPACITY, Long.MIN_VALUE);
    private final ArrayDeque<Object> heldWrites = new ArrayDeque<>(8);
    private final ArrayDeque<ChannelPromise> heldPromises = new ArrayDeque<>(8);
    private final Runnable wakeUp = this::onWakeUp;

    private ChannelHandlerContext ctx;
    // The request being decided or running.
    private int sliceId;
    private int routeId;
    private boolean sliceLimited;
    private boolean routeLimited;
    // The records' rates, copied at the head: the exchange's views move on with the next request head.
    private long sliceUplinkRate;
    private long sliceDownlinkRate;
    private long sliceBurst;
    private long routeUplinkRate;
    private long routeDownlinkRate;
    private long routeBurst;
    // The snapshot the rates were read from: the request's, then any later one; null before the first request.
    private Snapshot ratesFrom;
    private SliceQosConfig slice;
    private long budgetDeadlineNs;
    private long queuedAtNs;
    private long shapeUntilNs;
    private HttpRequest held;
    // Pacing.
    private long uplinkDebt;
    private boolean readWithheld;
    private boolean informational;
    private boolean unwritable;
    private boolean flushHeld;
    // The slice whose backlog this channel counts while it holds response parts, 0 when it counts none.
    private int backlogSliceId;
    private ScheduledFuture<?> timer;
    private long timerAtNs;

    /**
     * @param loop      the event loop's QoS view.
     * @param snapshots the current snapshot: a transfer in flight follows the rates of newer policy tables.
     * @param exchange  the connection's (or stream's) exchange: the request's slice, route and the policy records
     *                  it wrapped (from the same snapshot as the route); this stage decides its limits there.
     */
    public AdmitHandler(final LoopQos loop, final Snapshots snapshots, final Exchange exchange)
    {
        this.loop = requireNonNull(loop, "loop");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.exchange = requireNonNull(exchange, "exchange");
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest request)
        {
            onRequest(request);
            return;
        }
        if (msg instanceof HttpContent content && limited())
        {
            final int bytes = content.content().readableBytes();
            loop.countBytes(sliceId, LoopQos.UPLINK, bytes);
            if (!acquire(LoopQos.UPLINK, bytes))
            {
                uplinkDebt = bytes;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(final ChannelHandlerContext ctx)
    {
        if (held != null)
        {
            return;
        }
        if (uplinkDebt > 0 && !acquire(LoopQos.UPLINK, uplinkDebt))
        {
            readWithheld = true;
            wakeAt(loop.nanoTime() + loop.lastWaitNs());
            return;
        }
        uplinkDebt = 0;
        ctx.read();
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (!heldWrites.isEmpty())
        {
            hold(msg, promise);
            return;
        }
        if (msg instanceof HttpContent content && limited())
        {
            final int bytes = content.content().readableBytes();
            if (bytes > 0 && !acquire(LoopQos.DOWNLINK, bytes))
            {
                hold(msg, promise);
                return;
            }
        }
        passWrite(msg, promise);
    }

    @Override
    public void flush(final ChannelHandlerContext ctx)
    {
        if (heldWrites.isEmpty())
        {
            ctx.flush();
        }
        else
        {
            flushHeld = true;
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        cancelTimer();
        if (held != null)
        {
            loop.queue().remove(this);
            ReferenceCountUtil.release(held);
            held = null;
        }
        while (!heldWrites.isEmpty())
        {
            ReferenceCountUtil.release(heldWrites.poll());
            heldPromises.poll().tryFailure(new IllegalStateException("channel closed while paced"));
        }
        endBacklog();
        while (!gbrByResponse.isEmpty())
        {
            releaseGbr(gbrByResponse.pollLong());
        }
        ctx.fireChannelInactive();
    }

    private void onRequest(final HttpRequest request)
    {
        final long nowNs = loop.nanoTime();
        final Route route = exchange.route();
        sliceId = exchange.sliceId();
        // The route's record, or the one a classification rule gave the request's traffic (a MEC 015 session).
        routeId = route == null ? SlicePolicy.SLICE_DEFAULT_ROUTE_ID : exchange.recordRouteId();
        slice = loop.slice(sliceId);
        // The records the exchange wrapped once (route stage); the deadline from the record (or the route) and a
        // grpc-timeout, decided here for the forward stage.
        exchange.decideLimits(RequestHead.of(request, nettyHead).headerFields().first(GRPC_TIMEOUT, headerView));
        ratesFrom = exchange.snapshot();
        sliceRates(exchange.sliceRecordHit(), exchange.sliceRecord());
        routeRates(exchange.routeRecordHit(), exchange.routeRecord());
        final long timeoutMs = exchange.timeoutMs();
        budgetDeadlineNs = timeoutMs > 0 ? nowNs + timeoutMs * 1_000_000L : Long.MAX_VALUE;
        final int level = exchange.policyHit() ? exchange.policy().priorityLevel() : PriorityWaitQueue.MAX_LEVEL;
        final long requestsPerSecond = slice.requestsPerSecond();
        if (requestsPerSecond > 0 && !loop.tryAcquire(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID,
            LoopQos.REQUESTS, requestsPerSecond, requestBurst(requestsPerSecond), 1, nowNs))
        {
            final long waitNs = loop.lastWaitNs();
            if (slice.mode() == QosMode.SHAPE && slice.maxShapingWaitMs() > 0)
            {
                shapeUntilNs = nowNs + slice.maxShapingWaitMs() * 1_000_000L;
                if (slice.priorityWeight() > 0)
                {
                    loop.queue().weight(Math.max(1, Math.min(PriorityWaitQueue.MAX_LEVEL, level)),
                        slice.priorityWeight());
                }
                if (loop.queue().offer(this, level, Math.min(shapeUntilNs, budgetDeadlineNs)))
                {
                    held = request;
                    queuedAtNs = nowNs;
                    loop.count(sliceId, QosOutcome.SHAPED);
                    exchange.log().flag(AccessLogDescriptor.FLAG_SHAPED);
                    wakeAt(Math.min(Math.min(shapeUntilNs, budgetDeadlineNs), nowNs + waitNs));
                    return;
                }
                loop.count(sliceId, QosOutcome.REFUSED_QUEUE_FULL);
                answer(request, HttpResponseStatus.TOO_MANY_REQUESTS, "slice shaping queue full", waitNs);
                return;
            }
            loop.count(sliceId, QosOutcome.POLICED);
            exchange.log().flag(AccessLogDescriptor.FLAG_POLICED);
            answer(request, HttpResponseStatus.TOO_MANY_REQUESTS, "slice request rate exceeded", waitNs);
            return;
        }
        if (slice.mode() == QosMode.POLICE && sliceLimited && loop.backlog(sliceId) > 0)
        {
            // The slice is over its MBR: responses of its earlier requests wait for its downlink bucket. Policing
            // refuses new work now rather than admit it and pace it behind them (which, under a flood, would make
            // every response late instead of most of them refused early).
            loop.count(sliceId, QosOutcome.POLICED);
            answer(request, HttpResponseStatus.TOO_MANY_REQUESTS, "slice bit rate exceeded", NANOS_PER_SECOND);
            return;
        }
        admit(request);
    }

    /** Past the rate: GBR admission, then on to the next stage. */
    private void admit(final HttpRequest request)
    {
        final long gbrBps = slice.gbrBps();
        if (gbrBps > 0)
        {
            if (!loop.tryAdmitGbr(sliceId, gbrBps))
            {
                loop.count(sliceId, QosOutcome.REFUSED_GBR);
                answer(request, HttpResponseStatus.SERVICE_UNAVAILABLE, "slice guaranteed bit rate capacity full",
                    NANOS_PER_SECOND);
                return;
            }
        }
        gbrByResponse.offerLong(gbrBps);
        loop.count(sliceId, QosOutcome.ADMITTED);
        ctx.fireChannelRead(request);
    }

    /** A turn in the shaping queue: admitted if the slice's request bucket has a token now. */
    private boolean onTurn(final long nowNs)
    {
        if (held == null)
        {
            return true;
        }
        final long requestsPerSecond = slice.requestsPerSecond();
        if (!loop.tryAcquire(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, LoopQos.REQUESTS, requestsPerSecond,
            requestBurst(requestsPerSecond), 1, nowNs))
        {
            wakeAt(nowNs + loop.lastWaitNs());
            return false;
        }
        final HttpRequest request = held;
        held = null;
        loop.countQueued(sliceId, nowNs - queuedAtNs);
        exchange.waited(nowNs - queuedAtNs);
        admit(request);
        return true;
    }

    /** The wait ended in the queue: the delay budget passed (504), or the maximum shaping wait (429). */
    private void onExpired(final long nowNs)
    {
        final HttpRequest request = held;
        held = null;
        loop.countQueued(sliceId, nowNs - queuedAtNs);
        if (budgetDeadlineNs - nowNs <= 0)
        {
            loop.count(sliceId, QosOutcome.EXPIRED);
            answer(request, HttpResponseStatus.GATEWAY_TIMEOUT, "slice delay budget passed while queued", 0);
        }
        else
        {
            loop.count(sliceId, QosOutcome.POLICED);
            exchange.log().flag(AccessLogDescriptor.FLAG_POLICED);
            answer(request, HttpResponseStatus.TOO_MANY_REQUESTS, "slice request rate exceeded (shaping wait over)",
                NANOS_PER_SECOND);
        }
    }

    private void onWakeUp()
    {
        timer = null;
        final long nowNs = loop.nanoTime();
        if (held != null)
        {
            loop.queue().drain(nowNs, TURNS);
            if (held != null && timer == null)
            {
                wakeAt(Math.min(Math.min(shapeUntilNs, budgetDeadlineNs), nowNs + 1_000_000L));
            }
        }
        releaseHeldWrites();
        if (readWithheld && heldWrites.isEmpty())
        {
            readWithheld = false;
            read(ctx);
        }
    }

    /** Sends held response parts while the buckets allow; makes the channel writable again once none is held. */
    private void releaseHeldWrites()
    {
        boolean wrote = false;
        while (!heldWrites.isEmpty())
        {
            final Object msg = heldWrites.peek();
            if (msg instanceof HttpContent content)
            {
                final int bytes = content.content().readableBytes();
                if (bytes > 0 && !acquire(LoopQos.DOWNLINK, bytes))
                {
                    wakeAt(loop.nanoTime() + loop.lastWaitNs());
                    break;
                }
            }
            heldWrites.poll();
            passWrite(msg, heldPromises.poll());
            wrote = true;
        }
        if (heldWrites.isEmpty())
        {
            if (wrote || flushHeld)
            {
                flushHeld = false;
                ctx.flush();
            }
            writable(true);
            endBacklog();
        }
        else if (wrote)
        {
            ctx.flush();
        }
    }

    private void hold(final Object msg, final ChannelPromise promise)
    {
        heldWrites.add(msg);
        heldPromises.add(promise);
        writable(false);
        if (heldWrites.size() == 1)
        {
            if (backlogSliceId == 0)
            {
                backlogSliceId = sliceId;
                loop.backlog(sliceId, 1);
            }
            wakeAt(loop.nanoTime() + loop.lastWaitNs());
        }
    }

    private void endBacklog()
    {
        if (backlogSliceId != 0)
        {
            loop.backlog(backlogSliceId, -1);
            backlogSliceId = 0;
        }
    }

    private void passWrite(final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpResponse response)
        {
            informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                && !(msg instanceof FullHttpResponse);
        }
        if (msg instanceof HttpContent content && (sliceLimited || routeLimited || sliceId != 0))
        {
            loop.countBytes(sliceId, LoopQos.DOWNLINK, content.content().readableBytes());
        }
        if (msg instanceof LastHttpContent)
        {
            if (informational)
            {
                informational = false;
            }
            else if (!gbrByResponse.isEmpty())
            {
                releaseGbr(gbrByResponse.pollLong());
            }
        }
        ctx.write(msg, promise);
    }

    private void releaseGbr(final long gbrBps)
    {
        if (gbrBps > 0)
        {
            loop.releaseGbr(sliceId, gbrBps);
        }
    }

    private void sliceRates(final boolean hit, final PolicyFlyweight record)
    {
        sliceUplinkRate = hit ? record.uplinkRateBytesPerSecond() : 0;
        sliceDownlinkRate = hit ? record.downlinkRateBytesPerSecond() : 0;
        sliceBurst = hit ? record.burstBytes() : 0;
        sliceLimited = sliceUplinkRate > 0 || sliceDownlinkRate > 0;
    }

    private void routeRates(final boolean hit, final PolicyFlyweight record)
    {
        routeUplinkRate = hit ? record.uplinkRateBytesPerSecond() : 0;
        routeDownlinkRate = hit ? record.downlinkRateBytesPerSecond() : 0;
        routeBurst = hit ? record.burstBytes() : 0;
        routeLimited = routeUplinkRate > 0 || routeDownlinkRate > 0;
    }

    /** Whether the request's body bytes are charged to a bucket, under the current policy records. */
    private boolean limited()
    {
        followPolicy();
        return sliceLimited || routeLimited;
    }

    /**
     * Reads the rates again, for the same slice and route, when a newer snapshot was published since they were
     * read: a running transfer is paced at the policy in force, not only at its request head's.
     */
    private void followPolicy()
    {
        final Snapshot current = snapshots.current();
        if (current == ratesFrom || ratesFrom == null)
        {
            return;
        }
        ratesFrom = current;
        final PolicyTable table = current.policies();
        sliceRates(wrap(table, SlicePolicy.SLICE_DEFAULT_ROUTE_ID), reread);
        routeRates(routeId != SlicePolicy.SLICE_DEFAULT_ROUTE_ID && wrap(table, routeId), reread);
    }

    /** Points {@link #reread} at the request slice's record of exactly this route (as the exchange does). */
    private boolean wrap(final PolicyTable table, final int route)
    {
        final int offset = sliceId == 0 ? PolicyTable.NOT_FOUND : table.find(sliceId, route);
        if (offset == PolicyTable.NOT_FOUND)
        {
            return false;
        }
        reread.wrap(table.buffer(), offset);
        return true;
    }

    /** Charges both the slice's and the route's bucket of a direction, at the rates of the current records. */
    private boolean acquire(final int kind, final long bytes)
    {
        followPolicy();
        final long nowNs = loop.nanoTime();
        if (sliceLimited && !loop.tryAcquire(sliceId, SlicePolicy.SLICE_DEFAULT_ROUTE_ID, kind,
            kind == LoopQos.UPLINK ? sliceUplinkRate : sliceDownlinkRate, sliceBurst, bytes, nowNs))
        {
            return false;
        }
        return !routeLimited || loop.tryAcquire(sliceId, routeId, kind,
            kind == LoopQos.UPLINK ? routeUplinkRate : routeDownlinkRate, routeBurst, bytes, nowNs);
    }

    private void answer(final HttpRequest request, final HttpResponseStatus status, final String reason,
        final long retryAfterNs)
    {
        ReferenceCountUtil.release(request);
        final FullHttpResponse response = DirectResponse.newResponse(ctx, status, reason + "\n");
        if (retryAfterNs > 0)
        {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER,
                (int)Math.max(1, (retryAfterNs + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND));
        }
        exchange.answerLocally(ctx, response);
    }

    private void writable(final boolean writable)
    {
        if (unwritable == !writable)
        {
            return;
        }
        unwritable = !writable;
        final ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null)
        {
            buffer.setUserDefinedWritability(PACING_WRITABILITY_INDEX, writable);
            return;
        }
        // An HTTP/2 stream has no outbound buffer of its own: the forward stage reads the flag in the exchange, and
        // is told here (only it and later stages see the event) when it may read the upstream again.
        exchange.responsePaced(!writable);
        if (writable)
        {
            ctx.fireChannelWritabilityChanged();
        }
    }

    private void wakeAt(final long atNs)
    {
        final long nowNs = loop.nanoTime();
        if (timer != null)
        {
            if (timerAtNs - atNs <= 0)
            {
                return;
            }
            timer.cancel(false);
        }
        timerAtNs = atNs;
        timer = ctx.executor().schedule(wakeUp, Math.max(0, atNs - nowNs), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer()
    {
        if (timer != null)
        {
            timer.cancel(false);
            timer = null;
        }
    }

    private static long requestBurst(final long requestsPerSecond)
    {
        return Math.max(1, requestsPerSecond / 10);
    }
}
