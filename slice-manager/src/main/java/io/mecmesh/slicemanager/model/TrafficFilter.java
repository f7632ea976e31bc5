package io.mecmesh.slicemanager.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * One MEC 011 {@code TrafficFilter}: what a traffic rule matches. The list-valued fields keep the standard's names
 * ({@code srcAddress}, {@code dstAddress}, {@code srcPort}, {@code dstPort}, {@code protocol}, {@code token},
 * {@code tag}, {@code srcTunnelAddress}, {@code tgtTunnelAddress}, {@code srcTunnelPort}, {@code dstTunnelPort}) and
 * their text as the application sent it; a field not sent is absent (an empty list is kept as sent).
 *
 * @param lists the list-valued fields by name, sorted.
 * @param qci   {@code qCI}, 0 to 255.
 * @param dscp  {@code dSCP}, 0 to 63.
 * @param tc    {@code tC}, 0 to 255.
 */
public record TrafficFilter(SortedMap<String, List<String>> lists, Optional<Integer> qci, Optional<Integer> dscp,
    Optional<Integer> tc)
{
    /** The list-valued fields of a traffic filter (v2.1.1, and v3.1.1's {@code tag}). */
    public static final Set<String> LIST_FIELDS = Set.of("srcAddress", "dstAddress", "srcPort", "dstPort", "protocol",
        "token", "tag", "srcTunnelAddress", "tgtTunnelAddress", "srcTunnelPort", "dstTunnelPort");

    public TrafficFilter
    {
        requireNonNull(lists, "lists");
        requireNonNull(qci, "qci");
        requireNonNull(dscp, "dscp");
        requireNonNull(tc, "tc");
        final TreeMap<String, List<String>> copy = new TreeMap<>();
        for (final Map.Entry<String, List<String>> entry : lists.entrySet())
        {
            if (!LIST_FIELDS.contains(entry.getKey()))
            {
                throw new IllegalArgumentException(entry.getKey() + ": not a field of TrafficFilter (fields: "
                    + String.join(", ", new TreeSet<>(LIST_FIELDS))
                    + ", qCI, dSCP, tC)");
            }
            final List<String> values = entry.getValue();
            requireNonNull(values, entry.getKey());
            for (int i = 0; i < values.size(); i++)
            {
                final String value = requireNonNull(values.get(i), entry.getKey() + "[" + i + "]");
                if (value.isEmpty() || value.length() > 256)
                {
                    throw new IllegalArgumentException(entry.getKey() + "[" + i + "]: expected 1 to 256 characters");
                }
            }
            copy.put(entry.getKey(), List.copyOf(values));
        }
        lists = Collections.unmodifiableSortedMap(copy);
        qci.ifPresent(value -> Checks.requireRange("qCI", value, 0, 255));
        dscp.ifPresent(value -> Checks.requireRange("dSCP", value, 0, 63));
        tc.ifPresent(value -> Checks.requireRange("tC", value, 0, 255));
    }

    /**
     * @param field a list-valued field's name.
     * @return its values, empty if absent.
     */
    public List<String> list(final String field)
    {
        return lists.getOrDefault(field, List.of());
    }
}
