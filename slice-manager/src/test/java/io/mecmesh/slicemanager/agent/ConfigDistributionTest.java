package io.mecmesh.slicemanager.agent;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.distribution.ConfigPublisherAgent;
import io.mecmesh.slicemanager.distribution.DistributionChannels;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.DistributionFixtures;
import io.mecmesh.slicemanager.distribution.DistributionMessageEncoder;
import io.mecmesh.slicemanager.distribution.EmbeddedMediaDriver;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.distribution.MessageAuthenticator;
import io.mecmesh.slicemanager.distribution.NodeStatus;
import io.mecmesh.slicemanager.distribution.RejectReason;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
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
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

import static io.mecmesh.slicemanager.distribution.DistributionFixtures.awaitUntil;
import static io.mecmesh.slicemanager.distribution.DistributionFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distribution end to end over real embedded media drivers: the publisher and node agents are driven by calling
 * {@code doWork()}; the publisher's resend clock only moves when a test advances it, so every delivery seen here
 * without advancing it came from a first send or a catch-up answer.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigDistributionTest
{
    @TempDir
    Path directory;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CachedNanoClock clock = new CachedNanoClock();

    @AfterEach
    void closeEverything()
    {
        while (!resources.isEmpty())
        {
            CloseHelper.quietClose(resources.pop());
        }
    }

    @Test
    void shouldDeliverEachNodeItsConfigurationOverIpcAndCollectBothAcknowledgements()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final List<NodeMeshConfig> appliedA = new ArrayList<>();
        final List<NodeMeshConfig> appliedB = new ArrayList<>();
        final NodeAgent nodeA = node(aeron, "node-a", DistributionChannels.ipc(), appliedA);
        final NodeAgent nodeB = node(aeron, "node-b", DistributionChannels.ipc(), appliedB);

        publisher.publish(config("node-a", 5));
        publisher.publish(config("node-b", 7));
        awaitUntil("both nodes acknowledged", () -> applied(publisher, "node-a") == 5
            && applied(publisher, "node-b") == 7, publisher, nodeA, nodeB);

        assertThat(appliedA).containsExactly(config("node-a", 5));
        assertThat(appliedB).containsExactly(config("node-b", 7));
        assertThat(publisher.status().values()).allMatch(NodeStatus::isUpToDate);
        assertThat(publisher.counters().get(DistributionCounter.ACK_ACCEPTED_RECEIVED)).isEqualTo(2);
        assertThat(nodeA.counters().get(DistributionCounter.CONFIG_APPLIED)).isEqualTo(1);
        assertThat(nodeB.counters().get(DistributionCounter.CONFIG_APPLIED)).isEqualTo(1);
    }

    @Test
    void shouldReportOnceHowLongANodeTookToRunEachNewVersionOnThePublishersClock()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final List<Long> durations = new ArrayList<>();
        publisher.onConfigApplied(durations::add);
        final NodeAgent node = node(aeron, "node-a", DistributionChannels.ipc(), new ArrayList<>());

        publisher.publish(config("node-a", 5));
        publisher.doWork();
        clock.advance(7_000);
        awaitUntil("node-a at version 5", () -> applied(publisher, "node-a") == 5, publisher, node);
        publisher.publish(config("node-a", 6));
        publisher.doWork();
        clock.advance(3_000);
        awaitUntil("node-a at version 6", () -> applied(publisher, "node-a") == 6, publisher, node);
        DistributionFixtures.runFor(200, publisher, node);

        assertThat(durations).as("one report per version, acknowledgements after it not counted again")
            .containsExactly(7_000L, 3_000L);
    }

    @Test
    void shouldRefreshANodesLastContactWithHeartbeatsOnTheNodesClockWithoutResendingAnything()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final CachedNanoClock nodeClock = new CachedNanoClock();
        final NodeAgent node = new NodeAgent(new NodeAgent.Context("node-a", aeron, DistributionChannels.ipc(),
            DistributionFixtures.KEY, directory.resolve("lkg-node-a"), config -> { }, nodeClock,
            NodeAgent.DEFAULT_HEARTBEAT_INTERVAL_NS));
        node.onStart();
        resources.push(node::onClose);
        publisher.publish(config("node-a", 4));
        awaitUntil("node-a at version 4", () -> applied(publisher, "node-a") == 4, publisher, node);
        final long contact = publisher.status().get("node-a").lastContactNs();
        final long sent = publisher.counters().get(DistributionCounter.CONFIG_SENT);

        DistributionFixtures.runFor(200, publisher, node);
        assertThat(node.counters().get(DistributionCounter.HEARTBEAT_SENT)).as("not due yet").isZero();

        clock.advance(1_000);
        nodeClock.advance(NodeAgent.DEFAULT_HEARTBEAT_INTERVAL_NS);
        awaitUntil("a heartbeat", () -> publisher.counters().get(DistributionCounter.HEARTBEAT_RECEIVED) == 1,
            publisher, node);
        awaitUntil("the status snapshot", () -> publisher.status().get("node-a").lastContactNs() == contact + 1_000,
            publisher, node);
        assertThat(node.counters().get(DistributionCounter.HEARTBEAT_SENT)).isEqualTo(1);
        assertThat(publisher.status().get("node-a").appliedVersion()).isEqualTo(4);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_SENT)).as("nothing resent").isEqualTo(sent);
    }

    @Test
    void shouldBringANodeThatWasOfflineStraightToTheLatestVersionWhenItConnects()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final NodeAgent nodeA = node(aeron, "node-a", DistributionChannels.ipc(), new ArrayList<>());
        publisher.publish(config("node-a", 1));
        publisher.publish(config("node-b", 1));
        awaitUntil("node-a at version 1", () -> applied(publisher, "node-a") == 1, publisher, nodeA);
        publisher.publish(config("node-b", 2));
        publisher.publish(config("node-b", 3));
        DistributionFixtures.runFor(200, publisher, nodeA);
        assertThat(applied(publisher, "node-b")).isEqualTo(-1);

        final List<NodeMeshConfig> appliedB = new ArrayList<>();
        final NodeAgent nodeB = node(client(aeron.context().aeronDirectoryName()), "node-b", DistributionChannels.ipc(),
            appliedB);
        awaitUntil("node-b caught up", () -> applied(publisher, "node-b") == 3, publisher, nodeA, nodeB);

        assertThat(appliedB).as("the latest version only, never the ones it missed").containsExactly(config("node-b", 3));
        assertThat(publisher.counters().get(DistributionCounter.CATCH_UP_RECEIVED)).isGreaterThanOrEqualTo(1);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESENT)).as("no timed resend").isZero();
    }

    @Test
    void shouldResendAnUnacknowledgedConfigurationOnlyOnceTheResendIntervalHasPassedOnTheInjectedClock()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final NodeAgent listener = node(aeron, "node-a", DistributionChannels.ipc(), new ArrayList<>());
        publisher.publish(config("node-silent", 2));
        awaitUntil("first send", () -> publisher.counters().get(DistributionCounter.CONFIG_SENT) == 1, publisher,
            listener);

        DistributionFixtures.runFor(200, publisher, listener);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_SENT)).isEqualTo(1);
        clock.advance(ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS - 1);
        DistributionFixtures.runFor(50, publisher, listener);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESENT)).isZero();

        clock.advance(1);
        awaitUntil("resent", () -> publisher.counters().get(DistributionCounter.CONFIG_RESENT) == 1, publisher,
            listener);
        assertThat(publisher.status().get("node-silent").isUpToDate()).isFalse();
    }

    @Test
    void shouldSignHeldConfigurationsAgainAfterAKeyRotationSoThatTheLastKnownGoodFileOutlivesTheOldKey()
    {
        final KeyPair next = SignedConfig.generateKeyPair();
        final AtomicReference<List<KeyPair>> signing = new AtomicReference<>(List.of(DistributionFixtures.SIGNING_KEY));
        final AtomicReference<List<PublicKey>> trusted = new AtomicReference<>(
            List.of(DistributionFixtures.SIGNING_KEY.getPublic()));
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc(), signing::get);
        final NodeAgent node = node(aeron, "node-a", DistributionChannels.ipc(), new ArrayList<>(), trusted::get);
        publisher.publish(config("node-a", 5));
        awaitUntil("version 5 applied", () -> applied(publisher, "node-a") == 5, publisher, node);

        signing.set(List.of(next, DistributionFixtures.SIGNING_KEY));
        trusted.set(List.of(next.getPublic(), DistributionFixtures.SIGNING_KEY.getPublic()));
        clock.advance(ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS);
        awaitUntil("version 5 signed again and kept", () -> node.counters().get(DistributionCounter.CONFIG_DUPLICATE)
            == 1, publisher, node);
        assertThat(publisher.counters().get(DistributionCounter.CONFIG_RESIGNED)).isEqualTo(1);
        publisher.onClose();
        node.onClose();

        trusted.set(List.of(next.getPublic()));
        final List<NodeMeshConfig> afterRestart = new ArrayList<>();
        final NodeAgent restarted = node(aeron, "node-a", DistributionChannels.ipc(), afterRestart, trusted::get);
        assertThat(restarted.startOutcome().slot()).as("the current file verifies with the new key alone")
            .contains(LastKnownGoodStore.Slot.CURRENT);
        assertThat(afterRestart).extracting(NodeMeshConfig::version).containsExactly(5L);
    }

    @Test
    void shouldServeFromLastKnownGoodAfterARestartWithoutControlPlaneAndCatchUpWhenItReturns()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final NodeAgent before = node(aeron, "node-a", DistributionChannels.ipc(), new ArrayList<>());
        publisher.publish(config("node-a", 4));
        awaitUntil("version 4 applied", () -> applied(publisher, "node-a") == 4, publisher, before);
        publisher.onClose();
        before.onClose();

        final List<NodeMeshConfig> afterRestart = new ArrayList<>();
        final NodeAgent restarted = node(aeron, "node-a", DistributionChannels.ipc(), afterRestart);
        assertThat(restarted.startOutcome().loaded()).contains(config("node-a", 4));
        assertThat(afterRestart).containsExactly(config("node-a", 4));
        assertThat(restarted.counters().get(DistributionCounter.LKG_LOADED)).isEqualTo(1);
        DistributionFixtures.runFor(100, restarted);
        assertThat(restarted.runningVersion()).isEqualTo(4);

        final ConfigPublisherAgent returned = publisher(aeron, DistributionChannels.ipc());
        returned.publish(config("node-a", 9));
        awaitUntil("caught up to version 9", () -> restarted.runningVersion() == 9 && applied(returned, "node-a") == 9,
            returned, restarted);
        assertThat(afterRestart).extracting(NodeMeshConfig::version).containsExactly(4L, 9L);
    }

    @Test
    void shouldRejectAForgedMacAWrongHashAnOlderVersionAndABadSignatureReportThemAndKeepTheRunningConfiguration()
    {
        final Aeron aeron = client(driver("host"));
        final ConfigPublisherAgent publisher = publisher(aeron, DistributionChannels.ipc());
        final List<NodeMeshConfig> applied = new ArrayList<>();
        final NodeAgent node = node(aeron, "node-a", DistributionChannels.ipc(), applied);
        publisher.publish(config("node-a", 5));
        awaitUntil("version 5 applied", () -> applied(publisher, "node-a") == 5, publisher, node);
        final ExclusivePublication attacker = aeron.addExclusivePublication(
            DistributionChannels.ipc().configChannel(), DistributionChannels.ipc().configStreamId());
        resources.push(attacker);
        final MessageAuthenticator authenticator = new MessageAuthenticator(DistributionFixtures.KEY);
        final byte[] v6 = DistributionFixtures.signed(config("node-a", 6));
        final byte[] v3 = DistributionFixtures.signed(config("node-a", 3));

        final DistributionMessageEncoder forger =
            new DistributionMessageEncoder(new MessageAuthenticator(DistributionFixtures.OTHER_KEY));
        inject(attacker, forger, forger.encodeConfig("node-a", 6, authenticator.sha256(v6), v6), publisher, node);
        awaitRejection(publisher, node, RejectReason.BAD_MAC, 6);

        final DistributionMessageEncoder insider = new DistributionMessageEncoder(authenticator);
        inject(attacker, insider, insider.encodeConfig("node-a", 6, authenticator.sha256(v3), v6), publisher, node);
        awaitRejection(publisher, node, RejectReason.HASH_MISMATCH, 6);

        inject(attacker, insider, insider.encodeConfig("node-a", 3, authenticator.sha256(v3), v3), publisher, node);
        awaitRejection(publisher, node, RejectReason.VERSION_NOT_NEWER, 3);

        // An insider with the shared key but not the control plane's signing key.
        final byte[] forged = SignedConfig.sign(MeshConfigCodec.encode(config("node-a", 7)),
            List.of(SignedConfig.generateKeyPair()));
        inject(attacker, insider, insider.encodeConfig("node-a", 7, authenticator.sha256(forged), forged), publisher,
            node);
        awaitRejection(publisher, node, RejectReason.BAD_SIGNATURE, 7);
        assertThat(publisher.status().get("node-a").rejectDetail()).contains("does not trust");

        assertThat(node.runningVersion()).isEqualTo(5);
        assertThat(applied).extracting(NodeMeshConfig::version).containsExactly(5L);
        assertThat(node.counters().get(DistributionCounter.CONFIG_REJECTED_BAD_MAC)).isEqualTo(1);
        assertThat(node.counters().get(DistributionCounter.CONFIG_REJECTED_HASH_MISMATCH)).isEqualTo(1);
        assertThat(node.counters().get(DistributionCounter.CONFIG_REJECTED_VERSION_NOT_NEWER)).isEqualTo(1);
        assertThat(node.counters().get(DistributionCounter.CONFIG_REJECTED_BAD_SIGNATURE)).isEqualTo(1);
        assertThat(publisher.counters().get(DistributionCounter.ACK_REJECTED_RECEIVED)).isEqualTo(4);
        assertThat(publisher.status().get("node-a").appliedVersion()).isEqualTo(5);
        assertThat(NodeConfigConductorTest.decode(new LastKnownGoodStore(directory.resolve("lkg-node-a"))
            .read(LastKnownGoodStore.Slot.CURRENT).content().orElseThrow()).version()).isEqualTo(5);
    }

    @Test
    void shouldDeliverALargeFragmentedConfigurationOverUdpOnLoopbackBetweenTwoDrivers() throws IOException
    {
        final String control = "127.0.0.1:" + freeUdpPort();
        final String ack = "127.0.0.1:" + freeUdpPort();
        final String nodeEndpoint = "127.0.0.1:" + freeUdpPort();
        final ConfigPublisherAgent publisher = publisher(client(driver("control-plane")),
            DistributionChannels.udpControlPlane(control, ack));
        final List<NodeMeshConfig> applied = new ArrayList<>();
        final NodeAgent node = node(client(driver("edge")), "node-a",
            DistributionChannels.udpNode(control, ack, nodeEndpoint), applied);
        final NodeMeshConfig large = DistributionFixtures.largeConfig("node-a", 9, 300);
        assertThat(MeshConfigCodec.encode(large).length).as("spans many 1408-byte frames").isGreaterThan(20 * 1408);

        publisher.publish(large);
        awaitUntil("acknowledged over UDP", () -> applied(publisher, "node-a") == 9, publisher, node);

        assertThat(applied).containsExactly(large);
    }

    private long applied(final ConfigPublisherAgent publisher, final String nodeId)
    {
        final NodeStatus status = publisher.status().get(nodeId);
        return status == null ? -2 : status.appliedVersion();
    }

    private void awaitRejection(
        final ConfigPublisherAgent publisher, final NodeAgent node, final RejectReason reason, final long version)
    {
        awaitUntil("rejection " + reason + " reported", () ->
        {
            final NodeStatus status = publisher.status().get("node-a");
            return status.rejectReason() == reason && status.rejectedVersion() == version;
        }, publisher, node);
    }

    private static void inject(
        final ExclusivePublication publication, final DistributionMessageEncoder encoder, final int length,
        final Agent... agents)
    {
        awaitUntil("message offered", () -> publication.offer(encoder.buffer(), 0, length) > 0, agents);
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
        return client(driver.aeronDirectoryName());
    }

    private Aeron client(final String aeronDirectoryName)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
        resources.push(aeron);
        return aeron;
    }

    private ConfigPublisherAgent publisher(final Aeron aeron, final DistributionChannels channels)
    {
        return publisher(aeron, channels, () -> List.of(DistributionFixtures.SIGNING_KEY));
    }

    private ConfigPublisherAgent publisher(final Aeron aeron, final DistributionChannels channels,
        final Supplier<List<KeyPair>> signingKeys)
    {
        final ConfigPublisherAgent publisher = new ConfigPublisherAgent(new ConfigPublisherAgent.Context(aeron,
            channels, DistributionFixtures.KEY, clock, ConfigPublisherAgent.DEFAULT_RESEND_INTERVAL_NS, signingKeys));
        publisher.onStart();
        resources.push(publisher::onClose);
        return publisher;
    }

    private NodeAgent node(
        final Aeron aeron, final String nodeId, final DistributionChannels channels, final List<NodeMeshConfig> applied)
    {
        return node(aeron, nodeId, channels, applied, List::of);
    }

    private NodeAgent node(final Aeron aeron, final String nodeId, final DistributionChannels channels,
        final List<NodeMeshConfig> applied, final Supplier<List<PublicKey>> trusted)
    {
        final NodeAgent node = new NodeAgent(new NodeAgent.Context(nodeId, aeron, channels, DistributionFixtures.KEY,
            directory.resolve("lkg-" + nodeId), applied::add).withVerificationKeys(trusted));
        node.onStart();
        resources.push(node::onClose);
        return node;
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
