package io.mecmesh.dataplane.trace;

import static java.util.Objects.requireNonNull;

/**
 * The data plane's trace settings, swapped by the appliance at any time and read by the trace stage once per
 * request (a volatile read). Off until configured. Thread-safe.
 */
public final class Tracing
{
    private volatile TraceConfig config = TraceConfig.OFF;

    /**
     * @param config the settings new requests use.
     */
    public void configure(final TraceConfig config)
    {
        this.config = requireNonNull(config, "config");
    }

    /**
     * @return the settings now.
     */
    public TraceConfig config()
    {
        return config;
    }
}
