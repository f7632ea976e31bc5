package io.mecmesh.dataplane.balance;

import io.mecmesh.dataplane.cluster.Cluster;
import io.mecmesh.dataplane.cluster.EndpointState;
import io.mecmesh.dataplane.cluster.LbPolicy;
import io.mecmesh.dataplane.cluster.UpstreamProtocol;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.qos.PriorityWaitQueue;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;

import static java.util.Objects.requireNonNull;

/**
 * The balance step of one exchange, asked by the forward stage at each attempt: the endpoint of each attempt (a new
 * pick per attempt, avoiding the endpoint the previous attempt failed on), the attempt's outcome reported to the
 * cluster (outlier ejection, least request), and the exchange's slots of the cluster's circuit breakers: the
 * request breaker from {@link #begin} to {@link #end}, the pending breaker while an attempt waits for a new
 * connection, the retry breaker from the first retry. Every slot taken is given back exactly once, at {@link #end}
 * at the latest.
 *
 * <p><b>Waiting for a slot</b> (issue 13 item 9). When the cluster has {@code maxActiveRequestsPerLoop}, the
 * request also takes a slot of its event loop's share ({@link ActiveRequests}, from {@link ClusterQueues}) in
 * {@link #begin(Cluster, HttpHeaders, int, long)}; without a free one it waits in that share's queue by its
 * priority level, and its {@link Waiter} hears when it got the slot or its deadline passed. {@link #end} gives the
 * slot back (waking the next waiter of the loop) or leaves the queue.
 *
 * <p>One instance per exchange (carried by it, reused by each request), confined to its event loop. Allocates
 * nothing.
 */
public final class Balancer
{
    /** {@link #begin(Cluster, HttpHeaders, int, long)}: the request goes on now. */
    public static final int BEGUN = 0;
    /** {@link #begin(Cluster, HttpHeaders, int, long)}: the request waits; its {@link Waiter} hears the end. */
    public static final int WAITING = 1;
    /** {@link #begin(Cluster, HttpHeaders, int, long)}: the request breaker is open or the wait queue full. */
    public static final int REFUSED = 2;

    /** Hears the end of a wait for an active-request slot (on the exchange's event loop). */
    public interface Waiter
    {
        /**
         * @param granted true: the slot is held, start the request; false: its deadline passed while it waited.
         */
        void onWaitOver(boolean granted);
    }

    private ClusterQueues queues;
    private Waiter waiter;
    private ActiveRequests share;
    private boolean holdsActive;
    private int level;
    private boolean waiting;
    private boolean granted;
    private Cluster cluster;
    private EndpointState endpoint;
    private EndpointState failedEndpoint;
    private long attemptStartNs;
    private boolean attemptOpen;
    private boolean holdsRequest;
    private boolean holdsPending;
    private boolean holdsRetry;

    /**
     * Begins a request on a cluster: takes a slot of its request breaker. For an HTTP/2 cluster the request gets
     * the scheme pseudo-header's extension header ({@code https} when the cluster has TLS).
     *
     * @param cluster the cluster the route picked for this request.
     * @param headers the request's headers, about to be sent upstream.
     * @return false when the request breaker is open (nothing is held then).
     */
    public boolean begin(final Cluster cluster, final HttpHeaders headers)
    {
        return begin(cluster, headers, PriorityWaitQueue.MAX_LEVEL, 0) == BEGUN;
    }

    /**
     * Binds the exchange's event loop and what hears of its waits, once per connection.
     *
     * @param loopQueues the loop's shares of the clusters' active-request limits.
     * @param onWaitOver hears the end of each wait.
     * @return this.
     */
    public Balancer bind(final ClusterQueues loopQueues, final Waiter onWaitOver)
    {
        this.queues = requireNonNull(loopQueues, "loopQueues");
        this.waiter = requireNonNull(onWaitOver, "onWaitOver");
        return this;
    }

    /**
     * Begins a request on a cluster as {@link #begin(Cluster, HttpHeaders)}, then takes a slot of the loop's share
     * of the cluster's active-request limit, or queues for one (when bound and the cluster has the limit).
     *
     * @param cluster    the cluster the route picked for this request.
     * @param headers    the request's headers, about to be sent upstream.
     * @param level      the request's 5QI priority level (1 highest to 127).
     * @param timeoutMs  the request's timeout (its delay budget), 0 for none: a wait ends expired after it.
     * @return {@link #BEGUN}, {@link #WAITING} or {@link #REFUSED} (slots taken are given back by {@link #end}).
     */
    public int begin(final Cluster cluster, final HttpHeaders headers, final int level, final long timeoutMs)
    {
        if (!beginRequest(cluster, headers))
        {
            return REFUSED;
        }
        share = queues == null ? null : queues.of(cluster);
        this.level = level;
        if (share == null)
        {
            holdsActive = false;
            return BEGUN;
        }
        final long nowNs = System.nanoTime();
        if (share.tryTake(level, nowNs))
        {
            holdsActive = true;
            return BEGUN;
        }
        waiting = share.offer(this, level, nowNs, timeoutMs > 0 ? nowNs + timeoutMs * 1_000_000L : Long.MAX_VALUE);
        return waiting ? WAITING : REFUSED;
    }

