package io.mecmesh.slicemanager.model;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A MEC 011 {@code DestinationInterface}: where a traffic rule's action sends what it matched, as the application
 * declared it. The mesh maps FORWARD and DUPLICATE actions to the application's own endpoints; this is kept and
 * answered back as sent.
 *
 * @param interfaceType {@code TUNNEL}, {@code MAC} or {@code IP}.
 * @param tunnelInfo    the tunnel, for {@code TUNNEL}.
 * @param srcMacAddress the source MAC address.
 * @param dstMacAddress the destination MAC address.
 * @param dstIpAddress  the remote destination's IP address.
 */
public record DestinationInterface(InterfaceType interfaceType, Optional<TunnelInfo> tunnelInfo,
    Optional<String> srcMacAddress, Optional<String> dstMacAddress, Optional<String> dstIpAddress)
{
    /** {@code DestinationInterface.InterfaceType}. */
    public enum InterfaceType
    {
        TUNNEL, MAC, IP
    }

    /** {@code TunnelInfo.TunnelType}. */
    public enum TunnelType
    {
        GTP_U, GRE
    }

    /**
     * A MEC 011 {@code TunnelInfo}.
     *
     * @param tunnelType       the tunnel's type.
     * @param tunnelDstAddress its destination address.
     * @param tunnelSrcAddress its source address.
     */
    public record TunnelInfo(TunnelType tunnelType, Optional<String> tunnelDstAddress, Optional<String> tunnelSrcAddress)
    {
        public TunnelInfo
        {
            requireNonNull(tunnelType, "tunnelType");
            requireNonNull(tunnelDstAddress, "tunnelDstAddress");
            requireNonNull(tunnelSrcAddress, "tunnelSrcAddress");
        }
    }

    public DestinationInterface
    {
        requireNonNull(interfaceType, "interfaceType");
        requireNonNull(tunnelInfo, "tunnelInfo");
        requireNonNull(srcMacAddress, "srcMacAddress");
        requireNonNull(dstMacAddress, "dstMacAddress");
        requireNonNull(dstIpAddress, "dstIpAddress");
    }
}
