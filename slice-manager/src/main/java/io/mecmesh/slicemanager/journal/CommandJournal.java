package io.mecmesh.slicemanager.journal;

import io.mecmesh.slicemanager.model.Command;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static java.util.Objects.requireNonNull;

/**
 * The append-only log of accepted commands, in a Chronicle Queue. One entry per command, one Chronicle document per
 * entry, framed so that a damaged entry is recognized rather than misread:
 *
 * <pre>
 *   0               4               8                               16              20              24
 *   +---------------+---------------+-------------------------------+---------------+---------------+------...
 *   | magic "MJE1"  | format (1)    | sequence number               | JSON length   | CRC32C of JSON| JSON ...
 *   +---------------+---------------+-------------------------------+---------------+---------------+------...
 * </pre>
 *
 * (big-endian; the JSON is {@link JournalCodec}'s command document). An entry is appended and visible in the queue's
 * memory-mapped file before {@link #append(long, Command)} returns, so it survives the process being killed; it is
 * on disk once the kernel writes the page back (power loss can lose the last seconds, as with any page-cache log).
 *
 * <p>A Chronicle document the process did not finish writing (killed mid-append) is never visible to readers and was
 * never acknowledged. Anything else that does not decode — wrong magic, short entry, checksum mismatch, a sequence
 * gap, undecodable JSON — makes {@link #replay(long, EntryHandler)} throw a {@link JournalException} (CORRUPT) that
 * names the entry: a damaged journal is reported, never silently cut short.
 *
 * <p>Not thread-safe: owned by the conductor thread.
 */
public final class CommandJournal implements AutoCloseable
{
    /** "MJE1" in ASCII. */
    public static final int MAGIC = 0x4D4A4531;
    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int LENGTH_OFFSET = 16;
    public static final int CRC_OFFSET = 20;
    public static final int HEADER_LENGTH = 24;

    static
    {
        // A telecom appliance makes no outbound call the operator did not configure: set before any Chronicle class
        // is touched (HOUSE_STYLE.md).
        System.setProperty("chronicle.analytics.disable", "true");
    }

    /**
     * Receives replayed entries.
     */
    @FunctionalInterface
    public interface EntryHandler
    {
        /**
         * One entry.
         *
         * @param sequence the command's sequence number.
         * @param command  the command.
         */
        void onEntry(long sequence, Command command);
    }

    /**
     * How large the journal is, for metrics.
     *
     * @param entries    entries in the journal (the journal is never truncated: a snapshot only shortens replay).
     * @param entryBytes bytes of those entries, framing included: what a replay reads.
     * @param fileBytes  the length of the queue's files in its directory (Chronicle preallocates and maps them
     *                   sparsely: the space used on disk is usually less).
     */
    public record Size(long entries, long entryBytes, long fileBytes)
    {
    }

    private final Path directory;
    private final ChronicleQueue queue;
    private ExcerptAppender appender;
    /** Written by the owning thread (replay, append), read by a metrics scrape. */
    private volatile long entries;
    private volatile long entryBytes;

    private CommandJournal(final Path directory, final ChronicleQueue queue)
    {
        this.directory = directory;
        this.queue = queue;
    }

    /**
     * Opens (or creates) the journal in a directory.
     *
     * @param directory the queue's directory.
     * @return the journal.
     * @throws JournalException (IO) if the directory cannot be created or opened.
     */
    public static CommandJournal open(final Path directory)
    {
        requireNonNull(directory, "directory");
        try
        {
            Files.createDirectories(directory);
            return new CommandJournal(directory, ChronicleQueue.singleBuilder(directory).build());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new JournalException(JournalException.Category.IO, "journal " + directory + ": cannot open: " + ex,
                ex);
        }
    }

    /**
     * Appends an accepted command. Returns once the entry is in the queue.
     *
     * @param sequence the sequence number the command got.
     * @param command  the command.
     * @return the Chronicle index of the entry.
     */
    public long append(final long sequence, final Command command)
    {
        requireNonNull(command, "command");
        final byte[] entry = frame(sequence, JournalCodec.encode(command));
        if (appender == null)
        {
            // Chronicle documents appenders as single-threaded: create it on the thread that appends (the conductor's
            // duty-cycle thread), which need not be the thread that opened the journal.
            appender = queue.createAppender();
        }
        try (DocumentContext context = appender.writingDocument())
        {
            context.wire().bytes().write(entry);
        }
        catch (final RuntimeException ex)
        {
            throw new JournalException(JournalException.Category.IO, "journal " + directory
                + ": cannot append command " + sequence + ": " + ex, ex);
        }
        entries = entries + 1;
        entryBytes = entryBytes + entry.length;
        return appender.lastIndexAppended();
    }

