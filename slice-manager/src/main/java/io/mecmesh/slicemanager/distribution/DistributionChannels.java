package io.mecmesh.slicemanager.distribution;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;

import static java.util.Objects.requireNonNull;

/**
 * Where one side of distribution sends and receives: configurations flow on {@code configChannel} /
 * {@code configStreamId} from the slice manager to the nodes, acknowledgements and catch-up requests on
 * {@code ackChannel} / {@code ackStreamId} back. The factory methods build the channels of each side.
 *
 * <p>Between hosts the configuration channel is a UDP multi-destination cast with dynamic control: the slice manager
 * publishes on a control address; each node subscribes from its own endpoint and registers through the control
 * address, so the slice manager needs no list of node addresses. Flow control is {@code max} (DESIGN-ha.md 4.3): the
 * fastest node sets the pace, so a dead or stalled node never holds the others back; a node that fell behind recovers
 * by NAK within the term ({@value #CONFIG_TERM_LENGTH}), else by the publisher's resend or its own CATCH_UP (a node
 * only ever needs its latest configuration). Acknowledgements are plain unicast to the slice manager's ack address,
 * received with a {@value #ACK_RECEIVE_BUFFER} socket receive buffer ({@code so-rcvbuf}; the kernel caps it at
 * {@code net.core.rmem_max}): every node sends its ACKs, CATCH_UPs and heartbeats into that one socket, and Aeron's
 * 128 KiB default overflowed at 1,000 nodes (NOTES.md "Fleet-scale distribution"). The node agents of one process
 * share one ACK publication (one Aeron session per process, {@code NodeAgent}).
 *
 * <p>{@link #shard(int)} splits the CONFIG stream: shard {@code s} of a UDP channel uses the control port
 * {@code configPort + s}, of IPC the stream {@code configStreamId + s * }{@value #SHARD_STREAM_STEP}; node {@code n}
 * is in shard {@link #shardOf(String, int)}, so a configuration goes to the nodes of its shard only (N x N/S bytes
 * on the wire for a fleet-wide change instead of N x N).
 *
 * @param configChannel  the CONFIG channel (publication on the slice manager, subscription on a node).
 * @param configStreamId its stream id.
 * @param ackChannel     the ACK / CATCH_UP channel (subscription on the slice manager, publication on a node).
 * @param ackStreamId    its stream id, different from {@code configStreamId}.
 * @param shards         how many CONFIG shards these channels stand for ({@code controlPlane.distribution.shards}):
 *                       the publisher publishes on each, a node subscribes to its own ({@link #forNode(String)});
 *                       1 for the channels of one shard.
 */
