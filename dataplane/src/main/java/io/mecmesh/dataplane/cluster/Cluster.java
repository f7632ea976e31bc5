package io.mecmesh.dataplane.cluster;

import io.mecmesh.dataplane.counters.ClusterStats;
import io.mecmesh.dataplane.counters.Overflow;
import io.mecmesh.dataplane.counters.StatsRegistry;
import io.netty.handler.ssl.SslContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * A cluster at run time: its endpoints resolved once, ranked by locality relative to this node, and the
 * balancer that picks one per attempt. Thread-safe: shared by every event loop.
 *
 * <p>Picking: the candidates are the endpoints of the nearest locality tier (same host, same site, same zone,
 * anywhere) while at least {@code localitySpillPercent} of that tier is healthy; below it, the next tier's
 * endpoints join. Healthy means neither ejected by passive outlier detection nor failing an active health check
 * ({@link HealthChecker}). Among the healthy candidates the {@link LbPolicy} decides. When no candidate is healthy the
 * cluster uses all its endpoints (panic mode) rather than fail every request.
 */
public final class Cluster
{
    private static final int TIERS = 4;
    private static final int RING_POINTS_PER_WEIGHT = 64;

    private final ClusterConfig config;
    private final EndpointState[] endpoints;
    private final AtomicInteger cursor = new AtomicInteger();
    private final long[] ringHashes;
    private final int[] ringEndpoints;
    private final LongSupplier nanoClock;
    private final SslContext sslContext;
    private final ClusterStats stats;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger pendingRequests = new AtomicInteger();
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final AtomicInteger activeRetries = new AtomicInteger();

    private Cluster(
        final ClusterConfig config,
        final EndpointState[] endpoints,
        final LongSupplier nanoClock,
        final SslContext sslContext,
        final ClusterStats stats)
    {
        this.stats = stats;
        this.config = requireNonNull(config, "config");
        this.endpoints = endpoints;
        this.nanoClock = nanoClock;
        this.sslContext = sslContext;
        if (config.lbPolicy() == LbPolicy.RING_HASH)
        {
            final List<long[]> points = new ArrayList<>();
            for (int i = 0; i < endpoints.length; i++)
            {
                final int count = RING_POINTS_PER_WEIGHT * endpoints[i].endpoint().weight();
                for (int p = 0; p < count; p++)
                {
                    points.add(new long[] {hash(endpoints[i].endpoint() + "#" + p), i});
                }
            }
            points.sort((a, b) -> Long.compare(a[0], b[0]));
            ringHashes = points.stream().mapToLong(p -> p[0]).toArray();
            ringEndpoints = points.stream().mapToInt(p -> (int)p[1]).toArray();
        }
        else
        {
            ringHashes = new long[0];
            ringEndpoints = new int[0];
        }
    }

    /**
     * Resolves the cluster's endpoints for a node of unknown locality.
     *
     * @param config the cluster configuration.
     * @return the cluster.
     */
    public static Cluster resolve(final ClusterConfig config)
    {
        return resolve(config, Locality.UNKNOWN, System::nanoTime);
    }

    /**
     * Resolves the cluster's endpoints (a host name is looked up once, here, never on the request path) and ranks
     * them by locality relative to this node.
     *
     * @param config    the cluster configuration.
     * @param local     this node's locality.
     * @param nanoClock the clock ejections are timed with.
     * @return the cluster.
     * @throws IllegalArgumentException naming the endpoint that does not resolve.
     */
    public static Cluster resolve(final ClusterConfig config, final Locality local, final LongSupplier nanoClock)
    {
        if (config.tls().isPresent())
        {
            throw new IllegalArgumentException("tls: a cluster with TLS needs its client context");
        }
        return resolve(config, local, nanoClock, null, new StatsRegistry().cluster(config.name()));
    }

