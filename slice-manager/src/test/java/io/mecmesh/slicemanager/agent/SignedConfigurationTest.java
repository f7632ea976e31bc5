package io.mecmesh.slicemanager.agent;

import io.mecmesh.slicemanager.ca.ConfigSigningKeys;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signed configurations on a real last-known-good directory: the attack of issue 11 (edit the file, recompute its
 * SHA-256, restart), configurations signed by an unknown key, trust on first contact, and a signing-key rotation.
 */
class SignedConfigurationTest
{
    private static final String NODE = "node-a";

    @TempDir
    Path lkg;

    @TempDir
    Path caDirectory;

    private final MessageAuthenticator sha = new MessageAuthenticator(DistributionFixtures.KEY);
    private final List<NodeMeshConfig> applied = new ArrayList<>();

    @Test
    void shouldRefuseALastKnownGoodFileEditedAndRehashedAndServeThePreviousGoodOne() throws IOException
    {
        final NodeConfigConductor running = conductor(trusting(DistributionFixtures.SIGNING_KEY), applied::add,
            new DistributionCounters());
        assertThat(offer(running, DistributionFixtures.config(NODE, 5), DistributionFixtures.SIGNING_KEY)
            .isAccepted()).isTrue();
        assertThat(offer(running, DistributionFixtures.config(NODE, 6), DistributionFixtures.SIGNING_KEY)
            .isAccepted()).isTrue();

        final Path current = new LastKnownGoodStore(lkg).path(LastKnownGoodStore.Slot.CURRENT);
        forgeAndRehash(current, "video.example", "forge.example");
        assertThat(new LastKnownGoodStore(lkg).read(LastKnownGoodStore.Slot.CURRENT).problem())
            .as("the SHA-256 check alone is fooled").isEmpty();

        final List<NodeMeshConfig> afterRestart = new ArrayList<>();
        final DistributionCounters counters = new DistributionCounters();
        final NodeConfigConductor.StartOutcome outcome = conductor(trusting(DistributionFixtures.SIGNING_KEY),
            afterRestart::add, counters).startFromLastKnownGood();

        assertThat(outcome.loaded().map(NodeMeshConfig::version)).contains(5L);
        assertThat(outcome.slot()).contains(LastKnownGoodStore.Slot.PREVIOUS);
        assertThat(afterRestart).singleElement().satisfies(config ->
            assertThat(config.meshConfig().routes()).noneMatch(route -> route.match().authority().equals("forge.example"))
                .anyMatch(route -> route.match().authority().equals("video.example")));
        assertThat(outcome.problems()).singleElement().asString().contains(LastKnownGoodStore.CURRENT_FILE_NAME)
            .contains("does not verify");
        assertThat(outcome.fallback()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("previous last known good configuration (version 5)"));
        assertThat(counters.get(DistributionCounter.LKG_REFUSED_SIGNATURE)).isEqualTo(1);
        assertThat(counters.get(DistributionCounter.LKG_LOADED_PREVIOUS)).isEqualTo(1);
    }

    @Test
    void shouldServeNothingWhenTheOnlyLastKnownGoodFileIsForged() throws IOException
    {
        offer(conductor(trusting(DistributionFixtures.SIGNING_KEY), applied::add, new DistributionCounters()),
            DistributionFixtures.config(NODE, 5), DistributionFixtures.SIGNING_KEY);
        forgeAndRehash(new LastKnownGoodStore(lkg).path(LastKnownGoodStore.Slot.CURRENT), "video.example",
            "forge.example");

        final List<NodeMeshConfig> afterRestart = new ArrayList<>();
        final NodeConfigConductor.StartOutcome outcome = conductor(trusting(DistributionFixtures.SIGNING_KEY),
            afterRestart::add, new DistributionCounters()).startFromLastKnownGood();

        assertThat(outcome.loaded()).isEmpty();
        assertThat(afterRestart).isEmpty();
        assertThat(outcome.fallback()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("no usable last known good configuration").contains("does not verify"));
    }

    @Test
    void shouldRefuseALastKnownGoodFileResignedWithAnotherKey() throws IOException
    {
        offer(conductor(trusting(DistributionFixtures.SIGNING_KEY), applied::add, new DistributionCounters()),
            DistributionFixtures.config(NODE, 5), DistributionFixtures.SIGNING_KEY);
        final byte[] forged = SignedConfig.sign(MeshConfigCodec.encode(DistributionFixtures.config(NODE, 9)),
            List.of(SignedConfig.generateKeyPair()));
        writeWithHeader(new LastKnownGoodStore(lkg).path(LastKnownGoodStore.Slot.CURRENT), forged);

        final NodeConfigConductor.StartOutcome outcome = conductor(trusting(DistributionFixtures.SIGNING_KEY),
            applied::add, new DistributionCounters()).startFromLastKnownGood();

        assertThat(outcome.loaded()).isEmpty();
        assertThat(outcome.problems()).singleElement().asString().contains("does not trust");
    }

