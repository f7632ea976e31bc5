package io.mecmesh.appliance.telemetry;

import io.mecmesh.appliance.accesslog.AccessLogListener;
import io.mecmesh.dataplane.accesslog.AccessLogNames;
import io.mecmesh.dataplane.accesslog.AccessLogRecord;
import io.mecmesh.dataplane.classify.SliceStats;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.agrona.collections.Long2ObjectHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Per-slice, per-route request metrics, fed from the access-log ring on the access-log agent's thread (never on the
 * request path): {@code mecmesh_http_request_duration_seconds{slice,route}} (classic buckets, request head to the
 * exchange's end), {@code mecmesh_http_requests_total{slice,route,class}} (class 1xx..5xx, or {@code none} when the
 * exchange ended without a status) and {@code mecmesh_http_body_bytes_total{slice,route,direction}} (uplink: request
 * body to the upstream, downlink: response body to the client). {@code slice} is the S-NSSAI as
 * {@code mecmesh_slice_requests_total} prints it ({@code unclassified} without one); {@code route} is the route's
 * name ({@code none} for a request no route matched). The series of a (slice, route) pair are looked up once and
 * kept; beyond {@value #MAX_SERIES} pairs new routes count under {@code route="overflow"}.
 */
public final class RequestMetrics implements AccessLogListener
{
    /** Distinct (slice, route) pairs with their own series at most. */
    static final int MAX_SERIES = 4_096;
    /** Edge latencies: half a millisecond (a local answer) to ten seconds (a stuck upstream). */
    static final double[] BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final String NO_ROUTE = "none";
    static final String OVERFLOW_ROUTE = "overflow";
    private static final String[] CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final double NANOS_PER_SECOND = 1e9;

    private final AccessLogNames names;
    private final Histogram duration = Histogram.builder()
        .name("mecmesh_http_request_duration_seconds")
        .help("Time from a request's head decoded to the end of its exchange (response sent, or reset), by slice and "
            + "route; fed from the access-log records.")
        .labelNames("slice", "route")
        .classicOnly()
        .classicUpperBounds(BUCKETS)
        .withoutExemplars()
        .build();
    private final Counter requests = Counter.builder()
        .name("mecmesh_http_requests_total")
        .help("Exchanges ended, by slice, route and response status class (none: ended without a status).")
        .labelNames("slice", "route", "class")
        .withoutExemplars()
        .build();
    private final Counter bodyBytes = Counter.builder()
        .name("mecmesh_http_body_bytes_total")
        .help("Body bytes by slice and route: uplink (request bodies sent upstream), downlink (response bodies sent "
            + "to the client).")
        .labelNames("slice", "route", "direction")
        .withoutExemplars()
        .build();
    private final Long2ObjectHashMap<Series> series = new Long2ObjectHashMap<>();

    /**
     * @param names the data plane's name table (the records carry route name ids).
     */
    public RequestMetrics(final AccessLogNames names)
    {
        this.names = requireNonNull(names, "names");
    }

    /**
     * Registers the three families.
     *
     * @param registry where the appliance's metrics are exported from.
     */
    public void register(final PrometheusRegistry registry)
    {
        requireNonNull(registry, "registry");
        registry.register(duration);
        registry.register(requests);
        registry.register(bodyBytes);
    }

    @Override
    public void onRecord(final AccessLogRecord record)
    {
        final Series s = series(record.sliceId(), record.routeId());
        s.duration.observe(Math.max(0, record.durationNs()) / NANOS_PER_SECOND);
        final int status = record.status();
        final int statusClass = status >= 100 && status < 600 ? status / 100 : 0;
        CounterDataPoint byClass = s.byClass[statusClass];
        if (byClass == null)
        {
            byClass = requests.labelValues(s.slice, s.route, CLASSES[statusClass]);
            s.byClass[statusClass] = byClass;
        }
        byClass.inc();
        if (record.requestBytes() > 0)
        {
            s.uplink.inc(record.requestBytes());
        }
        if (record.responseBytes() > 0)
        {
            s.downlink.inc(record.responseBytes());
        }
    }

    /**
     * @return the (slice, route) pairs with series so far.
     */
    int seriesCount()
    {
        return series.size();
    }

    private Series series(final int sliceId, final int routeId)
    {
        final long key = (long)sliceId << 32 | (routeId & 0xFFFF_FFFFL);
        Series s = series.get(key);
        if (s == null)
        {
            final String slice = SliceStats.sliceText(sliceId);
            final String name = names.name(routeId);
            final String route = series.size() >= MAX_SERIES ? OVERFLOW_ROUTE : name.isEmpty() ? NO_ROUTE : name;
            s = new Series(slice, route, duration.labelValues(slice, route),
                bodyBytes.labelValues(slice, route, "uplink"), bodyBytes.labelValues(slice, route, "downlink"));
            series.put(key, s);
        }
        return s;
    }

    private static final class Series
    {
        final String slice;
        final String route;
        final DistributionDataPoint duration;
        final CounterDataPoint uplink;
        final CounterDataPoint downlink;
        final CounterDataPoint[] byClass = new CounterDataPoint[CLASSES.length];

        Series(final String slice, final String route, final DistributionDataPoint duration,
            final CounterDataPoint uplink, final CounterDataPoint downlink)
        {
            this.slice = slice;
            this.route = route;
            this.duration = duration;
            this.uplink = uplink;
            this.downlink = downlink;
        }
    }
}
