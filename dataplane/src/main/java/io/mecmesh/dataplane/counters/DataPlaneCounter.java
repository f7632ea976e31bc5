package io.mecmesh.dataplane.counters;

/**
 * Every outcome the data plane counts, in one place. Each constant is exported as a Prometheus counter named
 * {@code mecmesh_<metricName>_total} (responses by class share one metric with a {@code class} label).
 */
public enum DataPlaneCounter
{
    DOWNSTREAM_CONNECTIONS("downstream_connections", "Downstream connections accepted."),
    REQUESTS("requests", "Request heads received downstream, well-formed or not."),
    BAD_REQUESTS("bad_requests", "Requests rejected as malformed (400, 414, 431) before routing."),
    NO_ROUTE("no_route", "Requests that matched no route (404)."),
    RESPONSES_1XX("responses_1xx", "Informational responses sent downstream."),
    RESPONSES_2XX("responses_2xx", "Final responses with a 2xx status sent downstream."),
    RESPONSES_3XX("responses_3xx", "Final responses with a 3xx status sent downstream."),
    RESPONSES_4XX("responses_4xx", "Final responses with a 4xx status sent downstream."),
    RESPONSES_5XX("responses_5xx", "Final responses with a 5xx status sent downstream."),
    UPSTREAM_CONNECTIONS("upstream_connections", "Upstream connections opened."),
    UPSTREAM_CONNECT_FAILURES("upstream_connect_failures", "Upstream connection attempts that failed (502)."),
    UPSTREAM_RESETS("upstream_resets", "Upstream connections closed before the response was complete."),
    UPSTREAM_REUSE_RETRIES("upstream_reuse_retries",
        "Bodiless requests retried on a new connection because a pooled one was closed by the upstream."),
    DOWNSTREAM_RESETS("downstream_resets", "Downstream connections closed before the response was complete.");

    private final String metricName;
    private final String help;

    DataPlaneCounter(final String metricName, final String help)
    {
        this.metricName = metricName;
        this.help = help;
    }

    /**
     * @return the metric name without the {@code mecmesh_} prefix and the {@code _total} suffix.
     */
    public String metricName()
    {
        return metricName;
    }

    /**
     * @return one sentence for the metric's HELP line.
     */
    public String help()
    {
        return help;
    }

    /**
     * @param status an HTTP status code.
     * @return the responses-by-class counter for it.
     */
    public static DataPlaneCounter responseClass(final int status)
    {
        if (status < 200)
        {
            return RESPONSES_1XX;
        }
        if (status < 300)
        {
            return RESPONSES_2XX;
        }
        if (status < 400)
        {
            return RESPONSES_3XX;
        }
        return status < 500 ? RESPONSES_4XX : RESPONSES_5XX;
    }
}
