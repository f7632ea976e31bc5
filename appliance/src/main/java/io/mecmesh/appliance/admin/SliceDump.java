package io.mecmesh.appliance.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mecmesh.dataplane.MeshConfig;
import io.mecmesh.dataplane.classify.SliceStats;
import io.mecmesh.dataplane.policy.PolicyTable;
import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.dataplane.qos.GbrAdmission;
import io.mecmesh.dataplane.qos.QosConfig;
import io.mecmesh.dataplane.qos.SliceQosConfig;

import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The {@code qos} and {@code slices} parts of {@code /config_dump}: each slice as the node runs it, its QoS settings
 * ({@link SliceQosConfig}) beside its policy records (the slice default, route 0, and per route), and the node's GBR
 * capacity with what is admitted now. What {@code mecmesh proxy-config slices} prints.
 */
public final class SliceDump
{
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private SliceDump()
    {
    }

    /**
     * @param config   the running configuration.
     * @param policies the running policy table.
     * @param gbr      the node's GBR admission.
     * @return the configuration dump with {@code qos: {linkCapacityBps, admittedGbrBps}} and {@code slices: [...]}.
     */
    public static ObjectNode of(final MeshConfig config, final PolicyTable policies, final GbrAdmission gbr)
    {
        requireNonNull(config, "config");
        requireNonNull(policies, "policies");
        requireNonNull(gbr, "gbr");
        final ObjectNode dump = ConfigDump.JSON.valueToTree(config);
        final QosConfig qos = config.qos();
        final ObjectNode node = dump.putObject("qos");
        node.put("linkCapacityBps", qos.linkCapacityBps());
        node.put("admittedGbrBps", gbr.admittedBps());
        final Map<Integer, ObjectNode> bySlice = new TreeMap<>(Integer::compareUnsigned);
        for (final SliceQosConfig slice : qos.slices())
        {
            settings(slice(bySlice, slice.sliceId()), slice);
        }
        for (final SlicePolicy record : policies.records())
        {
            final ObjectNode slice = slice(bySlice, record.sliceId());
            if (!slice.has("mode"))
            {
                settings(slice, SliceQosConfig.defaults(record.sliceId()));
            }
            slice.withArray("records").addObject()
                .put("routeId", record.routeId())
                .put("priorityLevel", record.priorityLevel())
                .put("dscp", record.dscp())
                .put("uplinkRateBytesPerSecond", record.uplinkRateBytesPerSecond())
                .put("downlinkRateBytesPerSecond", record.downlinkRateBytesPerSecond())
                .put("burstBytes", record.burstBytes())
                .put("requestTimeoutMs", record.requestTimeoutNs() / NANOS_PER_MILLI)
                .put("maxRetries", record.maxRetries());
        }
        final ArrayNode slices = dump.putArray("slices");
        bySlice.values().forEach(slices::add);
        return dump;
    }

    private static ObjectNode slice(final Map<Integer, ObjectNode> bySlice, final int sliceId)
    {
        return bySlice.computeIfAbsent(sliceId, id -> ConfigDump.JSON.createObjectNode()
            .put("slice", SliceStats.sliceText(id)));
    }

    private static void settings(final ObjectNode node, final SliceQosConfig slice)
    {
        node.put("mode", slice.mode().name().toLowerCase(java.util.Locale.ROOT))
            .put("maxShapingWaitMs", slice.maxShapingWaitMs())
            .put("requestsPerSecond", slice.requestsPerSecond())
            .put("gbrUplinkBps", slice.gbrUplinkBps())
            .put("gbrDownlinkBps", slice.gbrDownlinkBps())
            .put("priorityWeight", slice.priorityWeight());
    }
}