    /**
     * Reads every entry from the start, handing those after {@code afterSequence} to the handler.
     *
     * @param afterSequence entries up to this sequence number are checked but not handed over (a snapshot has them).
     * @param handler       receives each later entry in order.
     * @return the sequence number of the last entry, or {@code afterSequence} if none is later.
     * @throws JournalException (CORRUPT) naming the first entry that does not decode or breaks the sequence.
     */
    public long replay(final long afterSequence, final EntryHandler handler)
    {
        requireNonNull(handler, "handler");
        long last = -1;
        long handedOver = afterSequence;
        int count = 0;
        long bytesRead = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                final byte[] entry;
                final long index;
                try (DocumentContext context = tailer.readingDocument())
                {
                    if (!context.isPresent())
                    {
                        break;
                    }
                    index = context.index();
                    final Bytes<?> bytes = context.wire().bytes();
                    entry = new byte[(int)bytes.readRemaining()];
                    bytes.read(entry);
                }
                count++;
                bytesRead += entry.length;
                final String where = "journal " + directory + ": entry " + count + " (index 0x"
                    + Long.toHexString(index) + ")";
                final long sequence = sequence(entry, where);
                if (last >= 0 && sequence != last + 1)
                {
                    throw corrupt(where + ": sequence " + sequence + " follows " + last + "; entries are missing or"
                        + " out of order");
                }
                last = sequence;
                if (sequence <= afterSequence)
                {
                    continue;
                }
                if (sequence != handedOver + 1)
                {
                    throw corrupt(where + ": sequence " + sequence + " but the state ends at " + handedOver
                        + "; entries " + (handedOver + 1) + " to " + (sequence - 1) + " are missing");
                }
                final Command command;
                try
                {
                    command = JournalCodec.decodeCommand(payload(entry, where));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new JournalException(JournalException.Category.CORRUPT, where + ", sequence " + sequence
                        + ": undecodable command: " + ex.getMessage(), ex);
                }
                handler.onEntry(sequence, command);
                handedOver = sequence;
            }
        }
        entries = count;
        entryBytes = bytesRead;
        if (last >= 0 && last < afterSequence)
        {
            throw corrupt("journal " + directory + ": ends at sequence " + last + " but the snapshot is at "
                + afterSequence + "; the journal is older than the snapshot");
        }
        return handedOver;
    }

    /**
     * The journal's size: entries and their bytes as of the last replay or append (a replay reads every entry, so
     * the first, at open, sets them), and its files' length now. Safe from any thread.
     *
     * @return the size.
     */
    public Size size()
    {
        long files = 0;
        try (Stream<Path> list = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)list::iterator)
            {
                files += Files.isRegularFile(file) ? Files.size(file) : 0;
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // A file removed while listing (a queue roll): the next scrape sees the new set.
            files = -1;
        }
        return new Size(entries, entryBytes, files);
    }

    @Override
    public void close()
    {
        if (appender != null)
        {
            appender.close();
        }
        queue.close();
    }

    static byte[] frame(final long sequence, final byte[] json)
    {
        final CRC32C crc = new CRC32C();
        crc.update(json);
        return ByteBuffer.allocate(HEADER_LENGTH + json.length)
            .putInt(MAGIC_OFFSET, MAGIC)
            .putInt(FORMAT_OFFSET, JournalCodec.FORMAT)
            .putLong(SEQUENCE_OFFSET, sequence)
            .putInt(LENGTH_OFFSET, json.length)
            .putInt(CRC_OFFSET, (int)crc.getValue())
            .put(HEADER_LENGTH, json)
            .array();
    }

    private static long sequence(final byte[] entry, final String where)
    {
        if (entry.length < HEADER_LENGTH)
        {
            throw corrupt(where + ": truncated: " + entry.length + " bytes, shorter than the " + HEADER_LENGTH
                + "-byte entry header");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(entry);
        if (buffer.getInt(MAGIC_OFFSET) != MAGIC)
        {
            throw corrupt(where + ": not a journal entry (magic 0x" + Integer.toHexString(buffer.getInt(MAGIC_OFFSET))
                + ")");
        }
        if (buffer.getInt(FORMAT_OFFSET) != JournalCodec.FORMAT)
        {
            throw corrupt(where + ": entry format " + buffer.getInt(FORMAT_OFFSET) + ", this version reads "
                + JournalCodec.FORMAT);
        }
        return buffer.getLong(SEQUENCE_OFFSET);
    }

    private static byte[] payload(final byte[] entry, final String where)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(entry);
        final int length = buffer.getInt(LENGTH_OFFSET);
        if (length != entry.length - HEADER_LENGTH)
        {
            throw corrupt(where + ": truncated: the header announces " + length + " bytes of command, "
                + (entry.length - HEADER_LENGTH) + " are there");
        }
        final CRC32C crc = new CRC32C();
        crc.update(entry, HEADER_LENGTH, length);
        if ((int)crc.getValue() != buffer.getInt(CRC_OFFSET))
        {
            throw corrupt(where + ": checksum mismatch: the command's bytes were damaged after they were written");
        }
        final byte[] json = new byte[length];
        System.arraycopy(entry, HEADER_LENGTH, json, 0, length);
        return json;
    }

    private static JournalException corrupt(final String message)
    {
        return new JournalException(JournalException.Category.CORRUPT, message
            + " (the journal is left as it is: move it aside or repair it before starting again)");
    }
}
