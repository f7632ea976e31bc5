package io.mecmesh.slicemanager.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An ETSI MEC 015 bandwidth allocation ({@code BwInfo}, {@code /bwm/v1/bw_allocations/{allocationId}}) a MEC
 * application asked for: a fixed bit rate for its traffic, in one direction or both.
 *
 * <p>Enforced: an {@link RequestType#APPLICATION_SPECIFIC} allocation becomes the uplink and/or downlink rate of the
 * policy records of the routes of the application's registered services and FORWARD traffic rules on its node (see
 * {@code BwAllocationRates} in the compiler). A
 * {@link RequestType#SESSION_SPECIFIC} one becomes a policy record of its own that classification rules on its
 * filter's TCP 5-tuple name, on the application's node (the MEC API accepts only filters naming one TCP session).
 *
 * @param id                 {@code allocationId}, assigned by the platform: 1 to 128 letters, digits, {@code .},
 *                           {@code _}, {@code ~} or {@code -}.
 * @param appInstanceId      {@code appInsId}: the application instance it is for.
 * @param requestType        {@code requestType}: 0 application specific, 1 session specific.
 * @param fixedAllocationBps {@code fixedAllocation}: bits per second, 1 or more.
 * @param direction          {@code allocationDirection}.
 * @param sessionFilters     {@code sessionFilter}: at least one for a session-specific allocation, none otherwise.
 */
public record BwAllocation(String id, String appInstanceId, RequestType requestType, long fixedAllocationBps,
    Direction direction, List<SessionFilter> sessionFilters)
{
    /** The largest {@code fixedAllocation} accepted, in bits per second (1 Tbit/s). */
    public static final long MAX_BPS = 1_000_000_000_000L;

    public BwAllocation
    {
        AppInstance.requireId("allocationId", id);
        AppInstance.requireId("appInsId", appInstanceId);
        requireNonNull(requestType, "requestType");
        Checks.requireRange("fixedAllocation", fixedAllocationBps, 1, MAX_BPS);
        requireNonNull(direction, "allocationDirection");
        requireNonNull(sessionFilters, "sessionFilter");
        for (int i = 0; i < sessionFilters.size(); i++)
        {
            Checks.element("sessionFilter", i, sessionFilters.get(i));
        }
        sessionFilters = List.copyOf(sessionFilters);
        if (requestType == RequestType.SESSION_SPECIFIC && sessionFilters.isEmpty())
        {
            throw new IllegalArgumentException("sessionFilter: required (at least one) when requestType is 1 "
                + "(SESSION_SPECIFIC_BW_ALLOCATION)");
        }
        if (requestType == RequestType.APPLICATION_SPECIFIC && !sessionFilters.isEmpty())
        {
            throw new IllegalArgumentException("sessionFilter: only for requestType 1 (SESSION_SPECIFIC_BW_ALLOCATION)"
                + ", this request is 0 (APPLICATION_SPECIFIC_BW_ALLOCATION)");
        }
    }

    /**
     * @return the uplink rate this allocation asks for, bits per second, 0 if it does not limit the uplink.
     */
    public long uplinkBps()
    {
        return direction == Direction.DOWNLINK ? 0 : fixedAllocationBps;
    }

    /**
     * @return the downlink rate this allocation asks for, bits per second, 0 if it does not limit the downlink.
     */
    public long downlinkBps()
    {
        return direction == Direction.UPLINK ? 0 : fixedAllocationBps;
    }

    /** {@code requestType}, by its number in MEC 015. */
    public enum RequestType
    {
        /** 0: {@code APPLICATION_SPECIFIC_BW_ALLOCATION}. */
        APPLICATION_SPECIFIC,
        /** 1: {@code SESSION_SPECIFIC_BW_ALLOCATION}. */
        SESSION_SPECIFIC;

        /**
         * @return the number MEC 015 gives it.
         */
        public int code()
        {
            return ordinal();
        }
    }

    /** {@code allocationDirection}, by its code in MEC 015. */
    public enum Direction
    {
        /** "00": towards the UE. */
        DOWNLINK("00"),
        /** "01": towards the application. */
        UPLINK("01"),
        /** "10": both, each at the allocated rate. */
        SYMMETRICAL("10");

        private final String code;

        Direction(final String code)
        {
            this.code = code;
        }

        /**
         * @return the code MEC 015 gives it.
         */
        public String code()
        {
            return code;
        }

        /**
         * @param code "00", "01" or "10".
         * @return the direction.
         * @throws IllegalArgumentException naming {@code allocationDirection} for another code.
         */
        public static Direction parse(final String code)
        {
            for (final Direction direction : values())
            {
                if (direction.code.equals(code))
                {
                    return direction;
                }
            }
            throw new IllegalArgumentException("allocationDirection: expected \"00\" (downlink), \"01\" (uplink) or "
                + "\"10\" (symmetrical), got \"" + code + "\"");
        }
    }

    /**
     * One {@code sessionFilter} entry: a session's 5-tuple, each part optional.
     *
     * @param sourceIp    {@code sourceIp}: an address or prefix.
     * @param sourcePorts {@code sourcePort}: port numbers.
     * @param dstAddress  {@code dstAddress}: an address or prefix.
     * @param dstPorts    {@code dstPort}: port numbers.
     * @param protocol    {@code protocol}: an IP protocol number (0 to 255).
     */
    public record SessionFilter(Optional<String> sourceIp, List<String> sourcePorts, Optional<String> dstAddress,
        List<String> dstPorts, Optional<String> protocol)
    {
        public SessionFilter
        {
            requireNonNull(sourceIp, "sourceIp");
            sourceIp.ifPresent(address -> requireAddress("sourceIp", address));
            sourcePorts = ports("sourcePort", sourcePorts);
            requireNonNull(dstAddress, "dstAddress");
            dstAddress.ifPresent(address -> requireAddress("dstAddress", address));
            dstPorts = ports("dstPort", dstPorts);
            requireNonNull(protocol, "protocol");
            protocol.ifPresent(number -> requireNumber("protocol", number, 255));
            if (sourceIp.isEmpty() && sourcePorts.isEmpty() && dstAddress.isEmpty() && dstPorts.isEmpty()
                && protocol.isEmpty())
            {
                throw new IllegalArgumentException("sessionFilter: an entry must name at least one of sourceIp, "
                    + "sourcePort, dstAddress, dstPort, protocol");
            }
        }

        private static List<String> ports(final String field, final List<String> ports)
        {
            requireNonNull(ports, field);
            for (int i = 0; i < ports.size(); i++)
            {
                requireNumber(field + "[" + i + "]", Checks.element(field, i, ports.get(i)), 65_535);
            }
            return List.copyOf(ports);
        }

        private static void requireNumber(final String field, final String value, final int max)
        {
            if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) > max)
            {
                throw new IllegalArgumentException(field + ": expected a number from 0 to " + max + ", got \"" + value
                    + "\"");
            }
        }

        private static void requireAddress(final String field, final String value)
        {
            try
            {
                if (value.indexOf('/') >= 0)
                {
                    Cidr.parse(value);
                }
                else
                {
                    new Cidr(value, value.indexOf(':') >= 0 ? 128 : 32);
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(field + ": expected an IP address or prefix, got \"" + value
                    + "\" (" + ex.getMessage() + ")", ex);
            }
        }
    }
}