public record DistributionChannels(String configChannel, int configStreamId, String ackChannel, int ackStreamId,
    int shards)
{
    /** Default stream of configurations. */
    public static final int DEFAULT_CONFIG_STREAM_ID = 1001;
    /** Default stream of acknowledgements and catch-up requests. */
    public static final int DEFAULT_ACK_STREAM_ID = 1002;
    /** Term length of the UDP CONFIG publication: a briefly slow node recovers by NAK within it. */
    public static final String CONFIG_TERM_LENGTH = "16m";
    /**
     * Socket receive buffer of the slice manager's ACK endpoint ({@code so-rcvbuf}): room for ~2 s of every node's
     * heartbeat and Aeron's session chatter while the driver's shared thread is busy (creating images, mapping
     * files).
     */
    public static final String ACK_RECEIVE_BUFFER = "2m";
    /** Most CONFIG shards ({@code distribution.shards}). */
    public static final int MAX_SHARDS = 256;
    /** Distance between the IPC stream ids of two shards. */
    public static final int SHARD_STREAM_STEP = 1000;

    /**
     * Channels of one CONFIG stream (one shard).
     *
     * @param configChannel  the CONFIG channel.
     * @param configStreamId its stream id.
     * @param ackChannel     the ACK / CATCH_UP channel.
     * @param ackStreamId    its stream id.
     */
    public DistributionChannels(final String configChannel, final int configStreamId, final String ackChannel,
        final int ackStreamId)
    {
        this(configChannel, configStreamId, ackChannel, ackStreamId, 1);
    }

    public DistributionChannels
    {
        requireShards(shards);
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
            "aeron:udp?control=" + requireEndpoint(controlEndpoint) + "|control-mode=dynamic|fc=max|term-length="
                + CONFIG_TERM_LENGTH,
            DEFAULT_CONFIG_STREAM_ID,
            "aeron:udp?endpoint=" + requireEndpoint(ackEndpoint) + "|so-rcvbuf=" + ACK_RECEIVE_BUFFER,
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

    /**
     * @param count how many CONFIG shards, 1 to {@value #MAX_SHARDS} ({@code controlPlane.distribution.shards}).
     * @return these channels standing for that many shards.
     */
    public DistributionChannels withShards(final int count)
    {
        return new DistributionChannels(configChannel, configStreamId, ackChannel, ackStreamId, count);
    }

    /**
     * The channels of one CONFIG shard (the ACK channel is the same for all), as one stream ({@code shards} 1): for
     * UDP the control port moves up by {@code shard}, for IPC the stream id by {@code shard * }
     * {@value #SHARD_STREAM_STEP}. Shard 0 has these channels' addresses.
     *
     * @param shard the shard, from 0.
     * @return the shard's channels.
     */
    public DistributionChannels shard(final int shard)
    {
        if (shard < 0 || shard >= MAX_SHARDS)
        {
            throw new IllegalArgumentException("shard: expected 0 to " + (MAX_SHARDS - 1) + ", got " + shard);
        }
        if (shard == 0)
        {
            return withShards(1);
        }
        final ChannelUri uri = ChannelUri.parse(configChannel);
        if (!"udp".equals(uri.media()))
        {
            return new DistributionChannels(configChannel, configStreamId + shard * SHARD_STREAM_STEP, ackChannel,
                ackStreamId);
        }
        final String control = uri.get(CommonContext.MDC_CONTROL_PARAM_NAME);
        if (control == null)
        {
            throw new IllegalArgumentException("configChannel: a UDP CONFIG channel without control endpoint cannot be"
                + " sharded: " + configChannel);
        }
        final int colon = control.lastIndexOf(':');
        final int port = Integer.parseInt(control.substring(colon + 1)) + shard;
        if (port > 65_535)
        {
            throw new IllegalArgumentException("shard: control port " + port + " of shard " + shard + " is above 65535");
        }
        uri.put(CommonContext.MDC_CONTROL_PARAM_NAME, control.substring(0, colon + 1) + port);
        return new DistributionChannels(uri.toString(), configStreamId, ackChannel, ackStreamId);
    }

    /**
     * A node's channels: those of its shard among {@link #shards()} (these channels when there is one).
     *
     * @param nodeId the node.
     * @return the channels of the node's shard.
     */
    public DistributionChannels forNode(final String nodeId)
    {
        return forNode(nodeId, shards);
    }

    /**
     * A node's channels when the CONFIG stream is split in {@code shards}: those of its shard.
     *
     * @param nodeId the node.
     * @param shards how many shards, 1 to {@value #MAX_SHARDS} (the control plane's {@code distribution.shards}).
     * @return the channels of the node's shard.
     */
    public DistributionChannels forNode(final String nodeId, final int shards)
    {
        return shard(shardOf(nodeId, shards));
    }

    /**
     * @param nodeId a node.
     * @param shards how many shards, 1 to {@value #MAX_SHARDS}.
     * @return the node's shard: its id's {@link String#hashCode()} (specified by the JLS, so stable) modulo
     *     {@code shards}.
     */
    public static int shardOf(final String nodeId, final int shards)
    {
        requireNonNull(nodeId, "nodeId");
        requireShards(shards);
        return Math.floorMod(nodeId.hashCode(), shards);
    }

    /**
     * @param shards a shard count.
     * @return it, when from 1 to {@value #MAX_SHARDS}.
     * @throws IllegalArgumentException naming {@code distribution.shards} otherwise.
     */
    public static int requireShards(final int shards)
    {
        if (shards < 1 || shards > MAX_SHARDS)
        {
            throw new IllegalArgumentException("distribution.shards: expected 1 to " + MAX_SHARDS + ", got " + shards);
        }
        return shards;
    }
}
