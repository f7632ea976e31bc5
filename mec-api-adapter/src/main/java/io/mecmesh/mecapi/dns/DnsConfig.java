package io.mecmesh.mecapi.dns;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The MEC DNS responder of an edge ({@code dns} in appliance.yaml).
 *
 * @param enabled                   whether the responder runs (off unless configured).
 * @param address                   the address it binds, UDP and TCP (loopback by default).
 * @param port                      the port, UDP and TCP (0: the kernel's choice, for tests).
 * @param upstreams                 the resolvers names other than the node's rules and mesh services are forwarded
 *                                  to, tried in order; none: such names are REFUSED.
 * @param timeoutMs                 how long one upstream may take before the next is tried (SERVFAIL after the last).
 * @param queriesPerSecondPerClient the queries one client address may make per second (burst as many); over it a
 *                                  query is answered REFUSED.
 * @param defaultTtl                the TTL in seconds of a DNS rule without one, and of mesh service names.
 * @param localZones                domains the responder is authoritative for (lower case, no trailing dot): a name
 *                                  in one of them (the domain itself or under it) that is neither a rule's nor a mesh
 *                                  name is answered NXDOMAIN with the zone's SOA (a rule turned INACTIVE included),
 *                                  not forwarded; none by default.
 */
public record DnsConfig(boolean enabled, String address, int port, List<InetSocketAddress> upstreams, long timeoutMs,
    int queriesPerSecondPerClient, int defaultTtl, List<String> localZones)
{
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 15053;
    public static final long DEFAULT_TIMEOUT_MS = 2_000;
    public static final long MIN_TIMEOUT_MS = 10;
    public static final long MAX_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_QUERIES_PER_SECOND_PER_CLIENT = 200;
    public static final int MAX_QUERIES_PER_SECOND_PER_CLIENT = 1_000_000;
    public static final int DEFAULT_TTL = 60;
    /** The responder when {@code dns} is absent: off. */
    public static final DnsConfig DISABLED = new DnsConfig(false, DEFAULT_ADDRESS, DEFAULT_PORT, List.of(),
        DEFAULT_TIMEOUT_MS, DEFAULT_QUERIES_PER_SECOND_PER_CLIENT, DEFAULT_TTL);
    private static final Pattern ZONE = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]"
        + "([a-z0-9_-]{0,61}[a-z0-9_])?)*");

    public DnsConfig
    {
        requireNonNull(address, "address");
        upstreams = List.copyOf(requireNonNull(upstreams, "upstreams"));
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port: expected 0 to 65535, got " + port);
        }
        if (timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS)
        {
            throw new IllegalArgumentException("timeoutMs: expected " + MIN_TIMEOUT_MS + " to " + MAX_TIMEOUT_MS
                + ", got " + timeoutMs);
        }
        if (queriesPerSecondPerClient < 1 || queriesPerSecondPerClient > MAX_QUERIES_PER_SECOND_PER_CLIENT)
        {
            throw new IllegalArgumentException("queriesPerSecondPerClient: expected 1 to "
                + MAX_QUERIES_PER_SECOND_PER_CLIENT + ", got " + queriesPerSecondPerClient);
        }
        if (defaultTtl < 0)
        {
            throw new IllegalArgumentException("defaultTtl: expected 0 or more, got " + defaultTtl);
        }
        localZones = List.copyOf(requireNonNull(localZones, "localZones"));
        for (int i = 0; i < localZones.size(); i++)
        {
            final String zone = localZones.get(i);
            if (!zone.equals(zoneName(zone)))
            {
                throw new IllegalArgumentException("localZones[" + i + "]: expected lower case without a trailing dot, "
                    + "got \"" + zone + "\"");
            }
        }
    }

    /**
     * A local zone's name as configured: lower case, without the root's dot.
     *
     * @param text the name as written ({@code MEC.example.} too).
     * @return the name, {@code mec.example}.
     * @throws IllegalArgumentException when it is not a domain name.
     */
    public static String zoneName(final String text)
    {
        requireNonNull(text, "text");
        final String lower = text.toLowerCase(java.util.Locale.ROOT);
        final String name = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        if (name.length() > 253 || !ZONE.matcher(name).matches())
        {
            throw new IllegalArgumentException("expected a domain name such as mec.example, got \"" + text + "\"");
        }
        return name;
    }

    /**
     * Without local zones.
     *
     * @param enabled                   whether the responder runs.
     * @param address                   the address.
     * @param port                      the port.
     * @param upstreams                 the upstream resolvers.
     * @param timeoutMs                 the per-upstream timeout.
     * @param queriesPerSecondPerClient the per-client rate.
     * @param defaultTtl                the default TTL.
     */
    public DnsConfig(final boolean enabled, final String address, final int port,
        final List<InetSocketAddress> upstreams, final long timeoutMs, final int queriesPerSecondPerClient,
        final int defaultTtl)
    {
        this(enabled, address, port, upstreams, timeoutMs, queriesPerSecondPerClient, defaultTtl, List.of());
    }
}
