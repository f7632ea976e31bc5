package io.mecmesh.slicemanager.cluster;

import io.mecmesh.slicemanager.model.CommandRejectedException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterEnvelopeTest
{
    private final ClusterEnvelope envelope = new ClusterEnvelope();

    @Test
    void shouldReadBackEveryFieldOfAnEncodedCommandAtAnOffset()
    {
        final UUID requestId = UUID.randomUUID();
        final byte[] body = "{\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        final byte[] message = ClusterEnvelope.encode(ClusterEnvelope.TYPE_COMMAND, requestId, 42,
            "spiffe://mesh.example.org/operator/alice", body);
        final byte[] padded = new byte[message.length + 7];
        System.arraycopy(message, 0, padded, 3, message.length);

        envelope.wrap(new UnsafeBuffer(padded), 3, message.length);

        assertThat(envelope.isWellFormed()).isTrue();
        assertThat(envelope.type()).isEqualTo(ClusterEnvelope.TYPE_COMMAND);
        assertThat(envelope.requestId()).isEqualTo(requestId);
        assertThat(envelope.basedOnSequence()).isEqualTo(42);
        assertThat(envelope.principal()).isEqualTo("spiffe://mesh.example.org/operator/alice");
        assertThat(envelope.body()).isEqualTo(body);
        assertThat(padded[3]).isEqualTo((byte)'M');
        assertThat(padded[4]).isEqualTo((byte)'C');
    }

    @Test
    void shouldNotBeWellFormedWithAnotherMagicAnUnknownTypeOrAPrincipalPastTheEnd()
    {
        final byte[] message = ClusterEnvelope.encode(ClusterEnvelope.TYPE_READ_BARRIER, UUID.randomUUID(), 0, "p",
            new byte[0]);
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        assertThat(envelope.wrap(buffer, 0, message.length).isWellFormed()).isTrue();
        assertThat(envelope.wrap(buffer, 0, message.length - 1).isWellFormed()).isFalse();

        buffer.putByte(ClusterEnvelope.TYPE_OFFSET, (byte)99);
        assertThat(envelope.wrap(buffer, 0, message.length).isWellFormed()).isFalse();
        buffer.putByte(ClusterEnvelope.TYPE_OFFSET, (byte)ClusterEnvelope.TYPE_READ_BARRIER);
        buffer.putByte(ClusterEnvelope.MAGIC_OFFSET, (byte)'X');
        assertThat(envelope.wrap(buffer, 0, message.length).isWellFormed()).isFalse();
    }

    @Test
    void shouldRefuseAPrincipalLongerThanTheLayoutAllows()
    {
        assertThatThrownBy(() -> ClusterEnvelope.encode(ClusterEnvelope.TYPE_COMMAND, UUID.randomUUID(), 0,
            "p".repeat(ClusterEnvelope.MAX_PRINCIPAL_LENGTH + 1), new byte[0]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("principal:");
    }

    @Test
    void shouldDecodeEveryOutcomeAsEncoded()
    {
        final Outcome rejected = Outcome.rejected(new CommandRejectedException(
            CommandRejectedException.Category.NOT_FOUND, "node", "no node \"é\""), 7, 3, 4096).asDuplicate();
        for (final Outcome outcome : new Outcome[] {Outcome.accepted(8, 2, 1024), Outcome.conflict(9, 2, 2048),
            rejected})
        {
            final byte[] bytes = outcome.encode();
            assertThat(Outcome.decode(new UnsafeBuffer(bytes), 0, bytes.length)).isEqualTo(outcome);
        }
        final byte[] bytes = rejected.encode();
        assertThatThrownBy(() -> Outcome.decode(new UnsafeBuffer(bytes), 0, bytes.length - 1))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCutARejectionReasonLongerThanTheLayoutsLengthField()
    {
        final Outcome longReason = Outcome.rejected(new CommandRejectedException(CommandRejectedException.Category.INVALID,
            "services", "x".repeat(70_000)), 1, 1, 64);
        final byte[] bytes = longReason.encode();

        final Outcome decoded = Outcome.decode(new UnsafeBuffer(bytes), 0, bytes.length);

        assertThat(decoded.reason()).hasSize(0xFFFF);
        assertThat(decoded.field()).isEqualTo("services");
    }
}
