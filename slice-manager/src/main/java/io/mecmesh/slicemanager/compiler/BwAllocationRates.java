package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.classify.ClassificationRule;
import io.mecmesh.dataplane.classify.PortRange;
import io.mecmesh.dataplane.classify.SourcePrefix;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Slice;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The MEC 015 application-specific bandwidth allocations of the application instances a node hosts, as the rates of
 * the policy records of those applications' routes on that node.
 *
 * <p>Mapping: an instance's traffic is the traffic of the services it registered over MEC 011 (mesh services
 * {@code mec-ID}); each of their routes has its own policy record, so the admit stage charges it its own buckets
 * (besides the slice-wide ones). The record's downlink rate is the sum of the instance's allocations asking for the
 * downlink ({@code "00"} and {@code "10"}), its uplink rate the sum of those asking for the uplink ({@code "01"} and
 * {@code "10"}), each no more than the slice's MBR when the slice has one; a direction no allocation asks for keeps
 * the slice's MBR. On other nodes the routes keep the slice's rates: a call from another node is charged where the
 * application runs. The routes of the instance's active FORWARD traffic rules get one more record of the instance
 * (route id after the services' routes, see {@link TrafficRuleRoutes}), with the same rates.
 *
 * <p>A session-specific allocation ({@link #sessions}) gets a record of its own (route id after the instances'
 * records) with its rates, and classification rules for its {@code sessionFilter} ({@link #sessionRules}: the
 * connection's TCP 5-tuple, into the instance's slice, naming that record), ahead of the slices' rules on the
 * instance's node: the admit stage then charges the session's requests to the session's buckets instead of their
 * route's (the slice-wide buckets still apply).
 */
final class BwAllocationRates
{
    /** Allocated rates, bits per second, 0 for a direction no allocation asks for. */
    record Rates(long uplinkBps, long downlinkBps)
    {
    }

    /**
     * A session-specific allocation on the node, as the compiler enforces it.
     *
     * @param allocation the allocation.
     * @param rates      its rates.
     */
    record Session(BwAllocation allocation, Rates rates)
    {
    }

    /** The IP protocol number of TCP: the only protocol whose sessions the mesh carries. */
    static final String TCP = "6";
    private static final long MIN_BURST_BYTES = 64 * 1024;

    private BwAllocationRates()
    {
    }

    /**
     * @param state the desired state.
     * @param node  the node.
     * @return the allocated rates by mesh service name, for the registered services of the instances on the node
     *         that hold application-specific allocations.
     */
    static Map<String, Rates> byMeshService(final DesiredState state, final Node node)
    {
        final Map<String, Rates> byService = new HashMap<>();
        for (final Map.Entry<String, Rates> entry : byApp(state, node).entrySet())
        {
            for (final MecService service : state.apps().get(entry.getKey()).services())
            {
                byService.put(service.meshName(), entry.getValue());
            }
        }
        return byService;
    }

    /**
     * @param state the desired state.
     * @param node  the node.
     * @return the allocated rates of the instances on the node that hold application-specific allocations, by
     *         instance id, in id order.
     */
    static SortedMap<String, Rates> byApp(final DesiredState state, final Node node)
    {
        final SortedMap<String, Rates> byApp = new TreeMap<>();
        if (state.bwAllocations().isEmpty())
        {
            return byApp;
        }
        for (final BwAllocation allocation : state.bwAllocations().values())
        {
            if (allocation.requestType() != BwAllocation.RequestType.APPLICATION_SPECIFIC)
            {
                continue;
            }
            byApp.merge(allocation.appInstanceId(), new Rates(allocation.uplinkBps(), allocation.downlinkBps()),
                (a, b) -> new Rates(a.uplinkBps() + b.uplinkBps(), a.downlinkBps() + b.downlinkBps()));
        }
        byApp.keySet().removeIf(id ->
        {
            final AppInstance app = state.apps().get(id);
            return app == null || !app.node().equals(node.id());
        });
        return byApp;
    }

    /**
     * @param state the desired state.
     * @param node  the node.
     * @return the session-specific allocations of the instances on the node, in allocation id order.
     */
    static List<Session> sessions(final DesiredState state, final Node node)
    {
        final List<Session> sessions = new ArrayList<>();
        for (final BwAllocation allocation : state.bwAllocations().values())
        {
            final AppInstance app = state.apps().get(allocation.appInstanceId());
            if (allocation.requestType() == BwAllocation.RequestType.SESSION_SPECIFIC && app != null
                && app.node().equals(node.id()))
            {
                sessions.add(new Session(allocation, new Rates(allocation.uplinkBps(), allocation.downlinkBps())));
            }
        }
        return sessions;
    }

    /**
     * The classification rules of a session's filter: for each {@code sessionFilter} entry whose protocol is TCP
     * (or not given), one rule per pair of its source and destination ports (a list left empty matches any port),
     * on its {@code sourceIp} and {@code dstAddress} (the edge's local address the client connected to). An entry
     * of another protocol, or naming no address or port, gives none (not enforced; the MEC API refuses such new
     * filters).
     *
     * @param session       the session.
     * @param sliceId       the slice of the session's instance.
     * @param policyRouteId the route id of the session's record.
     * @return the rules, in filter order.
     */
    static List<ClassificationRule> sessionRules(final Session session, final int sliceId, final int policyRouteId)
    {
        final List<ClassificationRule> rules = new ArrayList<>();
        for (final BwAllocation.SessionFilter filter : session.allocation().sessionFilters())
        {
            if (filter.protocol().isPresent() && !TCP.equals(filter.protocol().get()))
            {
                continue;
            }
            try
            {
                rules.addAll(entryRules(filter, sliceId, policyRouteId));
            }
            catch (final IllegalArgumentException ex)
            {
                // A stored filter the data plane cannot match (port 0, a prefix with host bits): not enforced.
                continue;
            }
        }
        return rules;
    }

    private static List<ClassificationRule> entryRules(final BwAllocation.SessionFilter filter, final int sliceId,
        final int policyRouteId)
    {
        final List<ClassificationRule> rules = new ArrayList<>();
        final List<SourcePrefix> sources = filter.sourceIp().map(BwAllocationRates::prefix).stream().toList();
        final List<SourcePrefix> destinations = filter.dstAddress().map(BwAllocationRates::prefix).stream().toList();
        for (final Optional<PortRange> sourcePort : ports(filter.sourcePorts()))
        {
            for (final Optional<PortRange> dstPort : ports(filter.dstPorts()))
            {
                if (!sources.isEmpty() || !destinations.isEmpty() || sourcePort.isPresent() || dstPort.isPresent())
                {
                    rules.add(new ClassificationRule(sliceId, Optional.empty(), sources, Optional.empty(),
                        Optional.empty(), destinations, dstPort, sourcePort, policyRouteId));
                }
            }
        }
        return rules;
    }

    private static List<Optional<PortRange>> ports(final List<String> ports)
    {
        if (ports.isEmpty())
        {
            return List.of(Optional.empty());
        }
        final List<Optional<PortRange>> ranges = new ArrayList<>();
        for (final String port : ports)
        {
            final int number = Integer.parseInt(port);
            ranges.add(Optional.of(new PortRange(number, number)));
        }
        return ranges;
    }

    private static SourcePrefix prefix(final String address)
    {
        return SourcePrefix.parse(address.indexOf('/') >= 0 ? address
            : address + (address.indexOf(':') >= 0 ? "/128" : "/32"));
    }

    /**
     * @param policy a route's record as the slice gives it.
     * @param slice  the route's slice.
     * @param rates  the allocated rates of the route's service, or null.
     * @return the record with the allocated rates (burst: the larger of 64 KiB, a tenth of a second at the higher
     *         allocated rate and the 5QI's maximum data burst), or {@code policy} when none applies.
     */
    static SlicePolicy limit(final SlicePolicy policy, final Slice slice, final Rates rates)
    {
        if (rates == null)
        {
            return policy;
        }
        final long uplink = rates.uplinkBps() == 0 ? policy.uplinkRateBytesPerSecond()
            : capped(bytesPerSecond(rates.uplinkBps()), policy.uplinkRateBytesPerSecond());
        final long downlink = rates.downlinkBps() == 0 ? policy.downlinkRateBytesPerSecond()
            : capped(bytesPerSecond(rates.downlinkBps()), policy.downlinkRateBytesPerSecond());
        // The burst follows the allocated rates only: a slice-wide MBR in the other direction must not let the
        // allocated direction run seconds ahead of its rate.
        final long allocated = Math.max(rates.uplinkBps() == 0 ? 0 : uplink, rates.downlinkBps() == 0 ? 0 : downlink);
        final long burst = Math.max(Math.max(MIN_BURST_BYTES, allocated / 10), slice.fiveQi().maxDataBurstBytes());
        return new SlicePolicy(policy.sliceId(), policy.routeId(), policy.priorityLevel(), policy.dscp(), uplink,
            downlink, burst, policy.requestTimeoutNs(), policy.maxRetries(), policy.retryBudgetPercent(),
            policy.authorizationSetId());
    }

    /**
     * Whether the allocations that shape {@code node} differ between two states.
     *
     * @param before the previous state.
     * @param after  the new state.
     * @param node   the node.
     * @return true if the node must be compiled again.
     */
    static boolean changedOn(final DesiredState before, final DesiredState after, final Node node)
    {
        if (before.bwAllocations() == after.bwAllocations() || before.bwAllocations().equals(after.bwAllocations()))
        {
            return false;
        }
        return !byApp(before, node).equals(byApp(after, node)) || !sessions(before, node).equals(sessions(after, node));
    }

    private static long capped(final long allocated, final long mbr)
    {
        return mbr == 0 ? allocated : Math.min(allocated, mbr);
    }

    private static long bytesPerSecond(final long bitsPerSecond)
    {
        return (bitsPerSecond + 7) / 8;
    }
}
