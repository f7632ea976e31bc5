package io.mecmesh.appliance.accesslog;

import io.mecmesh.dataplane.accesslog.AccessLogDescriptor;
import io.mecmesh.dataplane.classify.SliceStats;

import java.util.ArrayList;
import java.util.List;

/**
 * One access-log record as read back from the queue (by {@code mecmesh logs}).
 *
 * @param timeMs        when the exchange ended, epoch milliseconds.
 * @param sliceId       the request's slice (packed S-NSSAI: SST in the top byte, SD below), 0 when unclassified.
 * @param caller        the caller's SPIFFE id, empty when the connection had none.
 * @param route         the route's name, empty when unnamed.
 * @param endpoint      the upstream endpoint of the last attempt, empty when none.
 * @param status        the HTTP status answered, 0 when none was (a reset before the response).
 * @param requestBytes  request body bytes.
 * @param responseBytes response body bytes.
 * @param durationNs    from the request head to the end of the exchange.
 * @param upstreamNs    from the last attempt's start to its response head, 0 without one.
 * @param attempts      attempts made (1 without retries).
 * @param flags         the {@code FLAG_*} bits of {@link AccessLogDescriptor}.
 */
public record AccessLogEntry(long timeMs, int sliceId, String caller, String route, String endpoint, int status,
    long requestBytes, long responseBytes, long durationNs, long upstreamNs, int attempts, int flags)
{
    /**
     * @return the slice as text ({@link SliceStats#sliceText(int)}: {@code 1-0000a1}, {@code 2}, {@code unclassified}).
     */
    public String slice()
    {
        return SliceStats.sliceText(sliceId);
    }

    /**
     * @return the names of the flags set, in a fixed order.
     */
    public List<String> flagNames()
    {
        final List<String> names = new ArrayList<>(4);
        if ((flags & AccessLogDescriptor.FLAG_RETRIED) != 0)
        {
            names.add("retried");
        }
        if ((flags & AccessLogDescriptor.FLAG_POLICED) != 0)
        {
            names.add("policed");
        }
        if ((flags & AccessLogDescriptor.FLAG_SHAPED) != 0)
        {
            names.add("shaped");
        }
        if ((flags & AccessLogDescriptor.FLAG_LOCAL) != 0)
        {
            names.add("local");
        }
        if ((flags & AccessLogDescriptor.FLAG_RESET) != 0)
        {
            names.add("reset");
        }
        return names;
    }
}
