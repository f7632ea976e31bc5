package io.mecmesh.slicemanager.agent;

import io.mecmesh.dataplane.policy.SlicePolicy;
import io.mecmesh.slicemanager.compiler.NodeMeshConfig;
import io.mecmesh.slicemanager.distribution.DistributionCounter;
import io.mecmesh.slicemanager.distribution.DistributionCounters;
import io.mecmesh.slicemanager.distribution.DistributionFixtures;
import io.mecmesh.slicemanager.distribution.MeshConfigCodec;
import io.mecmesh.slicemanager.distribution.MessageAuthenticator;
import io.mecmesh.slicemanager.distribution.RejectReason;
import io.mecmesh.slicemanager.distribution.SignedConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class NodeConfigConductorTest
{
    private static final String NODE = "node-a";

    @TempDir
    Path directory;

    private final List<NodeMeshConfig> applied = new ArrayList<>();
    private final DistributionCounters counters = new DistributionCounters();
    private final MessageAuthenticator sha = new MessageAuthenticator(DistributionFixtures.KEY);

    @Test
    void shouldServeTheSameConfigurationAndVersionAfterARestartFromTheLastKnownGoodFile()
    {
        final NodeConfigConductor first = conductor(applied::add, counters);
        assertThat(first.startFromLastKnownGood().loaded()).isEmpty();
        assertThat(offer(first, DistributionFixtures.config(NODE, 5)).isAccepted()).isTrue();

        final List<NodeMeshConfig> appliedAfterRestart = new ArrayList<>();
        final DistributionCounters countersAfterRestart = new DistributionCounters();
        final NodeConfigConductor restarted = conductor(appliedAfterRestart::add, countersAfterRestart);
        final NodeConfigConductor.StartOutcome outcome = restarted.startFromLastKnownGood();

        assertThat(outcome.loaded()).contains(DistributionFixtures.config(NODE, 5));
        assertThat(outcome.slot()).contains(LastKnownGoodStore.Slot.CURRENT);
        assertThat(outcome.problems()).isEmpty();
        assertThat(appliedAfterRestart).containsExactly(DistributionFixtures.config(NODE, 5));
        assertThat(restarted.runningVersion()).isEqualTo(5);
        assertThat(countersAfterRestart.get(DistributionCounter.LKG_LOADED)).isEqualTo(1);
        assertThat(outcome.describe()).contains("version 5");
    }

    @Test
    void shouldFallBackToThePreviousGoodConfigurationWhenTheCurrentFileIsCorrupt() throws IOException
    {
        final NodeConfigConductor first = conductor(applied::add, counters);
        offer(first, DistributionFixtures.config(NODE, 5));
        offer(first, DistributionFixtures.config(NODE, 6));
        corrupt(LastKnownGoodStore.Slot.CURRENT);

        final DistributionCounters restartCounters = new DistributionCounters();
        final NodeConfigConductor.StartOutcome outcome = conductor(c -> { }, restartCounters).startFromLastKnownGood();

        assertThat(outcome.loaded().map(NodeMeshConfig::version)).contains(5L);
        assertThat(outcome.slot()).contains(LastKnownGoodStore.Slot.PREVIOUS);
        assertThat(outcome.problems()).singleElement().asString()
            .contains(LastKnownGoodStore.CURRENT_FILE_NAME).contains("integrity check failed");
        assertThat(restartCounters.get(DistributionCounter.LKG_CORRUPT)).isEqualTo(1);
        assertThat(restartCounters.get(DistributionCounter.LKG_LOADED_PREVIOUS)).isEqualTo(1);
    }

    @Test
    void shouldApplyNothingAndSayWhyWhenBothFilesAreCorrupt() throws IOException
    {
        final NodeConfigConductor first = conductor(applied::add, counters);
        offer(first, DistributionFixtures.config(NODE, 5));
        offer(first, DistributionFixtures.config(NODE, 6));
        corrupt(LastKnownGoodStore.Slot.CURRENT);
        corrupt(LastKnownGoodStore.Slot.PREVIOUS);

        final List<NodeMeshConfig> appliedAfterRestart = new ArrayList<>();
        final DistributionCounters restartCounters = new DistributionCounters();
        final NodeConfigConductor restarted = conductor(appliedAfterRestart::add, restartCounters);
        final NodeConfigConductor.StartOutcome outcome = restarted.startFromLastKnownGood();

        assertThat(outcome.loaded()).isEmpty();
        assertThat(appliedAfterRestart).isEmpty();
        assertThat(restarted.runningVersion()).isEqualTo(-1);
        assertThat(outcome.problems()).hasSize(2);
        assertThat(outcome.describe()).startsWith("no usable last known good configuration, nothing applied: ");
        assertThat(restartCounters.get(DistributionCounter.LKG_CORRUPT)).isEqualTo(2);
        assertThat(restartCounters.get(DistributionCounter.LKG_NONE_USABLE)).isEqualTo(1);
    }

    @Test
    void shouldPersistTheConfigurationBeforeHandingItToTheDataPlane()
    {
        final LastKnownGoodStore store = new LastKnownGoodStore(directory);
        final List<Optional<byte[]>> onDiskWhenApplied = new ArrayList<>();
        final NodeConfigConductor conductor = conductor(c -> onDiskWhenApplied.add(
            store.read(LastKnownGoodStore.Slot.CURRENT).content()), counters);

        offer(conductor, DistributionFixtures.config(NODE, 5));

        assertThat(onDiskWhenApplied).singleElement().satisfies(content -> assertThat(content)
            .hasValueSatisfying(bytes -> assertThat(decode(bytes).version()).isEqualTo(5)));
    }

    @Test
    void shouldRejectAWrongHashAnOlderVersionAndAnUndecodablePayloadAndKeepTheRunningConfiguration()
    {
        final NodeConfigConductor conductor = conductor(applied::add, counters);
        offer(conductor, DistributionFixtures.config(NODE, 5));
        final byte[] v6 = DistributionFixtures.signed(DistributionFixtures.config(NODE, 6));
        final byte[] garbage = SignedConfig.sign(new byte[] {1, 0, 0, 0, 9}, List.of(DistributionFixtures.SIGNING_KEY));
        final byte[] otherNode = DistributionFixtures.signed(DistributionFixtures.config("node-b", 7));

        assertThat(conductor.onConfig(6, sha.sha256(garbage), v6).reason()).isEqualTo(RejectReason.HASH_MISMATCH);
        assertThat(offer(conductor, DistributionFixtures.config(NODE, 4)).reason())
            .isEqualTo(RejectReason.VERSION_NOT_NEWER);
        assertThat(conductor.onConfig(6, sha.sha256(garbage), garbage).reason()).isEqualTo(RejectReason.INVALID);
        assertThat(conductor.onConfig(7, sha.sha256(otherNode), otherNode).detail()).contains("node-b");

        assertThat(conductor.runningVersion()).isEqualTo(5);
        assertThat(applied).extracting(NodeMeshConfig::version).containsExactly(5L);
        assertThat(new LastKnownGoodStore(directory).read(LastKnownGoodStore.Slot.CURRENT).content()
            .map(NodeConfigConductorTest::decode).map(NodeMeshConfig::version)).contains(5L);
        assertThat(counters.get(DistributionCounter.CONFIG_REJECTED_HASH_MISMATCH)).isEqualTo(1);
        assertThat(counters.get(DistributionCounter.CONFIG_REJECTED_VERSION_NOT_NEWER)).isEqualTo(1);
        assertThat(counters.get(DistributionCounter.CONFIG_REJECTED_INVALID)).isEqualTo(2);
        assertThat(counters.get(DistributionCounter.CONFIG_APPLIED)).isEqualTo(1);
    }

    @Test
    void shouldRejectARouteOfAnUnknownSliceAndKeepTheRunningConfiguration()
    {
        final NodeConfigConductor conductor = conductor(applied::add, counters);
        offer(conductor, DistributionFixtures.config(NODE, 5));
        final NodeMeshConfig good = DistributionFixtures.config(NODE, 6);
        final NodeMeshConfig noSlices = new NodeMeshConfig(NODE, 6, good.contentHash(), good.meshConfig(),
            good.routes(), good.policies().stream().filter(p -> p.routeId() != SlicePolicy.SLICE_DEFAULT_ROUTE_ID)
            .toList(), good.authorizationSets());

        final ConfigVerdict verdict = offer(conductor, noSlices);

        assertThat(verdict.reason()).isEqualTo(RejectReason.INVALID);
        assertThat(verdict.detail()).startsWith("routes[0] (service ").contains("unknown slice");
        assertThat(conductor.runningVersion()).isEqualTo(5);
        assertThat(applied).extracting(NodeMeshConfig::version).containsExactly(5L);
    }

    @Test
    void shouldRestoreThePreviousLastKnownGoodWhenTheDataPlaneRefusesTheNewConfiguration()
    {
        final NodeConfigConductor conductor = conductor(config ->
        {
            if (config.version() == 6)
            {
                throw new IllegalStateException("listeners cannot change without a restart");
            }
            applied.add(config);
        }, counters);
        offer(conductor, DistributionFixtures.config(NODE, 5));

        final ConfigVerdict verdict = offer(conductor, DistributionFixtures.config(NODE, 6));

        assertThat(verdict.reason()).isEqualTo(RejectReason.APPLY_FAILED);
        assertThat(verdict.detail()).contains("listeners cannot change");
        assertThat(conductor.runningVersion()).isEqualTo(5);
        final NodeConfigConductor.StartOutcome restart = conductor(c -> { }, new DistributionCounters())
            .startFromLastKnownGood();
        assertThat(restart.loaded().map(NodeMeshConfig::version)).contains(5L);
        assertThat(restart.slot()).contains(LastKnownGoodStore.Slot.CURRENT);
    }

    @Test
    void shouldAcknowledgeAResentRunningVersionWithoutApplyingItAgain()
    {
        final NodeConfigConductor conductor = conductor(applied::add, counters);
        offer(conductor, DistributionFixtures.config(NODE, 5));

        final ConfigVerdict again = offer(conductor, DistributionFixtures.config(NODE, 5));

        assertThat(again.isAccepted()).isTrue();
        assertThat(applied).hasSize(1);
        assertThat(counters.get(DistributionCounter.CONFIG_DUPLICATE)).isEqualTo(1);
    }

    private NodeConfigConductor conductor(final ConfigApplier applier, final DistributionCounters counters)
    {
        return new NodeConfigConductor(NODE, new LastKnownGoodStore(directory), applier,
            new ConfigVerifier(() -> List.of(DistributionFixtures.SIGNING_KEY.getPublic()), directory), counters);
    }

    private ConfigVerdict offer(final NodeConfigConductor conductor, final NodeMeshConfig config)
    {
        final byte[] payload = DistributionFixtures.signed(config);
        return conductor.onConfig(config.version(), sha.sha256(payload), payload);
    }

    static NodeMeshConfig decode(final byte[] stored)
    {
        return MeshConfigCodec.decode(SignedConfig.parse(stored).content());
    }

    private void corrupt(final LastKnownGoodStore.Slot slot) throws IOException
    {
        final Path file = new LastKnownGoodStore(directory).path(slot);
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, LastKnownGoodStoreTest.flip(bytes, bytes.length / 2));
    }
}
