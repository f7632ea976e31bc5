package io.mecmesh.slicemanager.compiler;

import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.DnsRule;

import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One ACTIVE MEC 011 DNS rule of an application instance a node hosts, as that node's MEC DNS responder serves it:
 * {@code domainName} (lower case, without a trailing dot) answers {@code ipAddress} (A for IPv4, AAAA for IPv6) with
 * {@code ttl}, or the responder's default TTL when the rule has none.
 *
 * @param appInstanceId the application instance the rule belongs to.
 * @param ruleId        its {@code dnsRuleId}.
 * @param domainName    the name answered, lower case, no trailing dot.
 * @param ipAddressType the address's type.
 * @param ipAddress     the address answered.
 * @param ttl           the answer's TTL in seconds, empty for the responder's default.
 */
public record NodeDnsRule(String appInstanceId, String ruleId, String domainName, DnsRule.IpAddressType ipAddressType,
    String ipAddress, Optional<Integer> ttl)
{
    public NodeDnsRule
    {
        requireNonNull(appInstanceId, "appInstanceId");
        requireNonNull(ruleId, "ruleId");
        requireNonNull(domainName, "domainName");
        requireNonNull(ipAddressType, "ipAddressType");
        requireNonNull(ipAddress, "ipAddress");
        requireNonNull(ttl, "ttl");
        domainName = canonicalName(domainName);
        if (domainName.isEmpty())
        {
            throw new IllegalArgumentException("domainName: expected a domain name, got an empty one");
        }
        ttl.ifPresent(value ->
        {
            if (value < 0)
            {
                throw new IllegalArgumentException("ttl: expected 0 or more, got " + value);
            }
        });
    }

    /**
     * @param app  the instance.
     * @param rule one of its rules.
     * @return the rule as a node serves it.
     */
    static NodeDnsRule of(final AppInstance app, final DnsRule rule)
    {
        return new NodeDnsRule(app.id(), rule.id(), rule.domainName(), rule.ipAddressType(), rule.ipAddress(),
            rule.ttl());
    }

    /**
     * @param name a domain name.
     * @return it in lower case without a trailing dot, the form names are compared in.
     */
    public static String canonicalName(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
