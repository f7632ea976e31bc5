package io.mecmesh.dataplane.counters;

import java.util.Locale;

/**
 * Which circuit breaker of a cluster was open when a request or retry was refused.
 */
public enum Overflow
{
    /** Too many upstream connections open. */
    CONNECTIONS,
    /** Too many requests waiting for a new connection. */
    PENDING,
    /** Too many requests in flight. */
    REQUESTS,
    /** Too many retries in progress. */
    RETRIES;

    private final String label = name().toLowerCase(Locale.ROOT);

    /**
     * @return the lower-case name: the value of the {@code x-mecmesh-overflow} header and of the metric's
     * {@code reason} label.
     */
    public String label()
    {
        return label;
    }
}
