package io.mecmesh.slicemanager.agent;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The node's last known good configuration on disk: {@value #CURRENT_FILE_NAME} (what the node runs) and
 * {@value #PREVIOUS_FILE_NAME} (what it ran before, for rollback and for when the current file is damaged).
 *
 * <p>File layout, little-endian:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                    magic 0x4B4C4D4D ("MMLK")                  |  0
 * +---------------------------------------------------------------+
 * |                      file format (int32, 1)                   |  4
 * +---------------------------------------------------------------+
 * |                    content length (int32)                     |  8
 * +---------------------------------------------------------------+
 * |                SHA-256 of the content (32 bytes)              | 12
 * |                              ...                              |
 * +---------------------------------------------------------------+
 * |   content (the configuration as received: a SignedConfig)   ...  44
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The SHA-256 catches damage only: anyone able to edit the file can recompute it. What makes a file trustworthy is
 * the control plane's signature inside the content, checked by {@link ConfigVerifier} whenever a file is loaded.
 *
 * <p>Every write is atomic: a temporary file in the same directory, created with mode 0600, written and forced to
 * disk, then renamed over the target ({@code ATOMIC_MOVE}) and the directory forced, so a crash leaves either the old
 * or the new file, never a torn one. {@link #save} first copies a current file that passes its integrity check to
 * the previous slot, so the two slots always hold the two latest good configurations.
 *
 * <p>Confined to the node agent's thread.
 */
public final class LastKnownGoodStore
{
    /** The configuration the node runs. */
    public static final String CURRENT_FILE_NAME = "last-known-good.bin";
    /** The configuration it ran before. */
    public static final String PREVIOUS_FILE_NAME = "last-known-good.previous.bin";

    static final int MAGIC = 0x4B4C4D4D;
    static final int FORMAT = 1;
    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_OFFSET = 4;
    static final int LENGTH_OFFSET = 8;
    static final int SHA256_OFFSET = 12;
    static final int SHA256_LENGTH = 32;
    static final int CONTENT_OFFSET = 44;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final String TEMP_SUFFIX = ".tmp";

    /** Which of the two files. */
    public enum Slot
    {
        /** {@value #CURRENT_FILE_NAME}. */
        CURRENT,
        /** {@value #PREVIOUS_FILE_NAME}. */
        PREVIOUS
    }

    /**
     * What reading one slot gave.
     *
     * @param slot    the slot read.
     * @param content the content, when the file exists and passed its integrity check.
     * @param problem why the file is unusable, when it exists and did not pass; empty when it is good or absent.
     */
    public record Read(Slot slot, Optional<byte[]> content, Optional<String> problem)
    {
        public Read
        {
            requireNonNull(slot, "slot");
            requireNonNull(content, "content");
            requireNonNull(problem, "problem");
        }

        /**
         * @return whether the slot holds no file.
         */
        public boolean isAbsent()
        {
            return content.isEmpty() && problem.isEmpty();
        }
    }

    private final Path directory;

    /**
     * @param directory where the files live; created (mode 0700) when missing.
     */
    public LastKnownGoodStore(final Path directory)
    {
        this.directory = requireNonNull(directory, "directory").toAbsolutePath();
        try
        {
            Files.createDirectories(this.directory, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new UncheckedIOException("last known good directory " + directory + " is not a directory", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the last known good directory " + directory, ex);
        }
    }

    /**
     * @param slot a slot.
     * @return its file.
     */
    public Path path(final Slot slot)
    {
        return directory.resolve(slot == Slot.CURRENT ? CURRENT_FILE_NAME : PREVIOUS_FILE_NAME);
    }

    /**
     * Makes {@code content} the current configuration; the current one, if good, becomes the previous one.
     *
     * @param content the encoded configuration.
     * @throws UncheckedIOException if a file cannot be written (the current file is then unchanged).
     */
    public void save(final byte[] content)
    {
        requireNonNull(content, "content");
        final Read current = read(Slot.CURRENT);
        if (current.content().isPresent())
        {
            write(Slot.PREVIOUS, current.content().get());
        }
        write(Slot.CURRENT, content);
    }

    /**
     * Puts the previous configuration back as the current one (after the data plane refused the one just saved).
     *
     * @return whether there was a good previous configuration to restore.
     */
    public boolean rollback()
    {
        final Read previous = read(Slot.PREVIOUS);
        if (previous.content().isEmpty())
        {
            try
            {
                Files.deleteIfExists(path(Slot.CURRENT));
                forceDirectory();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot remove " + path(Slot.CURRENT), ex);
            }
            return false;
        }
        write(Slot.CURRENT, previous.content().get());
        return true;
    }

    /**
     * Reads a slot and checks its integrity.
     *
     * @param slot the slot.
     * @return its content, or why it is unusable, or neither when there is no file.
     */
    public Read read(final Slot slot)
    {
        final Path file = path(slot);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return new Read(slot, Optional.empty(), Optional.empty());
        }
        catch (final IOException ex)
        {
            return problem(slot, file + ": cannot be read: " + ex.getMessage());
        }
        if (bytes.length < CONTENT_OFFSET)
        {
            return problem(slot, file + ": truncated: " + bytes.length + " bytes, shorter than its header");
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (buffer.getInt(MAGIC_OFFSET, ORDER) != MAGIC)
        {
            return problem(slot, file + ": not a last known good file (bad magic)");
        }
        if (buffer.getInt(FORMAT_OFFSET, ORDER) != FORMAT)
        {
            return problem(slot, file + ": file format " + buffer.getInt(FORMAT_OFFSET, ORDER) + ", expected " + FORMAT);
        }
        final int length = buffer.getInt(LENGTH_OFFSET, ORDER);
        if (length < 0 || length != bytes.length - CONTENT_OFFSET)
        {
            return problem(slot, file + ": content length " + length + " does not match the file's "
                + (bytes.length - CONTENT_OFFSET) + " bytes (truncated or extended)");
        }
        final byte[] content = Arrays.copyOfRange(bytes, CONTENT_OFFSET, bytes.length);
        final byte[] stored = Arrays.copyOfRange(bytes, SHA256_OFFSET, SHA256_OFFSET + SHA256_LENGTH);
        if (!MessageDigest.isEqual(stored, sha256(content)))
        {
            return problem(slot, file + ": integrity check failed (SHA-256 of the content differs from the stored one)");
        }
        return new Read(slot, Optional.of(content), Optional.empty());
    }

    private static Read problem(final Slot slot, final String problem)
    {
        return new Read(slot, Optional.empty(), Optional.of(problem));
    }

    private void write(final Slot slot, final byte[] content)
    {
        final Path target = path(slot);
        final Path temp = directory.resolve(target.getFileName() + TEMP_SUFFIX);
        final ByteBuffer file = ByteBuffer.allocate(CONTENT_OFFSET + content.length).order(ORDER);
        file.putInt(MAGIC).putInt(FORMAT).putInt(content.length).put(sha256(content)).put(content).flip();
        try
        {
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))))
            {
                while (file.hasRemaining())
                {
                    channel.write(file);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(temp);
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }

    private void forceDirectory() throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static byte[] sha256(final byte[] content)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(content);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }
}
