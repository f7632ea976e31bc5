package io.mecmesh.slicemanager.distribution;

import static java.util.Objects.requireNonNull;

/**
 * Where one side of distribution sends and receives: configurations flow on {@code configChannel} /
 * {@code configStreamId} from the slice manager to the nodes, acknowledgements and catch-up requests on
 * {@code ackChannel} / {@code ackStreamId} back. The factory methods build the channels of each side.
 *
 * <p>Between hosts the configuration channel is a UDP multi-destination cast with dynamic control: the slice manager
 * publishes on a control address; each node subscribes from its own endpoint and registers through the control
 * address, so the slice manager needs no list of node addresses. Flow control is {@code min}, so a slow node holds
 * the publisher back rather than losing a configuration. Acknowledgements are plain unicast to the slice manager's ack
 * address.
 *
 * @param configChannel  the CONFIG channel (publication on the slice manager, subscription on a node).
 * @param configStreamId its stream id.
 * @param ackChannel     the ACK / CATCH_UP channel (subscription on the slice manager, publication on a node).
 * @param ackStreamId    its stream id, different from {@code configStreamId}.
 */
public record DistributionChannels(String configChannel, int configStreamId, String ackChannel, int ackStreamId)
{
    /** Default stream of configurations. */
    public static final int DEFAULT_CONFIG_STREAM_ID = 1001;
    /** Default stream of acknowledgements and catch-up requests. */
    public static final int DEFAULT_ACK_STREAM_ID = 1002;

    public DistributionChannels
    {
        requireNonNull(configChannel, "configChannel");
        requireNonNull(ackChannel, "ackChannel");
        if (!configChannel.startsWith("aeron:") || !ackChannel.startsWith("aeron:"))
        {
            throw new IllegalArgumentException("channels: expected Aeron channel URIs (aeron:ipc or aeron:udp?...), got "
                + configChannel + " and " + ackChannel);
        }
        if (configStreamId == ackStreamId && configChannel.equals(ackChannel))
        {
            throw new IllegalArgumentException("ackStreamId: must differ from configStreamId on the same channel");
        }
    }

    /**
     * Both sides on one host: shared memory.
     *
     * @return the IPC channels, for the slice manager and its nodes alike.
     */
    public static DistributionChannels ipc()
    {
        return new DistributionChannels("aeron:ipc", DEFAULT_CONFIG_STREAM_ID, "aeron:ipc", DEFAULT_ACK_STREAM_ID);
    }

    /**
     * The slice manager's side between hosts.
     *
     * @param controlEndpoint {@code host:port} nodes register on to receive configurations.
     * @param ackEndpoint     {@code host:port} nodes send acknowledgements to (bound here).
     * @return the channels.
     */
    public static DistributionChannels udpControlPlane(final String controlEndpoint, final String ackEndpoint)
    {
        return new DistributionChannels(
            "aeron:udp?control=" + requireEndpoint(controlEndpoint) + "|control-mode=dynamic|fc=min",
            DEFAULT_CONFIG_STREAM_ID,
            "aeron:udp?endpoint=" + requireEndpoint(ackEndpoint),
            DEFAULT_ACK_STREAM_ID);
    }

    /**
     * A node's side between hosts.
     *
     * @param controlEndpoint the slice manager's control {@code host:port}.
     * @param ackEndpoint     the slice manager's ack {@code host:port}.
     * @param nodeEndpoint    {@code host:port} this node receives configurations on (bound here).
     * @return the channels.
     */
    public static DistributionChannels udpNode(
        final String controlEndpoint, final String ackEndpoint, final String nodeEndpoint)
    {
        return new DistributionChannels(
            "aeron:udp?endpoint=" + requireEndpoint(nodeEndpoint) + "|control=" + requireEndpoint(controlEndpoint)
                + "|control-mode=dynamic",
            DEFAULT_CONFIG_STREAM_ID,
            "aeron:udp?endpoint=" + requireEndpoint(ackEndpoint),
            DEFAULT_ACK_STREAM_ID);
    }

    private static String requireEndpoint(final String endpoint)
    {
        requireNonNull(endpoint, "endpoint");
        if (!endpoint.matches("[^|?=\\s]+:\\d{1,5}"))
        {
            throw new IllegalArgumentException("endpoint: expected host:port, got \"" + endpoint + "\"");
        }
        return endpoint;
    }
}
