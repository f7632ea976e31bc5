package io.mecmesh.slicemanager.distribution;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DistributionMessageFlyweightTest
{
    private final MessageAuthenticator authenticator = new MessageAuthenticator(DistributionFixtures.KEY);
    private final DistributionMessageEncoder encoder = new DistributionMessageEncoder(authenticator);
    private final DistributionMessageFlyweight message = new DistributionMessageFlyweight();

    @Test
    void shouldReadBackEveryFieldOfAConfigAnAckAndACatchUp()
    {
        final byte[] payload = "payload bytes".getBytes(StandardCharsets.UTF_8);
        final byte[] sha256 = authenticator.sha256(payload);

        final byte[] config = encoded(encoder.encodeConfig("node-é", 9, sha256, payload));
        assertThat(wrap(config).isWellFormed()).isTrue();
        assertThat(message.verifyMac(authenticator)).isTrue();
        assertThat(message.type()).isEqualTo(DistributionMessageDescriptor.TYPE_CONFIG);
        assertThat(message.nodeId()).isEqualTo("node-é");
        assertThat(message.isFor("node-é".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(message.isFor("node-e".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(message.version()).isEqualTo(9);
        assertThat(message.sha256()).isEqualTo(sha256);
        assertThat(message.body()).isEqualTo(payload);
        assertThat(config).hasSize(DistributionMessageDescriptor.messageLength(7, payload.length));

        wrap(encoded(encoder.encodeAck("node-a", 9, RejectReason.HASH_MISMATCH, "bad hash")));
        assertThat(message.isWellFormed() && message.verifyMac(authenticator)).isTrue();
        assertThat(message.type()).isEqualTo(DistributionMessageDescriptor.TYPE_ACK);
        assertThat(message.status()).isEqualTo(DistributionMessageDescriptor.STATUS_REJECTED);
        assertThat(message.reasonCode()).isEqualTo(RejectReason.HASH_MISMATCH.code());
        assertThat(message.bodyText()).isEqualTo("bad hash");

        wrap(encoded(encoder.encodeCatchUp("node-a", DistributionMessageDescriptor.NO_VERSION)));
        assertThat(message.isWellFormed() && message.verifyMac(authenticator)).isTrue();
        assertThat(message.type()).isEqualTo(DistributionMessageDescriptor.TYPE_CATCH_UP);
        assertThat(message.version()).isEqualTo(-1);
        assertThat(message.bodyLength()).isZero();
    }

    @Test
    void shouldDetectAChangeOfAnySingleBitThroughTheMacOrTheLayoutChecks()
    {
        final byte[] payload = "p".repeat(100).getBytes(StandardCharsets.UTF_8);
        final byte[] config = encoded(encoder.encodeConfig("node-a", 5, authenticator.sha256(payload), payload));

        for (int i = 0; i < config.length; i++)
        {
            wrap(DistributionFixtures.flip(config, i));
            assertThat(message.isWellFormed() && message.verifyMac(authenticator))
                .as("bit flipped in byte %d", i).isFalse();
        }
    }

    @Test
    void shouldNotVerifyAMessageSignedWithAnotherKey()
    {
        final DistributionMessageEncoder forger =
            new DistributionMessageEncoder(new MessageAuthenticator(DistributionFixtures.OTHER_KEY));
        final byte[] payload = {1, 2, 3};

        wrap(encoded(forger, forger.encodeConfig("node-a", 5, authenticator.sha256(payload), payload)));

        assertThat(message.isWellFormed()).isTrue();
        assertThat(message.verifyMac(authenticator)).isFalse();
    }

    @Test
    void shouldRefuseShortOrInconsistentMessages()
    {
        final byte[] catchUp = encoded(encoder.encodeCatchUp("node-a", 1));

        assertThat(wrap(Arrays.copyOf(catchUp, 40)).isWellFormed()).isFalse();
        assertThat(wrap(Arrays.copyOf(catchUp, catchUp.length + 1)).isWellFormed()).isFalse();
        assertThat(wrap(Arrays.copyOf(catchUp, catchUp.length - 1)).isWellFormed()).isFalse();
        assertThat(wrap(new byte[catchUp.length]).isWellFormed()).isFalse();
    }

    private byte[] encoded(final int length)
    {
        return encoded(encoder, length);
    }

    private static byte[] encoded(final DistributionMessageEncoder encoder, final int length)
    {
        final byte[] bytes = new byte[length];
        encoder.buffer().getBytes(0, bytes);
        return bytes;
    }

    private DistributionMessageFlyweight wrap(final byte[] bytes)
    {
        return message.wrap(new UnsafeBuffer(bytes), 0, bytes.length);
    }
}