    /**
     * Resolves a cluster whose endpoints are reached over TLS.
     *
     * @param config     the cluster configuration.
     * @param local      this node's locality.
     * @param nanoClock  the clock ejections are timed with.
     * @param sslContext the client context built from {@link ClusterConfig#tls()}, or {@code null} for plain text.
     * @param stats      where the cluster counts what happens (kept across versions under its name).
     * @return the cluster.
     */
    public static Cluster resolve(
        final ClusterConfig config,
        final Locality local,
        final LongSupplier nanoClock,
        final SslContext sslContext,
        final ClusterStats stats)
    {
        final boolean tls = sslContext != null;
        final List<Endpoint> configured = config.endpoints();
        final EndpointState[] states = new EndpointState[configured.size()];
        for (int i = 0; i < states.length; i++)
        {
            final Endpoint endpoint = configured.get(i);
            final InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
            if (address.isUnresolved())
            {
                throw new IllegalArgumentException("endpoints[" + i + "]: host \"" + endpoint.host()
                    + "\" does not resolve");
            }
            states[i] = new EndpointState(endpoint, address, tier(endpoint, address.getAddress(), local),
                new PoolKey(address, config.name(), tls));
        }
        return new Cluster(config, states, nanoClock, sslContext, stats);
    }

    private static int tier(final Endpoint endpoint, final InetAddress address, final Locality local)
    {
        if (isLocal(address))
        {
            return 0;
        }
        final Locality at = endpoint.locality();
        if (!local.site().isEmpty() && local.site().equals(at.site()))
        {
            return 1;
        }
        if (!local.zone().isEmpty() && local.zone().equals(at.zone()))
        {
            return 2;
        }
        return 3;
    }

