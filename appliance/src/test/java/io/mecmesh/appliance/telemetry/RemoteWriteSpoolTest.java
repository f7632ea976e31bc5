package io.mecmesh.appliance.telemetry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class RemoteWriteSpoolTest
{
    private static final long QUOTA = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldDropTheOldestBatchesAndCountTheirSamplesWhenOverTheQuota()
    {
        final RemoteWriteSpool spool = RemoteWriteSpool.open(dir, QUOTA);
        for (int i = 0; i < 4; i++)
        {
            assertThat(spool.append(new byte[16 * 1024], 100 + i)).isEqualTo(RemoteWriteSpool.Dropped.NONE);
        }

        final RemoteWriteSpool.Dropped dropped = spool.append(new byte[20 * 1024], 7);

        assertThat(dropped).isEqualTo(new RemoteWriteSpool.Dropped(2, 100 + 101));
        assertThat(spool.pendingBatches()).isEqualTo(3);
        assertThat(spool.pendingBytes()).isEqualTo(52L * 1024).isLessThanOrEqualTo(QUOTA);
        assertThat(spool.oldest().orElseThrow().sequence()).as("the oldest kept").isEqualTo(2);
    }

    @Test
    void shouldKeepUnsentBatchesInOrderAcrossARestartAndForgetThoseRemoved() throws Exception
    {
        final RemoteWriteSpool first = RemoteWriteSpool.open(dir, QUOTA);
        first.append(new byte[] {1}, 1);
        first.append(new byte[] {2, 2}, 2);
        first.append(new byte[] {3, 3, 3}, 3);
        first.remove(first.oldest().orElseThrow());
        Files.write(dir.resolve("00000000000000000009-1.rw.tmp"), new byte[] {9});

        final RemoteWriteSpool reopened = RemoteWriteSpool.open(dir, QUOTA);

        final RemoteWriteSpool.Batch oldest = reopened.oldest().orElseThrow();
        assertThat(oldest.sequence()).isEqualTo(1);
        assertThat(oldest.samples()).isEqualTo(2);
        assertThat(reopened.read(oldest)).hasValueSatisfying(body -> assertThat(body).containsExactly(2, 2));
        assertThat(reopened.pendingBatches()).isEqualTo(2);
        reopened.append(new byte[] {4}, 4);
        reopened.remove(oldest);
        assertThat(reopened.oldest().orElseThrow().sequence()).isEqualTo(2);
        try (Stream<Path> files = Files.list(dir))
        {
            assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
                .as("a half-written batch from a crash is removed")
                .containsExactly("00000000000000000002-3.rw", "00000000000000000003-4.rw");
        }
    }
}
