package io.mecmesh.slicemanager.distribution;

import io.aeron.Publication;

import static java.util.Objects.requireNonNull;

/**
 * Sends a node's ACKs and catch-up requests to the slice manager. Returns whether the message was offered; the
 * caller retries on {@code false} (not connected yet, back pressure). Confined to the node agent's thread.
 */
public final class ControlPlaneProxy
{
    private final String nodeId;
    private final Publication publication;
    private final DistributionMessageEncoder encoder;

    /**
     * @param nodeId        this node.
     * @param publication   the ACK channel's publication (not closed here).
     * @param authenticator the shared key.
     */
    public ControlPlaneProxy(final String nodeId, final Publication publication, final MessageAuthenticator authenticator)
    {
        this.nodeId = requireNonNull(nodeId, "nodeId");
        this.publication = requireNonNull(publication, "publication");
        this.encoder = new DistributionMessageEncoder(requireNonNull(authenticator, "authenticator"));
    }

    /**
     * @param version the version applied or rejected.
     * @param reason  {@link RejectReason#NONE} when applied.
     * @param detail  why it was rejected, empty when applied.
     * @return whether it was offered.
     */
    public boolean ack(final long version, final RejectReason reason, final String detail)
    {
        final int length = encoder.encodeAck(nodeId, version, reason, detail);
        return publication.offer(encoder.buffer(), 0, length) > 0;
    }

    /**
     * @param runningVersion the version this node runs, {@link DistributionMessageDescriptor#NO_VERSION} for none.
     * @return whether it was offered.
     */
    public boolean catchUp(final long runningVersion)
    {
        final int length = encoder.encodeCatchUp(nodeId, runningVersion);
        return publication.offer(encoder.buffer(), 0, length) > 0;
    }

    /**
     * @param runningVersion the version this node runs, {@link DistributionMessageDescriptor#NO_VERSION} for none.
     * @return whether it was offered.
     */
    public boolean heartbeat(final long runningVersion)
    {
        final int length = encoder.encodeHeartbeat(nodeId, runningVersion);
        return publication.offer(encoder.buffer(), 0, length) > 0;
    }
}
