package io.mecmesh.slicemanager.cluster;

import static java.util.Objects.requireNonNull;

/**
 * One member of a control-plane cluster ({@code controlPlane.cluster.members}): its UDP ports are
 * {@code basePort} (ingress) to {@code basePort + 4} (consensus, log, catch-up, archive control), DESIGN-ha.md 2.1.
 *
 * @param id       its id (0..n-1).
 * @param host     its address, reached by the other members and by clients' ingress.
 * @param basePort the first of its {@value #PORTS} UDP ports.
 * @param api      {@code host:port} of its control-plane API (shown by {@code /v1/cluster}), empty if not given.
 */
public record MemberAddress(int id, String host, int basePort, String api)
{
    /** UDP ports from basePort: ingress, consensus, log, catch-up, archive control. */
    public static final int PORTS = 5;

    public MemberAddress
    {
        requireNonNull(host, "host");
        requireNonNull(api, "api");
        if (host.isBlank() || !host.matches("[^|,=:\\s]+"))
        {
            throw new IllegalArgumentException("host: expected an address without ',', '|', '=' or ':', got \""
                + host + "\"");
        }
        if (basePort < 1 || basePort + PORTS - 1 > 65535)
        {
            throw new IllegalArgumentException("basePort: expected 1 to " + (65536 - PORTS) + " (it and the next "
                + (PORTS - 1) + " UDP ports), got " + basePort);
        }
        if (!api.isEmpty() && !api.matches("[^|?=\\s]+:\\d{1,5}"))
        {
            throw new IllegalArgumentException("api: expected host:port, got \"" + api + "\"");
        }
    }

    /**
     * @param offset 0 ingress, 1 consensus, 2 log, 3 catch-up, 4 archive control.
     * @return {@code host:basePort+offset}.
     */
    public String endpoint(final int offset)
    {
        return host + ":" + (basePort + offset);
    }
}
