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
