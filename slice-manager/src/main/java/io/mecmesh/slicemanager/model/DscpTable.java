package io.mecmesh.slicemanager.model;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Which DSCP a slice's traffic is marked with, by its 5QI. 3GPP does not map 5QIs to DSCPs: that is the transport
 * network's configuration, so the table is the operator's to change ({@link #with(int, int)}). The default is a
 * common starting point that follows the RFC 4594 service classes:
 *
 * <pre>
 *  5QI                    DSCP        why
 *  1, 65, 66              46 EF       conversational and push-to-talk voice
 *  2                      36 AF42     conversational video
 *  3, 67, 79, 80          34 AF41     real-time gaming, V2X, mission-critical video, low-latency eMBB
 *  4, 7, 71-76            26 AF31     streaming video, interactive non-GBR, live uplink streaming
 *  5, 69                  40 CS5      IMS and mission-critical signalling
 *  6, 70                  18 AF21     buffered video / TCP, mission-critical data
 *  8                      10 AF11     buffered video / TCP
 *  9, 10                  0  BE       default bearer
 *  any other, by resource type: delay-critical GBR 46 EF, GBR 34 AF41, non-GBR 0 BE
 * </pre>
 */
public final class DscpTable
{
    public static final int EF = 46;
    public static final int CS5 = 40;
    public static final int AF41 = 34;
    public static final int AF42 = 36;
    public static final int AF31 = 26;
    public static final int AF21 = 18;
    public static final int AF11 = 10;
    public static final int BEST_EFFORT = 0;

    private static final DscpTable DEFAULT = createDefault();

    private final SortedMap<Integer, Integer> byFiveQi;

    private DscpTable(final SortedMap<Integer, Integer> byFiveQi)
    {
        this.byFiveQi = Collections.unmodifiableSortedMap(byFiveQi);
    }

    /**
     * The documented default mapping.
     *
     * @return the default table.
     */
    public static DscpTable defaultTable()
    {
        return DEFAULT;
    }

    /**
     * This table with one 5QI mapped to another DSCP.
     *
     * @param fiveQi the 5QI, 1 to 254.
     * @param dscp   the DSCP, 0 to 63.
     * @return the new table.
     */
    public DscpTable with(final int fiveQi, final int dscp)
    {
        Checks.requireRange("fiveQi", fiveQi, 1, 254);
        Checks.requireRange("dscp", dscp, 0, 63);
        final SortedMap<Integer, Integer> copy = new TreeMap<>(byFiveQi);
        copy.put(fiveQi, dscp);
        return new DscpTable(copy);
    }

    /**
     * The DSCP for a 5QI: its own entry, else by its resource type.
     *
     * @param fiveQi the 5QI row.
     * @return the DSCP, 0 to 63.
     */
    public int dscpFor(final FiveQi fiveQi)
    {
        requireNonNull(fiveQi, "fiveQi");
        final Integer dscp = byFiveQi.get(fiveQi.value());
        if (dscp != null)
        {
            return dscp;
        }
        return switch (fiveQi.resourceType())
        {
            case DELAY_CRITICAL_GBR -> EF;
            case GBR -> AF41;
            case NON_GBR -> BEST_EFFORT;
        };
    }

    /**
     * The explicit entries.
     *
     * @return DSCP by 5QI.
     */
    public Map<Integer, Integer> entries()
    {
        return byFiveQi;
    }

    private static DscpTable createDefault()
    {
        final SortedMap<Integer, Integer> map = new TreeMap<>();
        for (final int fiveQi : new int[] {1, 65, 66})
        {
            map.put(fiveQi, EF);
        }
        map.put(2, AF42);
        for (final int fiveQi : new int[] {3, 67, 79, 80})
        {
            map.put(fiveQi, AF41);
        }
        for (final int fiveQi : new int[] {4, 7, 71, 72, 73, 74, 75, 76})
        {
            map.put(fiveQi, AF31);
        }
        map.put(5, CS5);
        map.put(69, CS5);
        map.put(6, AF21);
        map.put(70, AF21);
        map.put(8, AF11);
        map.put(9, BEST_EFFORT);
        map.put(10, BEST_EFFORT);
        return new DscpTable(map);
    }
}
