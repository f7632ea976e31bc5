package io.mecmesh.slicemanager.cluster;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The process's client of the control-plane cluster (slice-manager/DESIGN-ha.md 1.3): API threads
 * {@link #submit(UUID, byte[])} an envelope and get a future completed by the service's reply, matched by request
 * id. As an {@link Agent} it polls the egress and keeps the cluster session alive.
 *
 * <p>{@link AeronCluster} is not thread-safe: every use of it (offers from API threads, polls from the agent) is
 * under one lock, held only for the call. Futures are completed on the agent's thread; callers must not block in
 * their continuations.
 */
public final class ClusterGateway implements Agent, EgressListener, AutoCloseable
{
    /** How often the session is kept alive when no request goes out (well under Aeron's 10 s session timeout). */
    public static final long DEFAULT_KEEP_ALIVE_INTERVAL_NS = 1_000_000_000L;

    private static final long OFFER_RETRY_NS = 100_000L;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<UUID, CompletableFuture<Outcome>> pending = new ConcurrentHashMap<>();
    private final ClusterEnvelope reply = new ClusterEnvelope();
    private final NanoClock clock;
    private final long keepAliveIntervalNs;
    private Supplier<AeronCluster.Context> contexts;
    private AeronCluster cluster;
    private AeronCluster.AsyncConnect connecting;
    private long lastSentNs;
    private long lastReconnectNs;
    private volatile long reconnects;
    private volatile boolean closed;

    /**
     * @param clock               the clock of the keep-alive interval.
     * @param keepAliveIntervalNs how long without a request before a keep-alive.
     */
    public ClusterGateway(final NanoClock clock, final long keepAliveIntervalNs)
    {
        this.clock = requireNonNull(clock, "clock");
        if (keepAliveIntervalNs <= 0)
        {
            throw new IllegalArgumentException("keepAliveIntervalNs: must be positive, was " + keepAliveIntervalNs);
        }
        this.keepAliveIntervalNs = keepAliveIntervalNs;
    }

    /**
     * Connects to the cluster (blocking until a session is open or the context's message timeout passes). When the
     * cluster closes the session later (e.g. the process was paused past the session timeout), {@link #doWork()}
     * connects again with a new context from the same factory, at most once per keep-alive interval.
     *
     * @param contexts makes the client's context; its egress listener is set to this gateway.
     * @return this.
     */
    public ClusterGateway connect(final Supplier<AeronCluster.Context> contexts)
    {
        requireNonNull(contexts, "contexts");
        final AeronCluster connected = AeronCluster.connect(contexts.get().egressListener(this));
        lock.lock();
        try
        {
            this.contexts = contexts;
            cluster = connected;
            lastSentNs = clock.nanoTime();
        }
        finally
        {
            lock.unlock();
        }
        return this;
    }

    /**
     * Connects in the background ({@link #doWork()}, without blocking it): for members that start one by one, when
     * there may be no leader yet. Until connected, {@link #submit} is refused as "not taken".
     *
     * @param contexts makes the client's context; its egress listener is set to this gateway.
     * @return this.
     */
    public ClusterGateway connectLater(final Supplier<AeronCluster.Context> contexts)
    {
        requireNonNull(contexts, "contexts");
        lock.lock();
        try
        {
            this.contexts = contexts;
        }
        finally
        {
            lock.unlock();
        }
        return this;
    }

    /**
     * @return whether a session to the cluster is open (any thread).
     */
    public boolean isConnected()
    {
        lock.lock();
        try
        {
            return cluster != null && !cluster.isClosed();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Closes the current session as the cluster would (for tests of the reconnection).
     */
    void dropSession()
    {
        lock.lock();
        try
        {
            cluster.close();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return how many times the gateway connected again after its session closed.
     */
    public long reconnects()
    {
        return reconnects;
    }

    /**
     * Offers an envelope to the cluster. The future completes with the service's outcome once the entry is
     * committed and applied; it never completes if the entry is lost (the caller times out and retries with the same
     * request id, which the service answers once).
     *
     * @param requestId the envelope's request id.
     * @param message   the encoded envelope ({@link ClusterEnvelope#encode}).
     * @param deadlineNs until when to retry an offer refused by back pressure (on the gateway's clock).
     * @return the outcome's future, or one failed with {@link IllegalStateException} if the offer was not taken.
     */
    public CompletableFuture<Outcome> submit(final UUID requestId, final byte[] message, final long deadlineNs)
    {
        requireNonNull(requestId, "requestId");
        requireNonNull(message, "message");
        final CompletableFuture<Outcome> future = pending.computeIfAbsent(requestId,
            (Function<UUID, CompletableFuture<Outcome>>)id -> new CompletableFuture<>());
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        long result;
        do
        {
            lock.lock();
            try
            {
                if (closed)
                {
                    break;
                }
                result = cluster == null || cluster.isClosed() ? Publication.NOT_CONNECTED : cluster.offer(buffer, 0, message.length);
                if (result > 0)
                {
                    lastSentNs = clock.nanoTime();
                    return future;
                }
            }
            finally
            {
                lock.unlock();
            }
            LockSupport.parkNanos(OFFER_RETRY_NS);
        }
        while (clock.nanoTime() - deadlineNs < 0);
        pending.remove(requestId, future);
        future.completeExceptionally(new IllegalStateException("the control-plane cluster did not take request "
            + requestId + " (no leader or back pressure)"));
        return future;
    }

    /**
     * Forgets a request the caller stopped waiting for.
     *
     * @param requestId the request id.
     */
    public void abandon(final UUID requestId)
    {
        pending.remove(requestId);
    }

    @Override
    public int doWork()
    {
        lock.lock();
        try
        {
            if (closed || contexts == null)
            {
                return 0;
            }
            if (cluster == null || cluster.isClosed())
            {
                return reconnect();
            }
            int work = cluster.pollEgress();
            final long nowNs = clock.nanoTime();
            if (nowNs - lastSentNs >= keepAliveIntervalNs && cluster.sendKeepAlive())
            {
                lastSentNs = nowNs;
                work++;
            }
            return work;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: a new session, connected step by step (never blocking the agent); requests offered on the old
     * one are answered by the caller's timeout.
     */
    private int reconnect()
    {
        final long nowNs = clock.nanoTime();
        if (connecting == null)
        {
            if (nowNs - lastReconnectNs < keepAliveIntervalNs)
            {
                return 0;
            }
            lastReconnectNs = nowNs;
            connecting = AeronCluster.asyncConnect(contexts.get().egressListener(this));
        }
        try
        {
            final AeronCluster connected = connecting.poll();
            if (connected == null)
            {
                return 0;
            }
            connecting = null;
            if (cluster != null)
            {
                reconnects++;
            }
            cluster = connected;
            lastSentNs = nowNs;
            return 1;
        }
        catch (final RuntimeException ex)
        {
            // No leader yet, or the member is shutting down: try again after the interval.
            connecting.close();
            connecting = null;
            lastReconnectNs = nowNs;
            return 0;
        }
    }

    @Override
    public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        reply.wrap(buffer, offset, length);
        if (!reply.isWellFormed() || reply.type() != ClusterEnvelope.TYPE_REPLY)
        {
            return;
        }
        final CompletableFuture<Outcome> future = pending.remove(reply.requestId());
        if (future != null)
        {
            future.complete(Outcome.decode(buffer, reply.bodyOffset(), reply.bodyLength()));
        }
    }

    @Override
    public String roleName()
    {
        return "mecmesh-cluster-gateway";
    }

    @Override
    public void onClose()
    {
        close();
    }

    @Override
    public void close()
    {
        closed = true;
        lock.lock();
        try
        {
            if (cluster != null)
            {
                cluster.close();
            }
            if (connecting != null)
            {
                connecting.close();
                connecting = null;
            }
        }
        finally
        {
            lock.unlock();
        }
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("gateway closed")));
        pending.clear();
    }
}
