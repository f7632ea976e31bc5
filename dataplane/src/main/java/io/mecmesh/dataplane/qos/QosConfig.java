package io.mecmesh.dataplane.qos;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The node's QoS settings, part of its {@code MeshConfig}: the link capacity GBR admission fills, and per slice
 * what the policy record does not say (mode, shaping wait, requests/s, GBR, priority weight).
 *
 * @param linkCapacityBps the capacity GBR requests are admitted against, bits per second; 0 for none (GBR
 *                        admission off: every GBR request admitted).
 * @param slices          per-slice settings; a slice without an entry runs {@link SliceQosConfig#defaults}.
 */
public record QosConfig(long linkCapacityBps, List<SliceQosConfig> slices)
{
    /** No QoS settings: no GBR admission, every slice policed at its record's rates. */
    public static final QosConfig NONE = new QosConfig(0, List.of());

    public QosConfig
    {
        slices = List.copyOf(requireNonNull(slices, "slices"));
        if (linkCapacityBps < 0)
        {
            throw new IllegalArgumentException("linkCapacityBps: expected 0 or more, got " + linkCapacityBps);
        }
        final Map<Integer, Integer> seen = new TreeMap<>();
        for (int i = 0; i < slices.size(); i++)
        {
            final Integer previous = seen.put(slices.get(i).sliceId(), i);
            if (previous != null)
            {
                throw new IllegalArgumentException("slices[" + i + "].sliceId: slice " + slices.get(i).sliceId()
                    + " is already set by slices[" + previous + "]");
            }
        }
    }

    /**
     * @return the settings by slice id.
     */
    public Map<Integer, SliceQosConfig> bySlice()
    {
        final Map<Integer, SliceQosConfig> map = new TreeMap<>();
        slices.forEach(s -> map.put(s.sliceId(), s));
        return Collections.unmodifiableMap(map);
    }
}
