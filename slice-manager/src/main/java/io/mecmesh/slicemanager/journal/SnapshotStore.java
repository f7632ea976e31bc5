package io.mecmesh.slicemanager.journal;

import io.mecmesh.slicemanager.model.DesiredState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Snapshots of the desired state, one file per snapshot named by its sequence number
 * ({@code snapshot-00000000000000000042.json}). A file is a one-line header
 * {@code mecmesh-snapshot 1 <sha256-hex> <length>} followed by {@link JournalCodec}'s state document; it is written to
 * a temporary file, forced to disk and renamed into place, so a crash leaves the old snapshot or the new one. The
 * latest snapshot is checked (length and SHA-256) when loaded; a damaged one is reported, not skipped.
 */
public final class SnapshotStore
{
    private static final String HEADER = "mecmesh-snapshot";
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.json");

    private final Path directory;

    /**
     * A store in a directory (created on the first write).
     *
     * @param directory the directory.
     */
    public SnapshotStore(final Path directory)
    {
        this.directory = requireNonNull(directory, "directory");
    }

    /**
     * Writes a snapshot of a state.
     *
     * @param state the state.
     * @return the file written.
     */
    public Path write(final DesiredState state)
    {
        requireNonNull(state, "state");
        final byte[] body = JournalCodec.encode(state);
        final byte[] header = (HEADER + " " + JournalCodec.FORMAT + " " + sha256(body) + " " + body.length + "\n")
            .getBytes(StandardCharsets.US_ASCII);
        final Path target = directory.resolve(String.format("snapshot-%020d.json", state.sequence()));
        final Path temporary = directory.resolve(target.getFileName() + ".tmp");
        try
        {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                channel.write(ByteBuffer.wrap(header));
                channel.write(ByteBuffer.wrap(body));
                channel.force(true);
            }
            try
            {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "snapshot " + target + ": cannot write: " + ex,
                ex);
        }
    }

    /**
     * Loads the latest snapshot.
     *
     * @return its state, or empty when there is no snapshot.
     * @throws JournalException (CORRUPT) naming the file if the latest snapshot is damaged.
     */
    public Optional<DesiredState> loadLatest()
    {
        final List<Path> files = snapshots();
        if (files.isEmpty())
        {
            return Optional.empty();
        }
        final Path file = files.get(files.size() - 1);
        final byte[] content;
        try
        {
            content = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "snapshot " + file + ": cannot read: " + ex, ex);
        }
        int newline = 0;
        while (newline < content.length && content[newline] != '\n')
        {
            newline++;
        }
        final String[] header = new String(content, 0, newline, StandardCharsets.US_ASCII).split(" ");
        final byte[] body = Arrays.copyOfRange(content, Math.min(content.length, newline + 1), content.length);
        if (header.length != 4 || !HEADER.equals(header[0])
            || !Integer.toString(JournalCodec.FORMAT).equals(header[1]))
        {
            throw corrupt(file, "not a format " + JournalCodec.FORMAT + " snapshot header");
        }
        if (!header[3].equals(Integer.toString(body.length)))
        {
            throw corrupt(file, "truncated: the header announces " + header[3] + " bytes, " + body.length
                + " are there");
        }
        if (!header[2].equals(sha256(body)))
        {
            throw corrupt(file, "SHA-256 mismatch: the snapshot was damaged after it was written");
        }
        final DesiredState state;
        try
        {
            state = JournalCodec.decodeState(body);
        }
        catch (final RuntimeException ex)
        {
            throw new JournalException(JournalException.Category.CORRUPT, "snapshot " + file
                + ": undecodable state: " + ex.getMessage(), ex);
        }
        final Matcher matcher = NAME.matcher(file.getFileName().toString());
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) != state.sequence())
        {
            throw corrupt(file, "holds sequence " + state.sequence() + ", its name says otherwise");
        }
        return Optional.of(state);
    }

    /**
     * The snapshot files, oldest first.
     *
     * @return the files.
     */
    public List<Path> snapshots()
    {
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(file -> NAME.matcher(file.getFileName().toString()).matches()).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new JournalException(JournalException.Category.IO, "snapshots " + directory + ": cannot list: "
                + ex, ex);
        }
    }

    private static JournalException corrupt(final Path file, final String what)
    {
        return new JournalException(JournalException.Category.CORRUPT, "snapshot " + file + ": " + what
            + " (move it aside to start from the previous snapshot and a longer replay)");
    }

    private static String sha256(final byte[] bytes)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
        }
    }
}