    private static boolean isLocal(final InetAddress address)
    {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress())
        {
            return true;
        }
        try
        {
            return NetworkInterface.getByInetAddress(address) != null;
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    public ClusterConfig config()
    {
        return config;
    }

    /**
     * @return what happened towards this cluster.
     */
    public ClusterStats stats()
    {
        return stats;
    }

    /**
     * @return the TLS client context towards the endpoints, or {@code null} for plain text.
     */
    public SslContext sslContext()
    {
        return sslContext;
    }

    public String name()
    {
        return config.name();
    }

    /**
     * @return the endpoints in configuration order.
     */
    public List<EndpointState> endpoints()
    {
        return List.of(endpoints);
    }

    /**
     * Picks the endpoint for one attempt. Allocates nothing.
     *
     * @param hashKey the value of the hash header for {@link LbPolicy#RING_HASH} (may be {@code null}).
     * @param avoid   an endpoint to avoid if another is available (the one a retried attempt failed on), or
     *                {@code null}.
     * @return the endpoint.
     */
    public EndpointState pick(final CharSequence hashKey, final EndpointState avoid)
    {
        if (endpoints.length == 1)
        {
            return endpoints[0];
        }
        final long nowNs = nanoClock.getAsLong();
        final int maxTier = candidateTier(nowNs);
        final boolean panic = healthyCount(nowNs, maxTier, null) == 0;
        final int usable = panic ? countUpTo(maxTier) : healthyCount(nowNs, maxTier, null);
        final boolean canAvoid = avoid != null && usable > 1;
        switch (config.lbPolicy())
        {
            case RING_HASH:
                return ringPick(hashKey, nowNs, panic);
            case LEAST_REQUEST:
                final ThreadLocalRandom random = ThreadLocalRandom.current();
                final EndpointState a = nth(random.nextInt(usable), nowNs, maxTier, panic);
                EndpointState b = nth(random.nextInt(usable), nowNs, maxTier, panic);
                if (canAvoid && a == avoid)
                {
                    return b != avoid ? b : nth((indexOf(a, nowNs, maxTier, panic) + 1) % usable, nowNs, maxTier,
                        panic);
                }
                if (canAvoid && b == avoid)
                {
                    return a;
                }
                return score(a) <= score(b) ? a : b;
            case ROUND_ROBIN:
            default:
                final int totalWeight = weightUpTo(nowNs, maxTier, panic);
                final EndpointState next = byWeight(Math.floorMod(cursor.getAndIncrement(), totalWeight), nowNs,
                    maxTier, panic);
                if (canAvoid && next == avoid)
                {
                    final EndpointState other = byWeight(Math.floorMod(cursor.getAndIncrement(), totalWeight), nowNs,
                        maxTier, panic);
                    return other != avoid ? other
                        : nth((indexOf(avoid, nowNs, maxTier, panic) + 1) % usable, nowNs, maxTier, panic);
                }
                return next;
        }
    }

    /**
     * Picks the endpoint for one attempt, round robin or least request; ring hash without a key hashes nothing.
     *
     * @return the endpoint.
     */
    public EndpointState pick()
    {
        return pick(null, null);
    }

    /**
     * Marks the start of an attempt on an endpoint (counts it as active for least request).
     *
     * @param endpoint the endpoint.
     */
    public void onAttemptStart(final EndpointState endpoint)
    {
        stats.onAttempt();
        endpoint.onAttemptStart();
    }

    /**
     * Records a successful attempt (a response that is not 5xx).
     *
     * @param endpoint  the endpoint.
     * @param latencyNs time to the response head.
     */
    public void onSuccess(final EndpointState endpoint, final long latencyNs)
    {
        endpoint.onSuccess(latencyNs);
    }

    /**
     * Records a failed attempt (5xx, connect failure, reset, timeout) and ejects the endpoint when it failed too
     * often in a row and the cluster may eject one more.
     *
     * @param endpoint the endpoint.
     * @return true when this failure ejected it.
     */
    public boolean onFailure(final EndpointState endpoint)
    {
        stats.onFailure();
        final int failures = endpoint.onFailure();
        final OutlierDetection outlier = config.outlierDetection();
        if (outlier.consecutiveFailures() == 0 || failures < outlier.consecutiveFailures())
        {
            return false;
        }
        final long nowNs = nanoClock.getAsLong();
        int ejected = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.isEjected(nowNs))
            {
                ejected++;
            }
        }
        if ((ejected + 1) * 100 > outlier.maxEjectionPercent() * endpoints.length)
        {
            return false;
        }
        endpoint.eject(nowNs, outlier.baseEjectionMs() * 1_000_000L);
        stats.onEjection();
        return true;
    }

    /**
     * Records an attempt that ended without a verdict on the endpoint (the client went away).
     *
     * @param endpoint the endpoint.
     */
    public void onAbandoned(final EndpointState endpoint)
    {
        endpoint.onAbandoned();
    }

    /**
     * Takes a slot of one of the cluster's circuit breakers; give it back with {@link #release(Overflow)}.
     *
     * @param breaker which limit.
     * @return true when under the limit (the slot is taken); false when the breaker is open (counted).
     */
    public boolean tryAcquire(final Overflow breaker)
    {
        final AtomicInteger inUse = inUseCounter(breaker);
        final CircuitBreakers limits = config.circuitBreakers();
        final int max = switch (breaker)
        {
            case CONNECTIONS -> limits.maxConnections();
            case PENDING -> limits.maxPendingRequests();
            case REQUESTS -> limits.maxRequests();
            case RETRIES -> limits.maxRetries();
        };
        if (inUse.incrementAndGet() > max)
        {
            inUse.decrementAndGet();
            stats.onCircuitOpen(breaker);
            return false;
        }
        return true;
    }

    /**
     * Gives back a slot taken by {@link #tryAcquire(Overflow)}.
     *
     * @param breaker which limit.
     */
    public void release(final Overflow breaker)
    {
        inUseCounter(breaker).decrementAndGet();
    }

    /**
     * @param breaker which limit.
     * @return slots of it in use now.
     */
    public int inUse(final Overflow breaker)
    {
        return inUseCounter(breaker).get();
    }

    private AtomicInteger inUseCounter(final Overflow breaker)
    {
        return switch (breaker)
        {
            case CONNECTIONS -> openConnections;
            case PENDING -> pendingRequests;
            case REQUESTS -> activeRequests;
            case RETRIES -> activeRetries;
        };
    }

    private static long score(final EndpointState state)
    {
        return (state.activeRequests() + 1L) * Math.max(1, state.ewmaLatencyNs());
    }

    /** The highest tier whose endpoints are candidates: tiers join while the nearer ones are not healthy enough. */
    private int candidateTier(final long nowNs)
    {
        final int spill = config.localitySpillPercent();
        for (int tier = 0; tier < TIERS; tier++)
        {
            int total = 0;
            int healthy = 0;
            for (final EndpointState state : endpoints)
            {
                if (state.tier() == tier)
                {
                    total++;
                    if (state.isUsable(nowNs))
                    {
                        healthy++;
                    }
                }
            }
            if (total > 0 && healthy * 100 >= spill * total)
            {
                return tier;
            }
        }
        return TIERS - 1;
    }

    private int healthyCount(final long nowNs, final int maxTier, final EndpointState skip)
    {
        int count = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.tier() <= maxTier && state.isUsable(nowNs) && state != skip)
            {
                count++;
            }
        }
        return count;
    }

    private int countUpTo(final int maxTier)
    {
        int count = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.tier() <= maxTier)
            {
                count++;
            }
        }
        return count;
    }

    private int weightUpTo(final long nowNs, final int maxTier, final boolean panic)
    {
        int total = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.tier() <= maxTier && (panic || state.isUsable(nowNs)))
            {
                total += state.endpoint().weight();
            }
        }
        return total;
    }

    /** Weighted round robin: the endpoint whose share of the cumulative weight holds {@code ticket}. */
    private EndpointState byWeight(final int ticket, final long nowNs, final int maxTier, final boolean panic)
    {
        int cumulative = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.tier() <= maxTier && (panic || state.isUsable(nowNs)))
            {
                cumulative += state.endpoint().weight();
                if (ticket < cumulative)
                {
                    return state;
                }
            }
        }
        return endpoints[0];
    }

    private EndpointState nth(final int n, final long nowNs, final int maxTier, final boolean panic)
    {
        int seen = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.tier() <= maxTier && (panic || state.isUsable(nowNs)))
            {
                if (seen++ == n)
                {
                    return state;
                }
            }
        }
        return endpoints[0];
    }

    private int indexOf(final EndpointState target, final long nowNs, final int maxTier, final boolean panic)
    {
        int seen = 0;
        for (final EndpointState state : endpoints)
        {
            if (state.tier() <= maxTier && (panic || state.isUsable(nowNs)))
            {
                if (state == target)
                {
                    return seen;
                }
                seen++;
            }
        }
        return 0;
    }

    private EndpointState ringPick(final CharSequence key, final long nowNs, final boolean panic)
    {
        final long hash = key == null ? 0 : hash(key);
        int index = Arrays.binarySearch(ringHashes, hash);
        if (index < 0)
        {
            index = -index - 1;
        }
        for (int step = 0; step < ringHashes.length; step++)
        {
            final EndpointState state = endpoints[ringEndpoints[(index + step) % ringHashes.length]];
            if (panic || state.isUsable(nowNs))
            {
                return state;
            }
        }
        return endpoints[ringEndpoints[index % ringHashes.length]];
    }

    /** 64-bit FNV-1a over the UTF-16 chars, then a finalizer so that similar keys spread over the ring. */
    static long hash(final CharSequence key)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++)
        {
            hash ^= key.charAt(i);
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return hash;
    }

    @Override
    public String toString()
    {
        return "Cluster[" + config.name() + " " + Arrays.toString(endpoints) + "]";
    }
}
