package io.mecmesh.slicemanager.compiler;

import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.slicemanager.model.AppInstance;
import io.mecmesh.slicemanager.model.BwAllocation;
import io.mecmesh.slicemanager.model.DesiredState;
import io.mecmesh.slicemanager.model.MecService;
import io.mecmesh.slicemanager.model.Node;
import io.mecmesh.slicemanager.model.Slice;

import java.util.HashMap;
import java.util.Map;
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
 * (route id after the services' routes, see {@link TrafficRuleRoutes}), with the same rates. Session-specific
 * allocations are not compiled (no 5-tuple classification criterion exists).
 */
final class BwAllocationRates
{
    /** Allocated rates, bits per second, 0 for a direction no allocation asks for. */
    record Rates(long uplinkBps, long downlinkBps)
    {
    }

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
        return !byApp(before, node).equals(byApp(after, node));
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
