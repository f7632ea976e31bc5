package io.mecmesh.dataplane.tls;

import io.mecmesh.dataplane.identity.SpiffeId;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import static java.util.Objects.requireNonNull;

/**
 * The SPIFFE ids of the peer leaf certificates already seen, keyed by the certificate's DER encoding. Reading the id
 * out of a certificate decodes the whole certificate (the JDK's X.509 parser), which a peer reconnecting with the
 * same SVID would otherwise pay on every connection: on a resumed TLS 1.3 session above all, where BoringSSL
 * restores the peer's certificate from the ticket and nothing else in the handshake touches it in Java.
 * <p>
 * The id is a function of the encoding alone, so an entry is never stale: a renewed certificate is a new key, and
 * the cache does not decide whether a certificate is trusted (the trust manager did, in the full handshake).
 * Direct-mapped and bounded: {@link #CAPACITY} slots chosen by the encoding's hash, a certificate whose slot is taken
 * replaces the entry there. Thread safe without locks: slots hold immutable entries, and the event loops of all
 * listeners share one instance.
 */
final class LeafIdCache
{
    /** Slots: a power of two. One entry holds a leaf's encoding (about 0.5 to 2 KB) and its id. */
    static final int CAPACITY = 256;

    private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(CAPACITY);
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * @param der a leaf certificate's DER encoding, not modified (and not to be modified by the caller after a
     *            {@link #put}).
     * @return the id stored for exactly this encoding, or {@code null}.
     */
    SpiffeId get(final byte[] der)
    {
        final int hash = Arrays.hashCode(der);
        final Entry entry = slots.get(hash & (CAPACITY - 1));
        if (entry != null && entry.hash == hash && Arrays.equals(entry.der, der))
        {
            hits.increment();
            return entry.id;
        }
        misses.increment();
        return null;
    }

    /**
     * Remembers the id read from a certificate.
     *
     * @param der the certificate's DER encoding, kept as is (the caller gives up the array).
     * @param id  the SPIFFE id in its URI SAN.
     */
    void put(final byte[] der, final SpiffeId id)
    {
        final int hash = Arrays.hashCode(der);
        slots.set(hash & (CAPACITY - 1), new Entry(hash, der, requireNonNull(id, "id")));
    }

    /**
     * @return how many lookups found their certificate.
     */
    long hits()
    {
        return hits.sum();
    }

    /**
     * @return how many lookups did not (the certificate was decoded then).
     */
    long misses()
    {
        return misses.sum();
    }

    private static final class Entry
    {
        private final int hash;
        private final byte[] der;
        private final SpiffeId id;

        Entry(final int hash, final byte[] der, final SpiffeId id)
        {
            this.hash = hash;
            this.der = der;
            this.id = id;
        }
    }
}
