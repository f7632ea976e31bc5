package io.mecmesh.slicemanager.model;

import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A MEC 011 {@code DnsRule} of an application instance: a name the MEC DNS answers with the application's address
 * while the rule is active.
 *
 * @param id            {@code dnsRuleId}, unique within the instance.
 * @param domainName    the FQDN it resolves.
 * @param ipAddressType {@code IP_V4} or {@code IP_V6}.
 * @param ipAddress     the address answered, of that type.
 * @param ttl           the answer's time to live in seconds, 0 to 2147483647.
 * @param state         whether it is in force.
 */
public record DnsRule(String id, String domainName, IpAddressType ipAddressType, String ipAddress,
    Optional<Integer> ttl, MecRuleState state)
{
    private static final Pattern DOMAIN =
        Pattern.compile("(?=.{1,253}\\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
            + "[A-Za-z0-9])?\\.?");
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}"
        + "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    /** {@code DnsRule.IpAddressType}. */
    public enum IpAddressType
    {
        IP_V6, IP_V4
    }

    public DnsRule
    {
        AppInstance.requireId("dnsRuleId", id);
        requireNonNull(domainName, "domainName");
        if (!DOMAIN.matcher(domainName).matches())
        {
            throw new IllegalArgumentException("domainName: expected a domain name, got \"" + domainName + "\"");
        }
        requireNonNull(ipAddressType, "ipAddressType");
        requireNonNull(ipAddress, "ipAddress");
        final boolean v4 = ipAddressType == IpAddressType.IP_V4;
        if (v4 ? !IPV4.matcher(ipAddress).matches() : !IPV6.matcher(ipAddress).matches() || !ipAddress.contains(":"))
        {
            throw new IllegalArgumentException("ipAddress: expected an " + (v4 ? "IPv4" : "IPv6") + " address ("
                + ipAddressType + "), got \"" + ipAddress + "\"");
        }
        requireNonNull(ttl, "ttl");
        ttl.ifPresent(value -> Checks.requireRange("ttl", value, 0, Integer.MAX_VALUE));
        requireNonNull(state, "state");
    }
}
