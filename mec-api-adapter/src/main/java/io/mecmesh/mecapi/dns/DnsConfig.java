package io.mecmesh.mecapi.dns;

import java.net.InetSocketAddress;
import java.util.List;

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
 */
public record DnsConfig(boolean enabled, String address, int port, List<InetSocketAddress> upstreams, long timeoutMs,
    int queriesPerSecondPerClient, int defaultTtl)
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
    }
}
