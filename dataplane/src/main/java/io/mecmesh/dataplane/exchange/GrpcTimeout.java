package io.mecmesh.dataplane.exchange;

/**
 * The {@code grpc-timeout} request header (gRPC over HTTP/2: an integer of at most 8 digits and a unit, H, M, S, m,
 * u or n): a gRPC client's deadline, which may only shorten the request's timeout. Allocates nothing.
 */
public final class GrpcTimeout
{
    private GrpcTimeout()
    {
    }

    /**
     * The request's timeout: the route's (or its policy record's), shortened by a gRPC client's {@code grpc-timeout};
     * a malformed value is ignored.
     *
     * @param routeTimeoutMs the timeout without the header, 0 for none.
     * @param grpcTimeout    the header's value, or {@code null} when absent.
     * @return milliseconds, 0 for none.
     */
    public static long shorten(final long routeTimeoutMs, final CharSequence grpcTimeout)
    {
        if (grpcTimeout == null || grpcTimeout.length() < 2 || grpcTimeout.length() > 9)
        {
            return routeTimeoutMs;
        }
        long value = 0;
        final int unitIndex = grpcTimeout.length() - 1;
        for (int i = 0; i < unitIndex; i++)
        {
            final char c = grpcTimeout.charAt(i);
            if (c < '0' || c > '9')
            {
                return routeTimeoutMs;
            }
            value = value * 10 + (c - '0');
        }
        final long grpcMs;
        switch (grpcTimeout.charAt(unitIndex))
        {
            case 'H' -> grpcMs = value * 3_600_000L;
            case 'M' -> grpcMs = value * 60_000L;
            case 'S' -> grpcMs = value * 1000L;
            case 'm' -> grpcMs = value;
            case 'u' -> grpcMs = Math.max(1, value / 1000);
            case 'n' -> grpcMs = Math.max(1, value / 1_000_000);
            default ->
            {
                return routeTimeoutMs;
            }
        }
        return routeTimeoutMs == 0 ? grpcMs : Math.min(routeTimeoutMs, grpcMs);
    }
}
