package io.mecmesh.slicemanager.distribution;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * The node's side of the CONFIG channel: decodes whole messages (wrap it in a {@code FragmentAssembler}), keeps
 * those for this node, checks their MAC, and calls the {@link ConfigListener}. Messages for other nodes are skipped
 * (the CONFIG stream is shared); malformed messages and, for this node, messages with a bad MAC are counted.
 * Confined to the thread that polls the subscription.
 *
 * <p>{@link #skippingOtherNodes(String, FragmentHandler)} goes in front of the assembler: it drops the fragments
 * whose reserved value carries another node's {@link #nodeTag} before they are reassembled.
 */
public final class ConfigSubscriberAdapter implements FragmentHandler
{
    private final byte[] nodeIdUtf8;
    private final MessageAuthenticator authenticator;
    private final DistributionCounters counters;
    private final ConfigListener listener;
    private final DistributionMessageFlyweight message = new DistributionMessageFlyweight();

    /**
     * @param nodeId        this node.
     * @param authenticator the shared key.
     * @param counters      where outcomes are counted.
     * @param listener      receives verified configurations.
     */
    public ConfigSubscriberAdapter(
        final String nodeId,
        final MessageAuthenticator authenticator,
        final DistributionCounters counters,
        final ConfigListener listener)
    {
        this.nodeIdUtf8 = requireNonNull(nodeId, "nodeId").getBytes(StandardCharsets.UTF_8);
        this.authenticator = requireNonNull(authenticator, "authenticator");
        this.counters = requireNonNull(counters, "counters");
        this.listener = requireNonNull(listener, "listener");
    }

    /**
     * @param nodeId a node.
     * @return the tag the publisher puts in the reserved value of every frame of that node's CONFIG messages: a
     *     64-bit FNV-1a hash of the UTF-8 id, never 0 (0 is an untagged frame).
     */
    public static long nodeTag(final String nodeId)
    {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : requireNonNull(nodeId, "nodeId").getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash == 0 ? 1 : hash;
    }

    /**
     * @param nodeId    this node.
     * @param assembler the handler of this node's fragments (the {@code FragmentAssembler} around this adapter).
     * @return a handler that passes on untagged fragments and this node's, and drops those tagged for other nodes.
     */
    public static FragmentHandler skippingOtherNodes(final String nodeId, final FragmentHandler assembler)
    {
        requireNonNull(assembler, "assembler");
        final long tag = nodeTag(nodeId);
        return (buffer, offset, length, header) ->
        {
            final long reserved = header.reservedValue();
            if (reserved == 0 || reserved == tag)
            {
                assembler.onFragment(buffer, offset, length, header);
            }
        };
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        message.wrap(buffer, offset, length);
        if (!message.isWellFormed())
        {
            counters.increment(DistributionCounter.MESSAGE_MALFORMED);
            return;
        }
        if (message.type() != DistributionMessageDescriptor.TYPE_CONFIG || !message.isFor(nodeIdUtf8))
        {
            return;
        }
        if (!message.verifyMac(authenticator))
        {
            counters.increment(DistributionCounter.MESSAGE_BAD_MAC);
            listener.onBadMac(message.version());
            return;
        }
        listener.onConfig(message.version(), message.sha256(), message.body());
    }
}
