package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.X509SvidValidator;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Peers refused during the TLS handshake, counted by the SPIFFE rule their certificate broke. Thread-safe.
 */
public final class PeerRejections
{
    private final Map<X509SvidValidator.Reason, LongAdder> counts = new EnumMap<>(X509SvidValidator.Reason.class);

    public PeerRejections()
    {
        for (final X509SvidValidator.Reason reason : X509SvidValidator.Reason.values())
        {
            counts.put(reason, new LongAdder());
        }
    }

    void increment(final X509SvidValidator.Reason reason)
    {
        counts.get(reason).increment();
    }

    /**
     * @param reason the broken rule.
     * @return how many peers were refused for it.
     */
    public long get(final X509SvidValidator.Reason reason)
    {
        return counts.get(reason).sum();
    }
}
