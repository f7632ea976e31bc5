package io.mecmesh.dataplane.counters;

import java.util.concurrent.atomic.LongAdder;

/**
 * What happened on one route, kept across configuration versions while the route keeps its name. Thread-safe.
 */
public final class RouteStats
{
    private final String name;
    private final LongAdder requests = new LongAdder();
    private final LongAdder[] responsesByClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(),
        new LongAdder()};
    private final LongAdder retries = new LongAdder();
    private final LongAdder timeouts = new LongAdder();

    RouteStats(final String name)
    {
        this.name = name;
    }

    public String name()
    {
        return name;
    }

    public void onRequest()
    {
        requests.increment();
    }

    /**
     * @param status the status of a response sent downstream for a request on this route.
     */
    public void onResponse(final int status)
    {
        responsesByClass[Math.min(Math.max(status / 100, 1), 5) - 1].increment();
    }

    public void onRetry()
    {
        retries.increment();
    }

    public void onTimeout()
    {
        timeouts.increment();
    }

    public long requests()
    {
        return requests.sum();
    }

    /**
     * @param statusClass 1 to 5.
     * @return responses of that class.
     */
    public long responses(final int statusClass)
    {
        return responsesByClass[statusClass - 1].sum();
    }

    public long retries()
    {
        return retries.sum();
    }

    public long timeouts()
    {
        return timeouts.sum();
    }
}
