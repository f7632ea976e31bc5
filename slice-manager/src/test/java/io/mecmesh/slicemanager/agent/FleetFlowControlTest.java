package io.mecmesh.slicemanager.agent;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.distribution.ConfigPublisherAgent;
import io.mecmesh.slicemanager.distribution.ConfigSubscriberAdapter;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.DistributionFixtures;
import io.mecmesh.slicemanager.distribution.EmbeddedMediaDriver;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.mecmesh.slicemanager.distribution.DistributionFixtures.awaitUntil;
import static io.mecmesh.slicemanager.distribution.DistributionFixtures.config;
import static io.mecmesh.slicemanager.distribution.DistributionFixtures.largeConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distribution at fleet scale (DESIGN-ha.md 4.3) over real media drivers on loopback UDP: CONFIG flow control
 * {@code max}, catch-up of a node that was stalled, resend pacing, CONFIG shards, and the ACK direction of many nodes
 * on one host (one Aeron session, not one per node).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetFlowControlTest
{
    private static final int LIVE_NODES = 4;
    private static final int ROUNDS = 5;
    /** Clusters per configuration: ~45 KB each, so a few rounds are far beyond a receiver window (128 KB). */
    private static final int CLUSTERS = 300;
    /** Node agents on one host (one media driver) in the ACK-session test: a simulated fleet's share of a JVM. */
    private static final int HOSTED_NODES = 200;

    @TempDir
    Path directory;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    @AfterEach
    void closeEverything()
    {
        while (!resources.isEmpty())
        {
            CloseHelper.quietClose(resources.pop());
        }
    }

    @Test
    void shouldDeliverToLiveNodesWhileOneNodeIsDeadAndOneStalledAndCatchTheStalledOneUpWhenItResumes()
        throws IOException
    {
        final String control = "127.0.0.1:" + freeUdpPort();
        final String ack = "127.0.0.1:" + freeUdpPort();
        final ConfigPublisherAgent publisher = publisher(client(driver("control-plane")),
            DistributionChannels.udpControlPlane(control, ack), SystemNanoClock.INSTANCE, 1, 200);
        final Aeron edge = client(driver("edge"));
        final Map<String, List<Long>> applied = new LinkedHashMap<>();
        final List<NodeAgent> live = new ArrayList<>();
        for (int n = 0; n < LIVE_NODES; n++)
        {
            live.add(node(edge, "node-" + n, DistributionChannels.udpNode(control, ack, "127.0.0.1:" + freeUdpPort()),
                applied));
        }
        final NodeAgent dead = node(edge, "node-dead",
            DistributionChannels.udpNode(control, ack, "127.0.0.1:" + freeUdpPort()), applied);
        final NodeAgent stalled = node(edge, "node-stalled",
            DistributionChannels.udpNode(control, ack, "127.0.0.1:" + freeUdpPort()), applied);
        final List<String> everyNode = new ArrayList<>(applied.keySet());

        publishRound(publisher, everyNode, 1);
        final List<Agent> all = new ArrayList<>(live);
        all.add(dead);
        all.add(stalled);
        all.add(publisher);
        awaitUntil("every node at version 1", () -> everyNode.stream().allMatch(id -> applied(publisher, id) == 1),
            all.toArray(Agent[]::new));

        dead.onClose();
        final List<Agent> running = new ArrayList<>(live);
        running.add(publisher);
        for (int round = 2; round <= ROUNDS; round++)
        {
            final long version = round;
            publishRound(publisher, everyNode, version);
            awaitUntil("live nodes at version " + version,
                () -> live.stream().allMatch(node -> applied(publisher, nodeId(node)) == version),
                running.toArray(Agent[]::new));
        }
        assertThat(applied(publisher, "node-stalled")).as("the stalled node has not polled").isEqualTo(1);
        assertThat(applied(publisher, "node-dead")).isEqualTo(1);

        running.add(stalled);
        awaitUntil("the stalled node caught up", () -> applied(publisher, "node-stalled") == ROUNDS,
            running.toArray(Agent[]::new));

        for (final String id : everyNode)
        {
            assertThat(applied.get(id)).as("versions %s applied, each once and in order", id)
                .doesNotHaveDuplicates().isSorted();
        }
        assertThat(applied.get("node-stalled")).startsWith(1L).endsWith((long) ROUNDS);
        for (final NodeAgent node : live)
        {
            assertThat(applied.get(nodeId(node))).containsExactlyElementsOf(
                LongStream.rangeClosed(1, ROUNDS).boxed().toList());
        }
        assertThat(applied.get("node-dead")).containsExactly(1L);
    }

    @Test
    void shouldCarryTheAcknowledgementsOfHundredsOfNodesOnOneHostInOneAckSession() throws IOException
    {
        final String control = "127.0.0.1:" + freeUdpPort();
        final String ack = "127.0.0.1:" + freeUdpPort();
        final Aeron controlPlane = client(driver("control-plane"));
        final ConfigPublisherAgent publisher = publisher(controlPlane,
            DistributionChannels.udpControlPlane(control, ack), SystemNanoClock.INSTANCE, 1, 200);
        final Aeron edge = client(driver("edge"));
        final Map<String, List<Long>> applied = new LinkedHashMap<>();
        final List<Agent> agents = new ArrayList<>();
        for (int n = 0; n < HOSTED_NODES; n++)
        {
            agents.add(node(edge, "hosted-" + n, DistributionChannels.udpNode(control, ack,
                "127.0.0.1:" + freeUdpPort()), applied));
        }
        agents.add(publisher);
        final List<String> everyNode = new ArrayList<>(applied.keySet());
        for (final String id : everyNode)
        {
            publisher.publish(config(id, 7));
        }

        DistributionFixtures.awaitUntil(HOSTED_NODES + " nodes acknowledged version 7", TimeUnit.SECONDS.toNanos(45),
            () -> everyNode.stream().allMatch(id -> applied(publisher, id) == 7), agents.toArray(Agent[]::new));

        assertThat(ackImages(controlPlane)).as("images (sessions) on the publisher's ACK subscription from the one host"
            + " of %d nodes", HOSTED_NODES).isEqualTo(1);
        assertThat(publisher.counters().get(DistributionCounter.ACK_ACCEPTED_RECEIVED))
            .isGreaterThanOrEqualTo(HOSTED_NODES);
        for (final String id : everyNode)
        {
            assertThat(applied.get(id)).as("versions %s applied", id).containsExactly(7L);
        }
    }

    @Test
    void shouldPaceTimedResendsToTheConfiguredRateSoThatUnansweredNodesDoNotFlood() throws IOException
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc(), clock, 1, 2);
        // Someone who reads the CONFIG stream (so offers succeed) but never answers: five unresponsive nodes.
        final Subscription reader = aeron.addSubscription("aeron:ipc", DistributionChannels.DEFAULT_CONFIG_STREAM_ID);
        resources.push(reader);
        awaitUntil("the reader connected", () -> reader.imageCount() == 1, publisher);
        for (int n = 0; n < 5; n++)
        {
            publisher.publish(config("quiet-" + n, 3));
        }
        awaitUntil("five first sends", () -> publisher.counters().get(DistributionCounter.CONFIG_SENT) == 5,
            publisher);
        drain(reader);

        clock.advance(ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS);
        DistributionFixtures.runFor(100, publisher);
        drain(reader);

        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESENT)).as("two tokens").isEqualTo(2);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESEND_DEFERRED)).isEqualTo(3);

        clock.advance(TimeUnit.MILLISECONDS.toNanos(500));
        DistributionFixtures.runFor(100, publisher);

        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESENT)).as("one more token in 0.5 s")
            .isEqualTo(3);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESEND_DEFERRED)).as("counted once per wait")
            .isEqualTo(3);
    }

    @Test
    void shouldSendEachNodesConfigurationOnlyOnItsOwnShard() throws IOException
    {
        final int controlPort = freeUdpPortPair();
        final String control = "127.0.0.1:" + controlPort;
        final String ack = "127.0.0.1:" + freeUdpPort();
        final String inShard0 = nodeInShard(0);
        final String inShard1 = nodeInShard(1);
        final ConfigPublisherAgent publisher = publisher(client(driver("control-plane")),
            DistributionChannels.udpControlPlane(control, ack), SystemNanoClock.INSTANCE, 2, 200);
        final Aeron edge = client(driver("edge"));
        final Map<String, List<Long>> applied = new LinkedHashMap<>();
        final DistributionChannels node0 = DistributionChannels.udpNode(control, ack, "127.0.0.1:" + freeUdpPort())
            .forNode(inShard0, 2);
        final NodeAgent first = node(edge, inShard0, node0, applied);
        // This one is given every shard (as an edge's appliance.yaml does) and picks its own.
        final NodeAgent second = node(edge, inShard1, DistributionChannels.udpNode(control, ack,
            "127.0.0.1:" + freeUdpPort()).withShards(2), applied);
        final DistributionChannels probeChannels = DistributionChannels.udpNode(control, ack,
            "127.0.0.1:" + freeUdpPort()).shard(1);
        final Subscription probe = edge.addSubscription(probeChannels.configChannel(), probeChannels.configStreamId());
        resources.push(probe);
        final Map<Long, Integer> tagsSeenOnShard1 = new LinkedHashMap<>();

        awaitUntil("nodes and probe connected", () -> first.isConnected() && second.isConnected()
            && probe.imageCount() == 1, publisher, first, second);
        publisher.publish(config(inShard0, 4));
        publisher.publish(config(inShard1, 6));
        awaitUntil("both nodes acknowledged", () ->
        {
            probe.poll((buffer, offset, length, header) -> tagsSeenOnShard1.merge(header.reservedValue(), 1, Integer::sum),
                16);
            return applied(publisher, inShard0) == 4 && applied(publisher, inShard1) == 6
                && tagsSeenOnShard1.containsKey(ConfigSubscriberAdapter.nodeTag(inShard1));
        }, publisher, first, second);

        assertThat(node0.configChannel()).contains("control=" + control);
        assertThat(probeChannels.configChannel()).contains("control=127.0.0.1:" + (controlPort + 1));
        assertThat(tagsSeenOnShard1).as("frames on shard 1, by node tag")
            .containsOnlyKeys(ConfigSubscriberAdapter.nodeTag(inShard1));
        assertThat(applied.get(inShard0)).containsExactly(4L);
        assertThat(applied.get(inShard1)).containsExactly(6L);
    }

    /** Images on the ACK stream in the control plane's driver: its {@code rcv-pos} counters of that stream. */
    private static int ackImages(final Aeron controlPlane)
    {
        final CountersReader counters = controlPlane.countersReader();
        final int[] images = {0};
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.startsWith("rcv-pos:") && label.contains(" " + DistributionChannels.DEFAULT_ACK_STREAM_ID + " "))
            {
                images[0]++;
            }
        });
        return images[0];
    }

    private static String nodeInShard(final int shard)
    {
        for (int i = 0; ; i++)
        {
            final String id = "edge-" + i;
            if (DistributionChannels.shardOf(id, 2) == shard)
            {
                return id;
            }
        }
    }

    private static void drain(final Subscription subscription)
    {
        while (subscription.poll((buffer, offset, length, header) -> { }, 64) > 0)
        {
            Thread.onSpinWait();
        }
    }

    private static void publishRound(final ConfigPublisherAgent publisher, final List<String> nodes, final long version)
    {
        for (final String id : nodes)
        {
            publisher.publish(largeConfig(id, version, CLUSTERS));
        }
    }

    private static String nodeId(final NodeAgent node)
    {
        return node.roleName().substring("mecmesh-node-agent-".length());
    }

    private static long applied(final ConfigPublisherAgent publisher, final String nodeId)
    {
        final NodeStatus status = publisher.status().get(nodeId);
        return status == null ? -2 : status.appliedVersion();
    }

    private EmbeddedMediaDriver driver(final String name)
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(new EmbeddedMediaDriver.Context()
            .dataDirectory(directory.resolve(name)).termLength(1024 * 1024));
        resources.push(driver);
        return driver;
    }

    private Aeron client(final EmbeddedMediaDriver driver)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        resources.push(aeron);
        return aeron;
    }

    private ConfigPublisherAgent publisher(final Aeron aeron, final DistributionChannels channels,
        final NanoClock clock, final int shards, final int resendsPerSecond)
    {
        final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
            channels, DistributionFixtures.KEY, clock, ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS,
            () -> List.of(DistributionFixtures.SIGNING_KEY)).withShards(shards).withMaxResendsPerSecond(resendsPerSecond));
        publisher.onStart();
        resources.push(publisher::onClose);
        return publisher;
    }

    private NodeAgent node(final Aeron aeron, final String nodeId, final DistributionChannels channels,
        final Map<String, List<Long>> applied)
    {
        final List<Long> versions = new ArrayList<>();
        applied.put(nodeId, versions);
        final NodeAgent node = new NodeAgent(new NodeAgent.Context(nodeId, aeron, channels, DistributionFixtures.KEY,
            directory.resolve("lkg-" + nodeId), config -> versions.add(versionOf(config))));
        node.onStart();
        resources.push(node::onClose);
        return node;
    }

    private static long versionOf(final NodeMeshConfig config)
    {
        return config.version();
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** A port p such that p and p + 1 are free (the control ports of two shards). */
    private static int freeUdpPortPair() throws IOException
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try (DatagramSocket first = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                final int port = first.getLocalPort();
                if (port < 65_535)
                {
                    try (DatagramSocket second = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress()))
                    {
                        return second.getLocalPort() - 1;
                    }
                    catch (final IOException taken)
                    {
                        continue;
                    }
                }
            }
        }
        throw new IOException("no pair of free UDP ports found in 50 attempts");
    }
}
