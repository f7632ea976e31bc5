package io.mecmesh.mecapi.dns;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: {@code rate} queries per second, bursts of as many. Buckets left full are
 * forgotten when the table reaches {@link #MAX_CLIENTS}; while it stays full of busy clients a new client is let
 * through unmetered (a flood from many addresses is not this limiter's to stop).
 *
 * <p>Confined to the responder's one event loop: not thread-safe.
 */
final class ClientRateLimiter
{
    static final int MAX_CLIENTS = 65_536;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** One client's bucket: tokens scaled by {@link #NANOS_PER_SECOND} so that refill is integer arithmetic. */
    private static final class Bucket
    {
        long scaledTokens;
        long lastNs;
    }

    private final long rate;
    private final long capacityScaled;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Bucket> buckets = new HashMap<>();

    ClientRateLimiter(final int queriesPerSecond, final LongSupplier nanoClock)
    {
        this.rate = queriesPerSecond;
        this.capacityScaled = queriesPerSecond * NANOS_PER_SECOND;
        this.nanoClock = nanoClock;
    }

    /**
     * @param client the client's address.
     * @return whether the query may be answered (a token taken), false when the client is over its rate.
     */
    boolean tryAcquire(final InetAddress client)
    {
        final long now = nanoClock.getAsLong();
        Bucket bucket = buckets.get(client);
        if (bucket == null)
        {
            if (buckets.size() >= MAX_CLIENTS)
            {
                forgetIdle(now);
                if (buckets.size() >= MAX_CLIENTS)
                {
                    return true;
                }
            }
            bucket = new Bucket();
            bucket.scaledTokens = capacityScaled;
            bucket.lastNs = now;
            buckets.put(client, bucket);
        }
        refill(bucket, now);
        if (bucket.scaledTokens < NANOS_PER_SECOND)
        {
            return false;
        }
        bucket.scaledTokens -= NANOS_PER_SECOND;
        return true;
    }

    int clients()
    {
        return buckets.size();
    }

    private void refill(final Bucket bucket, final long now)
    {
        final long elapsed = Math.max(0, now - bucket.lastNs);
        bucket.lastNs = now;
        // elapsed * rate would overflow after ~292 years / rate; cap the elapsed time at one full refill.
        final long refillNs = Math.min(elapsed, NANOS_PER_SECOND);
        bucket.scaledTokens = Math.min(capacityScaled, bucket.scaledTokens + refillNs * rate);
    }

    private void forgetIdle(final long now)
    {
        buckets.values().removeIf(bucket ->
        {
            refill(bucket, now);
            return bucket.scaledTokens >= capacityScaled;
        });
    }
}
