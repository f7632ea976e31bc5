package io.mecmesh.mecapi.dns;

import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.listener.ListenerConfig;
import io.mecmesh.dataplane.route.RouteConfig;
import io.mecmesh.slicemanager.compiler.NodeDnsRule;
import io.mecmesh.slicemanager.model.DnsRule;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The names one node's MEC DNS responder answers itself, as one immutable snapshot: the ACTIVE DNS rules of the
 * applications placed on the node (a name → its rules' addresses, A for IPv4 and AAAA for IPv6, with the rule's TTL
 * or the default), then the mesh service names (the exact host names of the node's routes) → the address of the
 * node's plain-text listener (its first listener without TLS and not a TCP relay, else its first; a wildcard bind
 * address answers {@code 127.0.0.1} or {@code ::1}). A rule's name shadows a mesh name. Wildcard route hosts
 * ({@code *.example}) and IP literals are not names.
 *
 * <p>Immutable: built off the event loop when a configuration is applied, read by the responder's event loop.
 */
public final class DnsZone
{
    /** The zone of a node with neither rules nor routes. */
    public static final DnsZone EMPTY = new DnsZone(Map.of(), 0);

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*"
        + "[a-z0-9_])?)*");

    /**
     * One record the zone answers.
     *
     * @param name    the name, lower case, without a trailing dot.
     * @param address the address (A when IPv4, AAAA when IPv6).
     * @param ttl     seconds.
     * @param source  {@code rule APP/RULE} or {@code mesh}.
     */
    public record Record(String name, InetAddress address, long ttl, String source)
    {
        public Record
        {
            requireNonNull(name, "name");
            requireNonNull(address, "address");
            requireNonNull(source, "source");
        }

        /**
         * @return whether the address is IPv6 (an AAAA record).
         */
        public boolean ipv6()
        {
            return address.getAddress().length == 16;
        }
    }

    private final Map<String, List<Record>> byName;
    private final long version;

    private DnsZone(final Map<String, List<Record>> byName, final long version)
    {
        this.byName = byName;
        this.version = version;
    }

    /**
     * @param rules      the node's ACTIVE DNS rules.
     * @param mesh       the node's running configuration (its routes' hosts and its listeners).
     * @param defaultTtl the TTL of a rule without one and of mesh names.
     * @return the zone; a rule whose address is not an IP address literal of its type is left out.
     */
    public static DnsZone of(final List<NodeDnsRule> rules, final MeshConfig mesh, final int defaultTtl)
    {
        requireNonNull(rules, "rules");
        requireNonNull(mesh, "mesh");
        final Map<String, List<Record>> byName = new LinkedHashMap<>();
        for (final NodeDnsRule rule : rules)
        {
            final InetAddress address;
            try
            {
                address = literal(rule.ipAddress(), rule.ipAddressType() == DnsRule.IpAddressType.IP_V6);
            }
            catch (final IllegalArgumentException ex)
            {
                // The MEC API's check is looser than InetAddress (":::::" passes it): that rule only is left out.
                continue;
            }
            byName.computeIfAbsent(rule.domainName(), name -> new ArrayList<>()).add(new Record(rule.domainName(),
                address, rule.ttl().orElse(defaultTtl), "rule " + rule.appInstanceId() + "/" + rule.ruleId()));
        }
        final InetAddress listener = listenerAddress(mesh.listeners());
        for (final RouteConfig route : mesh.routes())
        {
            final String host = route.match().authority();
            if (NAME.matcher(host).matches() && !isNumeric(host) && !byName.containsKey(host))
            {
                byName.put(host, List.of(new Record(host, listener, defaultTtl, "mesh")));
            }
        }
        final Map<String, List<Record>> frozen = new LinkedHashMap<>();
        byName.forEach((name, records) -> frozen.put(name, List.copyOf(records)));
        return new DnsZone(Collections.unmodifiableMap(frozen), mesh.version());
    }

    /**
     * @param name a queried name, lower case, without a trailing dot.
     * @return its records (empty: not a name of this zone).
     */
    public List<Record> lookup(final String name)
    {
        return byName.getOrDefault(name, List.of());
    }

    /**
     * @param name a name, lower case, without a trailing dot.
     * @return whether the zone has a record under it (so that the name itself exists, without records of its own).
     */
    public boolean hasNamesUnder(final String name)
    {
        final String suffix = "." + name;
        for (final String owner : byName.keySet())
        {
            if (owner.endsWith(suffix))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return every record, rules first (in rule order), then mesh names.
     */
    public List<Record> records()
    {
        final List<Record> all = new ArrayList<>();
        byName.values().forEach(all::addAll);
        return all;
    }

    /**
     * @return the version of the configuration the zone was built from.
     */
    public long version()
    {
        return version;
    }

    private static boolean isNumeric(final String host)
    {
        return host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static InetAddress listenerAddress(final List<ListenerConfig> listeners)
    {
        ListenerConfig chosen = listeners.get(0);
        for (final ListenerConfig listener : listeners)
        {
            if (listener.tls().isEmpty() && listener.tcpCluster().isEmpty())
            {
                chosen = listener;
                break;
            }
        }
        final String address = chosen.address();
        final boolean ipv6 = address.contains(":");
        InetAddress bound;
        try
        {
            bound = literal(address.startsWith("[") ? address.substring(1, address.length() - 1) : address, ipv6);
        }
        catch (final IllegalArgumentException ex)
        {
            // A host name (localhost): not resolved here, the loopback address stands for it.
            bound = literal(ipv6 ? "::" : "0.0.0.0", ipv6);
        }
        if (bound.isAnyLocalAddress())
        {
            return literal(ipv6 ? "::1" : "127.0.0.1", ipv6);
        }
        return bound;
    }

    private static InetAddress literal(final String address, final boolean ipv6)
    {
        final boolean looksV6 = address.contains(":");
        final boolean looksV4 = address.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (ipv6 ? !looksV6 : !looksV4)
        {
            throw new IllegalArgumentException("ipAddress: expected an " + (ipv6 ? "IPv6" : "IPv4") + " literal, got \""
                + address + "\"");
        }
        try
        {
            // A literal: no name lookup happens.
            return InetAddress.getByName(address);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("ipAddress: not an IP address: \"" + address + "\"", ex);
        }
    }
}