    @Test
    void shouldRefuseADistributedConfigurationSignedByAnUnknownKeyAndKeepTheRunningOne()
    {
        final DistributionCounters counters = new DistributionCounters();
        final NodeConfigConductor conductor = conductor(trusting(DistributionFixtures.SIGNING_KEY), applied::add,
            counters);
        offer(conductor, DistributionFixtures.config(NODE, 5), DistributionFixtures.SIGNING_KEY);

        final ConfigVerdict verdict = offer(conductor, DistributionFixtures.config(NODE, 6),
            SignedConfig.generateKeyPair());
        final byte[] unsigned = MeshConfigCodec.encode(DistributionFixtures.config(NODE, 7));
        final ConfigVerdict unsignedVerdict = conductor.onConfig(7, sha.sha256(unsigned), unsigned);

        assertThat(verdict.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(verdict.detail()).contains("does not trust");
        assertThat(unsignedVerdict.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(unsignedVerdict.detail()).contains("not signed");
        assertThat(conductor.runningVersion()).isEqualTo(5);
        assertThat(applied).extracting(NodeMeshConfig::version).containsExactly(5L);
        assertThat(counters.get(DistributionCounter.CONFIG_REJECTED_BAD_SIGNATURE)).isEqualTo(2);
    }

    @Test
    void shouldRefuseAConfigurationWhoseContentWasChangedAfterSigning()
    {
        final NodeConfigConductor conductor = conductor(trusting(DistributionFixtures.SIGNING_KEY), applied::add,
            new DistributionCounters());
        final byte[] payload = DistributionFixtures.signed(DistributionFixtures.config(NODE, 5));
        replace(payload, "video.example", "forge.example");

        final ConfigVerdict verdict = conductor.onConfig(5, sha.sha256(payload), payload);

        assertThat(verdict.reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(verdict.detail()).contains("does not verify");
        assertThat(applied).isEmpty();
    }

    @Test
    void shouldPinTheFirstAuthenticatedKeyAndThenRefuseOthersAndLastKnownGoodFilesWithoutPins() throws IOException
    {
        final DistributionCounters counters = new DistributionCounters();
        final NodeConfigConductor conductor = conductor(List::of, applied::add, counters);
        assertThat(offer(conductor, DistributionFixtures.config(NODE, 5), DistributionFixtures.SIGNING_KEY)
            .isAccepted()).isTrue();
        assertThat(Files.getPosixFilePermissions(lkg.resolve(ConfigVerifier.PINNED_FILE)))
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        assertThat(offer(conductor, DistributionFixtures.config(NODE, 6), SignedConfig.generateKeyPair()).reason())
            .isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(counters.get(DistributionCounter.SIGNING_KEY_PINNED)).isEqualTo(1);
        assertThat(conductor(List::of, c -> { }, new DistributionCounters()).startFromLastKnownGood().loaded())
            .as("the pinned key verifies the file after a restart").isPresent();

        Files.delete(lkg.resolve(ConfigVerifier.PINNED_FILE));
        final NodeConfigConductor.StartOutcome withoutPins = conductor(List::of, c -> { },
            new DistributionCounters()).startFromLastKnownGood();
        assertThat(withoutPins.loaded()).isEmpty();
        assertThat(withoutPins.problems()).singleElement().asString().contains("no configuration-verification key");
    }

    @Test
    void shouldAcceptBothKeysDuringARotationAndOnlyTheNewOneAfterItFinishes()
    {
        final ConfigSigningKeys keys = ConfigSigningKeys.openOrCreate(caDirectory);
        assertThat(caDirectory.resolve(ConfigSigningKeys.KEY_FILE)).exists();
        final PublicKey first = keys.verificationKeys().get(0);
        assertThat(ConfigSigningKeys.openOrCreate(caDirectory).verificationKeys()).as("never overwritten")
            .containsExactly(first);
        final NodeConfigConductor knowsOld = conductor(() -> List.of(first), c -> { }, new DistributionCounters());

        final PublicKey second = ConfigSigningKeys.rotate(caDirectory);
        assertThat(keys.signingKeys()).extracting(KeyPair::getPublic).as("signs with the new key and the old one")
            .containsExactly(second, first);
        final NodeConfigConductor knowsNew = conductor(() -> List.of(second), c -> { }, new DistributionCounters(),
            lkg.resolve("other-node"));
        final byte[] duringOverlap = SignedConfig.sign(MeshConfigCodec.encode(DistributionFixtures.config(NODE, 5)),
            keys.signingKeys());
        assertThat(knowsOld.onConfig(5, sha.sha256(duringOverlap), duringOverlap).isAccepted()).isTrue();
        assertThat(knowsNew.onConfig(5, sha.sha256(duringOverlap), duringOverlap).isAccepted()).isTrue();
        assertThatThrownBy(() -> ConfigSigningKeys.rotate(caDirectory)).hasMessageContaining("finish it first");

        ConfigSigningKeys.finish(caDirectory);
        assertThat(keys.verificationKeys()).containsExactly(second);
        final byte[] after = SignedConfig.sign(MeshConfigCodec.encode(DistributionFixtures.config(NODE, 6)),
            keys.signingKeys());
        assertThat(knowsOld.onConfig(6, sha.sha256(after), after).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(knowsNew.onConfig(6, sha.sha256(after), after).isAccepted()).isTrue();
    }

    @Test
    void shouldLetAPinnedNodeFollowARotationThroughTheCoSignedConfiguration()
    {
        final ConfigSigningKeys keys = ConfigSigningKeys.openOrCreate(caDirectory);
        final NodeConfigConductor node = conductor(List::of, c -> { }, new DistributionCounters());
        final byte[] before = SignedConfig.sign(MeshConfigCodec.encode(DistributionFixtures.config(NODE, 5)),
            keys.signingKeys());
        assertThat(node.onConfig(5, sha.sha256(before), before).isAccepted()).isTrue();

        ConfigSigningKeys.rotate(caDirectory);
        final byte[] overlap = SignedConfig.sign(MeshConfigCodec.encode(DistributionFixtures.config(NODE, 6)),
            keys.signingKeys());
        assertThat(node.onConfig(6, sha.sha256(overlap), overlap).isAccepted()).isTrue();
        ConfigSigningKeys.finish(caDirectory);
        final byte[] after = SignedConfig.sign(MeshConfigCodec.encode(DistributionFixtures.config(NODE, 7)),
            keys.signingKeys());

        assertThat(node.onConfig(7, sha.sha256(after), after).isAccepted()).isTrue();
    }

    private NodeConfigConductor conductor(final Supplier<List<PublicKey>> trusted, final ConfigApplier applier,
        final DistributionCounters counters)
    {
        return conductor(trusted, applier, counters, lkg);
    }

    private static NodeConfigConductor conductor(final Supplier<List<PublicKey>> trusted, final ConfigApplier applier,
        final DistributionCounters counters, final Path directory)
    {
        return new NodeConfigConductor(NODE, new LastKnownGoodStore(directory), applier,
            new ConfigVerifier(trusted, directory), counters);
    }

    private static Supplier<List<PublicKey>> trusting(final KeyPair key)
    {
        return () -> List.of(key.getPublic());
    }

    private ConfigVerdict offer(final NodeConfigConductor conductor, final NodeMeshConfig config, final KeyPair key)
    {
        final byte[] payload = SignedConfig.sign(MeshConfigCodec.encode(config), List.of(key));
        return conductor.onConfig(config.version(), sha.sha256(payload), payload);
    }

    /** The attack: replace bytes in the content and recompute the header's SHA-256, as a person with an editor. */
    private static void forgeAndRehash(final Path file, final String from, final String to) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final byte[] content = Arrays.copyOfRange(bytes, LastKnownGoodStore.CONTENT_OFFSET, bytes.length);
        assertThat(replace(content, from, to)).as("the file names " + from).isPositive();
        writeWithHeader(file, content);
    }

    private static void writeWithHeader(final Path file, final byte[] content) throws IOException
    {
        final ByteBuffer out = ByteBuffer.allocate(LastKnownGoodStore.CONTENT_OFFSET + content.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(LastKnownGoodStore.MAGIC).putInt(LastKnownGoodStore.FORMAT).putInt(content.length)
            .put(sha256(content)).put(content);
        Files.write(file, out.array());
    }

    private static int replace(final byte[] bytes, final String from, final String to)
    {
        final byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
        final byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
        int count = 0;
        for (int i = 0; i + needle.length <= bytes.length; i++)
        {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
            {
                System.arraycopy(replacement, 0, bytes, i, replacement.length);
                count++;
            }
        }
        return count;
    }

    private static byte[] sha256(final byte[] content)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(content);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
