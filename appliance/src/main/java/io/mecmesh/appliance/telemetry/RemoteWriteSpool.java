package io.mecmesh.appliance.telemetry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The on-disk journal of remote-write batches not yet accepted by the receiver: one file per batch (its compressed
 * request body), named {@code SEQUENCE-SAMPLES.rw} so that the order and the sample count survive a restart. A batch
 * is written to a temporary file and renamed, so a crash leaves either the whole batch or none (a left-over
 * {@code .tmp} is removed at open). Files rather than a Chronicle queue: dropping the oldest batch to stay under the
 * quota, and removing one once sent, are a file deletion each, and the queue's preallocated, sparse cycle files would
 * make the quota a guess.
 *
 * <p>Bounded by a quota in bytes: a new batch that takes the total over it drops the oldest batches first (never the
 * new one), and the drop is reported to the caller, which counts it. Thread-safe: the collector appends while the
 * sender reads and removes.
 */
final class RemoteWriteSpool
{
    private static final Pattern NAME = Pattern.compile("(\\d{20})-(\\d+)\\.rw");
    private static final String TEMPORARY_SUFFIX = ".tmp";

    /**
     * One spooled batch.
     *
     * @param sequence its place in the order of collection.
     * @param samples  how many samples it carries.
     * @param bytes    its size on disk.
     * @param file     where it is.
     */
    record Batch(long sequence, int samples, long bytes, Path file)
    {
    }

    /**
     * What an append dropped to stay under the quota.
     *
     * @param batches the oldest batches dropped.
     * @param samples their samples.
     */
    record Dropped(int batches, long samples)
    {
        static final Dropped NONE = new Dropped(0, 0);
    }

    private final Path directory;
    private final long quotaBytes;
    private final Deque<Batch> batches = new ArrayDeque<>();
    private long totalBytes;
    private long nextSequence;

    private RemoteWriteSpool(final Path directory, final long quotaBytes)
    {
        this.directory = directory;
        this.quotaBytes = quotaBytes;
    }

    /**
     * Opens (or creates) the spool, keeping the batches a previous run left unsent.
     *
     * @param directory  its directory (created if missing).
     * @param quotaBytes the most its batches may take on disk.
     * @return the spool.
     * @throws UncheckedIOException if the directory cannot be created or read.
     */
    static RemoteWriteSpool open(final Path directory, final long quotaBytes)
    {
        requireNonNull(directory, "directory");
        final RemoteWriteSpool spool = new RemoteWriteSpool(directory, quotaBytes);
        try
        {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory))
            {
                for (final Path file : files.sorted().toList())
                {
                    final String name = file.getFileName().toString();
                    final Matcher matcher = NAME.matcher(name);
                    if (name.endsWith(TEMPORARY_SUFFIX))
                    {
                        Files.deleteIfExists(file);
                    }
                    else if (matcher.matches())
                    {
                        final Batch batch = new Batch(Long.parseLong(matcher.group(1)),
                            Integer.parseInt(matcher.group(2)), Files.size(file), file);
                        spool.batches.addLast(batch);
                        spool.totalBytes += batch.bytes();
                        spool.nextSequence = batch.sequence() + 1;
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("remote-write spool " + directory + ": " + ex.getMessage(), ex);
        }
        return spool;
    }

    /**
     * Adds a batch at the end, dropping the oldest ones while the total is over the quota.
     *
     * @param body    the compressed request body.
     * @param samples how many samples it carries.
     * @return what was dropped.
     * @throws UncheckedIOException if the batch cannot be written (nothing is added).
     */
    synchronized Dropped append(final byte[] body, final int samples)
    {
        requireNonNull(body, "body");
        final long sequence = nextSequence;
        final Path file = directory.resolve(String.format("%020d-%d.rw", sequence, samples));
        final Path temporary = directory.resolve(file.getFileName() + TEMPORARY_SUFFIX);
        try
        {
            Files.write(temporary, body);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(temporary);
            }
            catch (final IOException ignored)
            {
                // The next open removes it.
            }
            throw new UncheckedIOException("remote-write spool " + directory + ": cannot write a batch: "
                + ex.getMessage(), ex);
        }
        nextSequence++;
        batches.addLast(new Batch(sequence, samples, body.length, file));
        totalBytes += body.length;
        int droppedBatches = 0;
        long droppedSamples = 0;
        while (totalBytes > quotaBytes && batches.size() > 1)
        {
            final Batch oldest = batches.removeFirst();
            totalBytes -= oldest.bytes();
            delete(oldest);
            droppedBatches++;
            droppedSamples += oldest.samples();
        }
        return droppedBatches == 0 ? Dropped.NONE : new Dropped(droppedBatches, droppedSamples);
    }

    /**
     * @return the oldest batch, if any.
     */
    synchronized Optional<Batch> oldest()
    {
        return Optional.ofNullable(batches.peekFirst());
    }

    /**
     * Removes a batch once sent (or refused for good). A batch the quota already dropped is not there any more.
     *
     * @param batch the batch.
     */
    synchronized void remove(final Batch batch)
    {
        if (batches.remove(batch))
        {
            totalBytes -= batch.bytes();
            delete(batch);
        }
    }

    /**
     * @param batch a batch.
     * @return its body, or empty if the quota dropped it meanwhile.
     */
    Optional<byte[]> read(final Batch batch)
    {
        try
        {
            return Optional.of(Files.readAllBytes(batch.file()));
        }
        catch (final NoSuchFileException ex)
        {
            return Optional.empty();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("remote-write spool: cannot read " + batch.file() + ": " + ex.getMessage(),
                ex);
        }
    }

    /**
     * @return batches waiting.
     */
    synchronized int pendingBatches()
    {
        return batches.size();
    }

    /**
     * @return bytes on disk of the batches waiting.
     */
    synchronized long pendingBytes()
    {
        return totalBytes;
    }

    private static void delete(final Batch batch)
    {
        try
        {
            Files.deleteIfExists(batch.file());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("remote-write spool: cannot delete " + batch.file() + ": "
                + ex.getMessage(), ex);
        }
    }
}
