package io.mecmesh.appliance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static java.util.Objects.requireNonNull;

/**
 * One process per data directory: an exclusive lock ({@link FileChannel#tryLock()}) on {@value #FILE} in it, held
 * until {@link #close()} (or the process's end: the kernel drops the lock of a killed process, so a stale file never
 * blocks a restart). The file holds the owner's pid, for the message the second process prints.
 */
final class DataDirectoryLock implements AutoCloseable
{
    /** The lock file's name in the data directory. */
    static final String FILE = "mecmesh.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it.
     *
     * @param directory the data directory.
     * @return the held lock.
     * @throws ApplianceException {@code UNAVAILABLE} when another process (or this one) holds it, or the directory
     *                            or its lock file cannot be created.
     */
    static DataDirectoryLock acquire(final Path directory)
    {
        requireNonNull(directory, "directory");
        final Path file = directory.resolve(FILE);
        final FileChannel channel;
        try
        {
            Files.createDirectories(directory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "dataDirectory " + directory
                + ": cannot create " + file + ": " + ex.getMessage(), ex);
        }
        try
        {
            final FileLock lock = tryLock(channel);
            if (lock == null)
            {
                throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "dataDirectory " + directory
                    + " is in use by another mecmesh process" + owner(file) + ": give each process its own"
                    + " dataDirectory");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
                0);
            return new DataDirectoryLock(channel, lock);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(channel);
            if (ex instanceof ApplianceException appliance)
            {
                throw appliance;
            }
            throw new ApplianceException(ApplianceException.Category.UNAVAILABLE, "dataDirectory " + directory
                + ": cannot lock " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static FileLock tryLock(final FileChannel channel) throws IOException
    {
        try
        {
            return channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            return null;
        }
    }

    private static String owner(final Path file)
    {
        try
        {
            final String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.matches("\\d{1,10}") ? " (pid " + pid + ", " + file + ")" : " (" + file + ")";
        }
        catch (final IOException ex)
        {
            return " (" + file + ")";
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Closing releases nothing more than the descriptor; the start fails with the reason above.
        }
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            lock.release();
        }
        finally
        {
            channel.close();
        }
    }
}
