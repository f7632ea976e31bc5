package io.mecmesh.slicemanager.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class LastKnownGoodStoreTest
{
    @TempDir
    Path directory;

    @Test
    void shouldKeepTheCurrentAndThePreviousGoodContentInOwnerOnlyFilesWithNoTemporaryLeft() throws IOException
    {
        final LastKnownGoodStore store = new LastKnownGoodStore(directory.resolve("lkg"));

        store.save(bytes("v1"));
        store.save(bytes("v2"));

        assertThat(store.read(LastKnownGoodStore.Slot.CURRENT).content()).hasValueSatisfying(c ->
            assertThat(c).isEqualTo(bytes("v2")));
        assertThat(store.read(LastKnownGoodStore.Slot.PREVIOUS).content()).hasValueSatisfying(c ->
            assertThat(c).isEqualTo(bytes("v1")));
        for (final LastKnownGoodStore.Slot slot : LastKnownGoodStore.Slot.values())
        {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.path(slot))))
                .isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("lkg"))))
            .isEqualTo("rwx------");
        try (var files = Files.list(directory.resolve("lkg")))
        {
            assertThat(files.map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder(LastKnownGoodStore.CURRENT_FILE_NAME, LastKnownGoodStore.PREVIOUS_FILE_NAME);
        }
    }

    @Test
    void shouldReportAFlippedBitATruncationAndAForeignFileWithoutThrowing() throws IOException
    {
        final LastKnownGoodStore store = new LastKnownGoodStore(directory);
        store.save(bytes("configuration"));
        final Path current = store.path(LastKnownGoodStore.Slot.CURRENT);
        final byte[] good = Files.readAllBytes(current);

        Files.write(current, flip(good, good.length - 1));
        assertThat(store.read(LastKnownGoodStore.Slot.CURRENT).problem())
            .hasValueSatisfying(p -> assertThat(p).contains("integrity check failed"));

        Files.write(current, Arrays.copyOf(good, good.length - 3));
        assertThat(store.read(LastKnownGoodStore.Slot.CURRENT).problem())
            .hasValueSatisfying(p -> assertThat(p).contains("does not match"));

        Files.write(current, bytes("not a last known good file at all, just some text"));
        assertThat(store.read(LastKnownGoodStore.Slot.CURRENT).problem())
            .hasValueSatisfying(p -> assertThat(p).contains("bad magic"));

        assertThat(store.read(LastKnownGoodStore.Slot.PREVIOUS).isAbsent()).isTrue();
    }

    @Test
    void shouldNotOverwriteAGoodPreviousFileWithACorruptCurrentOne() throws IOException
    {
        final LastKnownGoodStore store = new LastKnownGoodStore(directory);
        store.save(bytes("v1"));
        store.save(bytes("v2"));
        final Path current = store.path(LastKnownGoodStore.Slot.CURRENT);
        Files.write(current, flip(Files.readAllBytes(current), 20));

        store.save(bytes("v3"));

        assertThat(store.read(LastKnownGoodStore.Slot.PREVIOUS).content()).hasValueSatisfying(c ->
            assertThat(c).isEqualTo(bytes("v1")));
        assertThat(store.rollback()).isTrue();
        assertThat(store.read(LastKnownGoodStore.Slot.CURRENT).content()).hasValueSatisfying(c ->
            assertThat(c).isEqualTo(bytes("v1")));
    }

    static byte[] flip(final byte[] bytes, final int index)
    {
        final byte[] copy = bytes.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
