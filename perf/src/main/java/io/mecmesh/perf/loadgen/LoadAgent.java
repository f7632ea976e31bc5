package io.mecmesh.perf.loadgen;

import io.netty.channel.EventLoop;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Drives the connections of one event loop through the run. Confined to that event loop: every method but
 * {@link #start} runs on it.
 *
 * <p>Open loop (the wrk2 model): the run's schedule is request {@code i} due at {@code startNs + i / rate}; agent
 * {@code k} of {@code n} takes the requests {@code i = k, k + n, k + 2n, ...}, so the agents together keep the
 * schedule exactly. A due request goes to a connection with a free slot; when there is none it waits (a backlog of
 * indices, nothing allocated) with its latency clock already running, because latency is recorded from the intended
 * send time. Requests {@code i < warmupRequests} are the warm-up: sent, never measured; those still waiting for a
 * connection when the window opens are dropped (counted), so a backlog of the warm-up never delays the window.
 *
 * <p>Closed loop: every free slot sends at once, and again as soon as its response arrives; latency runs from the
 * actual send.
 *
 * <p>Every phase is bounded in time: no request is scheduled after the window ends, and the run stops at the drain
 * deadline ({@code windowEnd + timeout}) whatever is still in flight (counted as timeouts) or never sent.
 */
final class LoadAgent implements Runnable
{
    /** Housekeeping period: reconnects, timeouts, end of phases. */
    static final long TICK_NS = 10_000_000L;

    private final EventLoop eventLoop;
    private final int agentIndex;
    private final int agentCount;
    private final LoadGenConfig config;
    private final LoadCounters counters;
    private final Recorder correctedUs;
    private final Recorder uncorrectedUs;
    private final RequestTemplate template;
    private final CountDownLatch firstAttempts;
    private final CountDownLatch finished;
    private final List<LoadConnection> connections = new ArrayList<>();
    private final double periodNs;
    private final long totalRequests;
    private final long warmupRequests;

    private ScheduledFuture<?> timer;
    private long armedWakeNs;
    private boolean running;
    private boolean stopping;
    private boolean done;
    private long startNs;
    private long windowStartNs;
    private long windowEndNs;
    private long drainDeadlineNs;
    private long nextIndex;
    private long nextDueIndex;
    private int cursor;

    /**
     * @param eventLoop      the event loop this agent is confined to.
     * @param agentIndex     this agent's share of the schedule: requests {@code agentIndex + j * agentCount}.
     * @param agentCount     agents in the run.
     * @param config         the run.
     * @param counters       where outcomes are counted.
     * @param correctedUs    latency from the intended send time, microseconds.
     * @param uncorrectedUs  latency from the actual send time (what a closed-loop tool would report).
     * @param template       the request, owned by this agent from now on.
     * @param firstAttempts  counted down once per connection after its first connect attempt.
     * @param finished       counted down once when the agent has finished.
     * @param connectionsOf  makes this agent's connections.
     * @param connectionCount how many connections this agent has.
     */
    LoadAgent(
        final EventLoop eventLoop,
        final int agentIndex,
        final int agentCount,
        final LoadGenConfig config,
        final LoadCounters counters,
        final Recorder correctedUs,
        final Recorder uncorrectedUs,
        final RequestTemplate template,
        final CountDownLatch firstAttempts,
        final CountDownLatch finished,
        final Function<LoadAgent, LoadConnection> connectionsOf,
        final int connectionCount)
    {
        this.eventLoop = requireNonNull(eventLoop, "eventLoop");
        this.agentIndex = agentIndex;
        this.agentCount = agentCount;
        this.config = requireNonNull(config, "config");
        this.counters = requireNonNull(counters, "counters");
        this.correctedUs = requireNonNull(correctedUs, "correctedUs");
        this.uncorrectedUs = requireNonNull(uncorrectedUs, "uncorrectedUs");
        this.template = requireNonNull(template, "template");
        this.firstAttempts = requireNonNull(firstAttempts, "firstAttempts");
        this.finished = requireNonNull(finished, "finished");
        for (int i = 0; i < connectionCount; i++)
        {
            connections.add(connectionsOf.apply(this));
        }
        this.periodNs = config.closedLoop() ? 0 : 1e9 / config.ratePerSecond();
        this.warmupRequests = config.closedLoop() ? 0 : requestsIn(config.warmupNs(), config.ratePerSecond());
        this.totalRequests = config.closedLoop() ? 0 :
            warmupRequests + requestsIn(config.durationNs(), config.ratePerSecond());
        this.nextIndex = agentIndex;
        this.nextDueIndex = agentIndex;
    }

    /**
     * @param spanNs a span of time.
     * @param rate   requests per second.
     * @return requests the schedule holds in that span, rounded to the nearest.
     */
    static long requestsIn(final long spanNs, final double rate)
    {
        return Math.round(spanNs / 1e9 * rate);
    }

    /**
     * Opens every connection (on the event loop); {@code firstAttempts} counts each first outcome.
     */
    void connectAll()
    {
        eventLoop.execute(() ->
        {
            for (final LoadConnection connection : connections)
            {
                connection.connect();
            }
        });
    }

    /**
     * Starts the schedule. Called from any thread; every agent of a run gets the same start.
     *
     * @param startNs when request 0 is due ({@link System#nanoTime()} time base).
     */
    void start(final long startNs)
    {
        eventLoop.schedule(() ->
        {
            this.startNs = startNs;
            this.windowStartNs = startNs + config.warmupNs();
            this.windowEndNs = windowStartNs + config.durationNs();
            this.drainDeadlineNs = windowEndNs + config.timeoutNs();
            this.running = true;
            run();
        }, Math.max(0, startNs - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * The timer: one unit of work, then the next wake-up.
     */
    @Override
    public void run()
    {
        if (done)
        {
            return;
        }
        timer = null;
        final long nowNs = System.nanoTime();
        doWork(nowNs);
        arm(nowNs);
    }

    /**
     * Makes sure the timer fires by the next wake-up this agent needs; re-armed earlier when a dispatch outside the
     * timer (a response freeing a slot) has cleared a backlog, so the next due request is not left to the tick.
     */
    private void arm(final long nowNs)
    {
        if (done)
        {
            return;
        }
        final long wakeNs = nextWakeNs(nowNs);
        if (timer != null)
        {
            if (wakeNs - armedWakeNs >= 0)
            {
                return;
            }
            timer.cancel(false);
        }
        armedWakeNs = wakeNs;
        timer = eventLoop.schedule(this, Math.max(0, wakeNs - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * @param nowNs now.
     * @return work done: connections opened, requests expired and sent.
     */
    int doWork(final long nowNs)
    {
        int work = 0;
        if (nowNs - windowEndNs < 0)
        {
            for (final LoadConnection connection : connections)
            {
                if (connection.shouldReconnect(nowNs))
                {
                    connection.connect();
                    work++;
                }
            }
        }
        for (final LoadConnection connection : connections)
        {
            work += connection.expire(nowNs, config.timeoutNs());
        }
        work += dispatch(nowNs);
        if (isFinished(nowNs))
        {
            finish();
        }
        return work;
    }

    private long nextWakeNs(final long nowNs)
    {
        long wakeNs = nowNs + TICK_NS;
        if (!config.closedLoop() && nextIndex < totalRequests)
        {
            final long dueNs = intendedNs(nextIndex);
            if (dueNs - nowNs > 0)
            {
                wakeNs = Math.min(wakeNs, dueNs);
            }
        }
        if (windowEndNs - nowNs > 0)
        {
            wakeNs = Math.min(wakeNs, windowEndNs);
        }
        return Math.min(wakeNs, drainDeadlineNs);
    }

    private long intendedNs(final long index)
    {
        return startNs + Math.round(index * periodNs);
    }

    private int dispatch(final long nowNs)
    {
        if (!running || stopping)
        {
            return 0;
        }
        return config.closedLoop() ? dispatchClosedLoop(nowNs) : dispatchOpenLoop(nowNs);
    }

    private int dispatchOpenLoop(final long nowNs)
    {
        while (nextDueIndex < totalRequests && intendedNs(nextDueIndex) - nowNs <= 0)
        {
            if (nextDueIndex >= warmupRequests)
            {
                counters.increment(LoadCounter.SCHEDULED);
            }
            nextDueIndex += agentCount;
        }
        int sent = 0;
        while (nextIndex < nextDueIndex)
        {
            if (nextIndex < warmupRequests && nowNs - windowStartNs >= 0)
            {
                // The window is open and this warm-up request is still waiting: dropping it keeps the window's
                // requests from queueing behind a backlog the warm-up built up (a cold JIT, a slow start).
                counters.increment(LoadCounter.DROPPED_WARMUP);
                nextIndex += agentCount;
                continue;
            }
            final LoadConnection connection = nextFree();
            if (connection == null)
            {
                break;
            }
            send(connection, intendedNs(nextIndex), nowNs, nextIndex >= warmupRequests);
            nextIndex += agentCount;
            sent++;
        }
        return sent;
    }

    private int dispatchClosedLoop(final long nowNs)
    {
        if (nowNs - startNs < 0 || nowNs - windowEndNs >= 0)
        {
            return 0;
        }
        final boolean measured = nowNs - windowStartNs >= 0;
        int sent = 0;
        LoadConnection connection;
        while ((connection = nextFree()) != null)
        {
            if (measured)
            {
                counters.increment(LoadCounter.SCHEDULED);
            }
            send(connection, nowNs, nowNs, measured);
            sent++;
        }
        return sent;
    }

    private void send(final LoadConnection connection, final long intendedNs, final long nowNs, final boolean measured)
    {
        counters.increment(measured ? LoadCounter.SENT : LoadCounter.SENT_WARMUP);
        connection.send(intendedNs, nowNs, measured);
    }

    private LoadConnection nextFree()
    {
        final int size = connections.size();
        for (int i = 0; i < size; i++)
        {
            final LoadConnection connection = connections.get(cursor);
            cursor = cursor + 1 == size ? 0 : cursor + 1;
            if (connection.freeSlots() > 0)
            {
                return connection;
            }
        }
        return null;
    }

    private boolean isFinished(final long nowNs)
    {
        if (!running)
        {
            return false;
        }
        if (nowNs - drainDeadlineNs >= 0)
        {
            return true;
        }
        if (nowNs - windowEndNs < 0)
        {
            return false;
        }
        final boolean allSent = config.closedLoop() || nextIndex >= totalRequests;
        return allSent && inFlight() == 0;
    }

    private int inFlight()
    {
        int inFlight = 0;
        for (final LoadConnection connection : connections)
        {
            inFlight += connection.inFlight();
        }
        return inFlight;
    }

    private void finish()
    {
        stopping = true;
        for (final LoadConnection connection : connections)
        {
            connection.close();
        }
        done = true;
        template.release();
        finished.countDown();
    }

    /**
     * @return the response, connect and TLS handshake timeout of the run.
     */
    long timeoutNs()
    {
        return config.timeoutNs();
    }

    void count(final LoadCounter counter)
    {
        counters.increment(counter);
    }

    void onFirstAttempt()
    {
        firstAttempts.countDown();
    }

    void onReady(final LoadConnection connection)
    {
        onSlotsFreed();
    }

    void onSlotsFreed()
    {
        if (running && !stopping)
        {
            final long nowNs = System.nanoTime();
            dispatch(nowNs);
            arm(nowNs);
        }
    }

    void onResponse(final long intendedNs, final long sentNs, final boolean measured, final int status)
    {
        if (!measured)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        counters.increment(LoadCounter.COMPLETED);
        if (status < 200 || status > 299)
        {
            counters.increment(LoadCounter.ERROR_STATUS);
        }
        correctedUs.recordValue(LoadGenerator.clampUs(nowNs - intendedNs));
        uncorrectedUs.recordValue(LoadGenerator.clampUs(nowNs - sentNs));
    }

    void onRequestFailed(final boolean measured, final LoadCounter counter)
    {
        if (measured && !done)
        {
            counters.increment(counter);
        }
    }
}
