package io.mecmesh.dataplane.trace;

import static java.util.Objects.requireNonNull;

/**
 * What the trace stage does to each forwarded request ({@code telemetry.tracing} in appliance.yaml).
 *
 * @param enabled       whether W3C trace context is taken part in: a new span id per hop (the incoming span becomes
 *                      the parent), a new trace for a request without one when sampled, spans recorded.
 * @param samplingRatio the share of requests without a trace context that start a sampled trace (0 to 1); a request
 *                      with one keeps its caller's sampled flag.
 * @param requestId     whether an {@code x-request-id} is generated for a request that has none.
 * @param forwardedFor  what is done to {@code x-forwarded-for} and {@code forwarded}.
 */
public record TraceConfig(boolean enabled, double samplingRatio, boolean requestId, ForwardedFor forwardedFor)
{
    /** Nothing: headers pass unchanged (the default). */
    public static final TraceConfig OFF = new TraceConfig(false, 0, false, ForwardedFor.OFF);

    public TraceConfig
    {
        requireNonNull(forwardedFor, "forwardedFor");
        if (!(samplingRatio >= 0 && samplingRatio <= 1))
        {
            throw new IllegalArgumentException("samplingRatio: expected 0 to 1, got " + samplingRatio);
        }
    }

    /**
     * @return whether the stage has anything to do.
     */
    public boolean active()
    {
        return enabled || requestId || forwardedFor != ForwardedFor.OFF;
    }

    /** Handling of the client address headers ({@code x-forwarded-for}, RFC 7239 {@code forwarded}). */
    public enum ForwardedFor
    {
        /** Left as the client sent them. */
        OFF,
        /** The client's address appended to both (each created when absent). */
        APPEND,
        /** Both replaced by the client's address alone (what the client sent is not trusted). */
        REPLACE
    }
}
