package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.transport.TransportKind;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What every node's compiled configuration shares: the transport, the event loops and the listeners, and the trust
 * domain of the nodes' identities.
 *
 * @param transport        the socket transport.
 * @param eventLoopThreads event loops, 0 for one per core.
 * @param listeners        at least one listener; names unique (checked by {@code MeshConfig}).
 * @param trustDomain      the trust domain the control plane's CA issues node SVIDs in; with it, calls to a service
 *                         whose nodes all declare a mesh endpoint go to those nodes over mutual TLS (compiled mesh
 *                         hops); empty (no CA) for none: every call goes straight to the service's endpoints.
 */
public record CompilerSettings(TransportKind transport, int eventLoopThreads, List<ListenerConfig> listeners,
    Optional<String> trustDomain)
{
    /** Port of the outbound listener local workloads send to. */
    public static final int DEFAULT_OUTBOUND_PORT = 15001;
    /** Port of the inbound listener peer appliances send to. */
    public static final int DEFAULT_INBOUND_PORT = 15006;

    /**
     * Transport chosen at start, one event loop per core, an outbound listener on loopback (15001) and an inbound
     * listener on all addresses (15006).
     */
    public static final CompilerSettings DEFAULT = new CompilerSettings(TransportKind.AUTO, 0, List.of(
        ListenerConfig.of("outbound", "127.0.0.1", DEFAULT_OUTBOUND_PORT),
        ListenerConfig.of("inbound", "0.0.0.0", DEFAULT_INBOUND_PORT)));

    /**
     * Settings without a trust domain: no compiled mesh hops.
     *
     * @param transport        the socket transport.
     * @param eventLoopThreads event loops, 0 for one per core.
     * @param listeners        at least one listener.
     */
    public CompilerSettings(final TransportKind transport, final int eventLoopThreads,
        final List<ListenerConfig> listeners)
    {
        this(transport, eventLoopThreads, listeners, Optional.empty());
    }

    public CompilerSettings
    {
        requireNonNull(transport, "transport");
        requireNonNull(trustDomain, "trustDomain");
        listeners = List.copyOf(requireNonNull(listeners, "listeners"));
        if (listeners.isEmpty())
        {
            throw new IllegalArgumentException("listeners: expected at least one listener");
        }
        if (eventLoopThreads < 0 || eventLoopThreads > 1024)
        {
            throw new IllegalArgumentException("eventLoopThreads: expected 0 (one per core) to 1024, got "
                + eventLoopThreads);
        }
    }

    /**
     * @param domain the trust domain of the nodes' SVIDs.
     * @return these settings with compiled mesh hops in that trust domain.
     */
    public CompilerSettings withTrustDomain(final String domain)
    {
        return new CompilerSettings(transport, eventLoopThreads, listeners, Optional.of(domain));
    }
}
