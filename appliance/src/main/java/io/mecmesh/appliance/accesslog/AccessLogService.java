package io.mecmesh.appliance.accesslog;

import io.mecmesh.appliance.config.AccessLogConfig;
import io.mecmesh.dataplane.accesslog.AccessLog;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * The running access log: the ring the data plane's event loops write (many-to-one, {@value #RING_CAPACITY} bytes,
 * about 10,000 records) and the agent thread that drains it into the queue (when {@code accessLog} is enabled) and
 * into the request metrics (when {@code telemetry.requestMetrics} is on). Closing detaches the data plane, drains
 * the ring and closes the queue.
 */
public final class AccessLogService implements AutoCloseable
{
    /** The ring's capacity: about 0.14 s of records at 70,000 requests/s before records are dropped. */
    static final int RING_CAPACITY = 1 << 20;
    /** The drain thread's sleep when the ring is empty, ms. */
    static final long IDLE_SLEEP_MS = 5;

    private final AccessLog accessLog;
    private final AccessLogAgent agent;
    private final AgentRunner runner;

    private AccessLogService(final AccessLog accessLog, final AccessLogAgent agent, final AgentRunner runner)
    {
        this.accessLog = accessLog;
        this.agent = agent;
        this.runner = runner;
    }

    /**
     * Starts the agent and attaches the ring to the data plane's access log.
     *
     * @param config    where and how long ({@code enabled} false: nothing is written to disk).
     * @param accessLog the data plane's access log.
     * @return the running access log.
     */
    public static AccessLogService start(final AccessLogConfig config, final AccessLog accessLog)
    {
        return start(config, AccessLogListener.NONE, accessLog);
    }

    /**
     * Starts the agent and attaches the ring to the data plane's access log.
     *
     * @param config    where and how long ({@code enabled} false: the records only go to the listener).
     * @param listener  told of every record on the agent's thread (the request metrics).
     * @param accessLog the data plane's access log.
     * @return the running access log.
     */
    public static AccessLogService start(final AccessLogConfig config, final AccessLogListener listener,
        final AccessLog accessLog)
    {
        requireNonNull(config, "config");
        requireNonNull(listener, "listener");
        requireNonNull(accessLog, "accessLog");
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
        final AccessLogAgent agent = new AccessLogAgent(ring, accessLog.names(), config.directory(),
            config.enabled(), config.retentionHours(), config.maxBytes(), SystemEpochClock.INSTANCE, listener);
        // The queue is opened here, so that a directory that cannot be written fails the start.
        agent.onStart();
        // Drains whatever the ring holds, then sleeps IDLE_SLEEP_MS: a record waits at most that long, and the thread
        // wakes ~200 times a second whatever the request rate (a backoff from 1 us parks woke it once or more per
        // request at 5,000 req/s: +38 us CPU per request, perf/overhead.sh --feature accesslog). The ring holds
        // ~10,000 records, IDLE_SLEEP_MS of requests up to ~2,000,000 req/s.
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(IDLE_SLEEP_MS), Throwable::toString,
            null, agent);
        AgentRunner.startOnThread(runner);
        accessLog.attach(ring);
        return new AccessLogService(accessLog, agent, runner);
    }

    @Override
    public void close()
    {
        accessLog.detach();
        runner.close();
    }

    /**
     * @return the records written to the queue so far.
     */
    public long written()
    {
        return agent.written();
    }
}