    private boolean beginRequest(final Cluster cluster, final HttpHeaders headers)
    {
        if (cluster.config().protocol() == UpstreamProtocol.HTTP2)
        {
            headers.set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
                cluster.sslContext() != null ? "https" : "http");
        }
        this.cluster = requireNonNull(cluster, "cluster");
        endpoint = null;
        failedEndpoint = null;
        attemptOpen = false;
        holdsRequest = cluster.tryAcquire(Overflow.REQUESTS);
        return holdsRequest;
    }

    /** The wait is over: called by the share once it has left the queue (see {@link #onWaitOver}). */
    void granted(final boolean slot)
    {
        waiting = false;
        granted = slot;
        holdsActive = slot;
    }

    /**
     * @return the priority level of the request begun last.
     */
    int level()
    {
        return level;
    }

    void onWaitOver()
    {
        waiter.onWaitOver(granted);
    }

    /**
     * The request's deadline passed while it waited for an active-request slot: it leaves the queue, counted as
     * expired.
     *
     * @return true if it was waiting.
     */
    public boolean expireWait()
    {
        if (!waiting)
        {
            return false;
        }
        waiting = false;
        share.remove(this);
        share.countExpired();
        return true;
    }

    /**
     * @return true while the request waits for an active-request slot.
     */
    public boolean waiting()
    {
        return waiting;
    }

    /**
     * @return the request's cluster.
     */
    public Cluster cluster()
    {
        return cluster;
    }

    /**
     * @return the name of the hash header when the cluster balances by ring hash, else {@code null}.
     */
    public CharSequence hashHeader()
    {
        return cluster.config().lbPolicy() == LbPolicy.RING_HASH ? cluster.config().hashHeader() : null;
    }

    /**
     * Picks the endpoint of a new attempt and counts the attempt as started on it.
     *
     * @param hashKey the request's hash header value for ring hash, else {@code null}.
     * @param nowNs   the attempt's start.
     * @return the endpoint.
     */
    public EndpointState pick(final CharSequence hashKey, final long nowNs)
    {
        endpoint = cluster.pick(hashKey, failedEndpoint);
        cluster.onAttemptStart(endpoint);
        attemptOpen = true;
        attemptStartNs = nowNs;
        return endpoint;
    }

    /**
     * @return the endpoint of the last attempt, {@code null} before the first.
     */
    public EndpointState endpoint()
    {
        return endpoint;
    }

    /**
     * @return true while the last attempt has no outcome yet.
     */
    public boolean attemptOpen()
    {
        return attemptOpen;
    }

    /**
     * The attempt ended without a verdict on its endpoint (client gone, stale pooled connection, GOAWAY resend).
     */
    public void abandon()
    {
        if (attemptOpen)
        {
            attemptOpen = false;
            cluster.onAbandoned(endpoint);
        }
    }

    /**
     * The attempt failed (connect failure, reset, timeout, a retried or 5xx status): the next pick avoids its
     * endpoint.
     */
    public void fail()
    {
        if (attemptOpen)
        {
            attemptOpen = false;
            cluster.onFailure(endpoint);
        }
        failedEndpoint = endpoint;
    }

    /**
     * The attempt got its response head.
     *
     * @param status the response status: 5xx counts as a failure.
     * @param nowNs  when the head arrived.
     */
    public void respond(final int status, final long nowNs)
    {
        attemptOpen = false;
        if (status >= 500)
        {
            cluster.onFailure(endpoint);
        }
        else
        {
            cluster.onSuccess(endpoint, nowNs - attemptStartNs);
        }
    }

    /**
     * Holds a slot of the pending breaker while the attempt waits for a new connection (at most one per exchange).
     *
     * @return false when the pending breaker is open.
     */
    public boolean holdPending()
    {
        if (!holdsPending)
        {
            holdsPending = cluster.tryAcquire(Overflow.PENDING);
        }
        return holdsPending;
    }

    /**
     * The attempt has its connection: gives back the pending slot, if held.
     */
    public void releasePending()
    {
        if (holdsPending)
        {
            holdsPending = false;
            cluster.release(Overflow.PENDING);
        }
    }

    /**
     * Holds a slot of the retry breaker from the first retry on.
     *
     * @return false when the retry breaker is open.
     */
    public boolean holdRetry()
    {
        if (!holdsRetry)
        {
            holdsRetry = cluster.tryAcquire(Overflow.RETRIES);
            return holdsRetry;
        }
        return true;
    }

    /**
     * A retry held by {@link #holdRetry} for the first time is not made after all (retry budget exhausted).
     *
     * @param firstRetry whether the slot was taken for this retry.
     */
    public void cancelRetry(final boolean firstRetry)
    {
        if (firstRetry && holdsRetry)
        {
            holdsRetry = false;
            cluster.release(Overflow.RETRIES);
        }
    }

    /**
     * @return true while the exchange holds a retry slot.
     */
    public boolean holdsRetry()
    {
        return holdsRetry;
    }

    /**
     * The exchange is over: gives back every slot it holds. Idempotent.
     */
    public void end()
    {
        releasePending();
        if (waiting)
        {
            waiting = false;
            share.remove(this);
        }
        if (holdsActive)
        {
            holdsActive = false;
            share.release(level, System.nanoTime());
        }
        if (holdsRequest)
        {
            holdsRequest = false;
            cluster.release(Overflow.REQUESTS);
        }
        if (holdsRetry)
        {
            holdsRetry = false;
            cluster.release(Overflow.RETRIES);
        }
    }
}
